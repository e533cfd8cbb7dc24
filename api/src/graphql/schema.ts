import { builder } from './builder.ts';
import { lexicographicSortSchema, printSchema } from './graphql-js.ts';
import './types/access-token.ts';
import './types/agent.ts';
import './types/api-key.ts';
import './types/audit.ts';
import './types/metrics.ts';
import './types/organization.ts';
import './types/team.ts';
import './types/viewer.ts';
import './types/webhook.ts';

export const schema = builder.toSchema();

/** The SDL committed as /schema.graphql (sorted, so the file changes only when the schema does). */
export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;
