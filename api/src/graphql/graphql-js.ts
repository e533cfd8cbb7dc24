import { createRequire } from 'node:module';

/**
 * graphql ships CommonJS and ES module builds without an exports map. Node (and so Pothos, yoga
 * and graphql-armor) loads the CommonJS one, while a bundler-style resolver (vitest) may hand our
 * own files the ES module one — and graphql refuses objects from another instance. Our files take
 * graphql from here: the instance Node loads.
 */
const graphql: typeof import('graphql') = createRequire(import.meta.url)('graphql');

export const { GraphQLError, lexicographicSortSchema, printSchema } = graphql;
export type GraphQLError = import('graphql').GraphQLError;
