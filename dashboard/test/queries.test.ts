import { readFileSync } from 'node:fs';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GRAPHQL_LIMITS } from '../../api/src/graphql/mount.ts';
import * as queries from '../src/lib/queries.ts';

/**
 * Every document the dashboard sends must be valid against the committed schema and within the
 * server's depth and cost limits, so that a renamed field or a too-greedy view fails here, in
 * milliseconds, and not as an error page in the browser.
 */
describe('dashboard GraphQL documents', () => {
  const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
  const documents = Object.entries(queries).filter(([name, value]) => name.endsWith('_QUERY') && typeof value === 'string') as [string, string][];

  it('exist', () => {
    expect(documents.length).toBeGreaterThanOrEqual(10);
  });

  for (const [name, text] of documents) {
    it(`${name} is valid and within the limits`, () => {
      const errors = validate(schema, parse(text), [
        ...specifiedRules,
        maxDepthRule({ n: GRAPHQL_LIMITS.maxDepth }),
        costLimitRule({ maxCost: GRAPHQL_LIMITS.maxCost }),
      ]);
      expect(errors.map((e) => e.message)).toEqual([]);
    });
  }
});
