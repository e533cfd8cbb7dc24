import type { ObjectRef } from '@pothos/core';
import { builder, type BuilderTypes } from '../builder.ts';

/**
 * Every list is a Relay connection over `<Name>Edge`. A top-level list is `<Name>Connection` and
 * adds `totalCount`; a list under each of many parents is `Nested<Name>Connection`, without a
 * count, since a count per parent would cost a statement of its own.
 */
export function edgeType<Shape>(node: ObjectRef<BuilderTypes, Shape>, name: string) {
  return builder.edgeObject({ name: `${name}Edge`, type: node });
}

export function nestedConnection<Shape>(node: ObjectRef<BuilderTypes, Shape>, name: string, edge: ReturnType<typeof edgeType<Shape>>) {
  return builder.connectionObject({ type: node, name: `Nested${name}Connection` }, edge);
}

export function rootConnection<Shape>(node: ObjectRef<BuilderTypes, Shape>, name: string, edge: ReturnType<typeof edgeType<Shape>>) {
  return builder.connectionObject(
    {
      type: node,
      name: `${name}Connection`,
      fields: (t) => ({
        totalCount: t.int({ description: 'How many items match, over all pages.', resolve: (connection) => connection.totalCount?.() ?? 0 }),
      }),
    },
    edge,
  );
}
