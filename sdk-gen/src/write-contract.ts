import { writeFileSync } from 'node:fs';
import { openApiJson } from '../../api/src/openapi/document.ts';
import { CONTRACT_PATH } from './paths.ts';

/** Writes the server's OpenAPI document (built from its zod schemas) to sdk-gen/openapi.json. */
writeFileSync(CONTRACT_PATH, openApiJson());
console.log(`wrote ${CONTRACT_PATH}`);
