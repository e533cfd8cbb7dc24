import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import type { RequestContext } from '../services/context.ts';
import type { Services } from '../services/index.ts';

/** Per request: the caller and the one service layer. */
export interface GraphQLContext {
  /** Who is asking (already authenticated at the edge); every service call gets it. */
  caller: RequestContext;
  services: Services;
}

/**
 * The one SchemaBuilder: Relay connections for every list, dataloaders for every relation (so a
 * page of parents costs one statement per relation, not one per parent). Ids are the plain UUIDs
 * the REST and tRPC APIs use, so the dashboard can pass them straight to a tRPC action.
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  /** Root lists can count their matches; the count runs only when the field is asked for. */
  Connection: { totalCount?: () => Promise<number> };
}>({
  plugins: [RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

builder.queryType({ description: 'Read views over MachineAuth for administrators. Changes go through the tRPC router at /trpc (or REST).' });

builder.scalarType('DateTime', {
  description: 'An ISO 8601 date-time, always given in UTC.',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO 8601 date-time such as 2025-01-31T12:00:00Z');
    return date;
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

/** The builder's resolved schema types, for helpers generic over object refs. */
export type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
