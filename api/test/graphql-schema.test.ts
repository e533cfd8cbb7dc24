import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE } from '../src/graphql/print.ts';
import { printedSchema } from '../src/graphql/schema.ts';

describe('schema.graphql', () => {
  it('is the schema the code builds (run `npm run graphql:print` after changing a type)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printedSchema());
  });

  it('never exposes a secret or its digest', () => {
    expect(printedSchema()).not.toMatch(/secret(Hash|Encrypted)?\s*:|keyHash|tokenHash|clientSecret/i);
  });
});
