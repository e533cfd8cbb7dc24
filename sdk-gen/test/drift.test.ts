import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApiJson } from '../../api/src/openapi/document.ts';
import { compileTypeScript, generateFiles, GENERATED_DIRS } from '../src/generate.ts';
import { CONTRACT_PATH, SDK_GEN_DIR, TYPESCRIPT_DIR } from '../src/paths.ts';

const STALE = 'stale generated code: run `npm run sdk:generate` and commit the result';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(path.join(dir, file)).isFile() && !file.includes('__pycache__'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

describe('committed contract and SDKs', () => {
  it('sdk-gen/openapi.json is the document the server code builds', () => {
    expect(readFileSync(CONTRACT_PATH, 'utf8') === openApiJson(), STALE).toBe(true);
  });

  it('the generated TypeScript and Python sources are what the contract generates', () => {
    const expected = generateFiles(readFileSync(CONTRACT_PATH, 'utf8'));
    for (const [file, text] of expected) {
      const committed = readFileSync(path.join(SDK_GEN_DIR, file), 'utf8');
      expect(committed === text, `${file}: ${STALE}`).toBe(true);
    }
    // Nothing left over from an operation or schema that no longer exists.
    for (const dir of GENERATED_DIRS) {
      const onDisk = filesUnder(path.join(SDK_GEN_DIR, dir)).map((file) => `${dir}/${file}`);
      expect(onDisk, STALE).toEqual([...expected.keys()].filter((file) => file.startsWith(`${dir}/`)).sort());
    }
  });

  it('the compiled package (sdk-gen/typescript/dist) is what the sources compile to', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'machineauth-sdk-dist-'));
    try {
      compileTypeScript(out);
      const committedDir = path.join(TYPESCRIPT_DIR, 'dist');
      const compiled = filesUnder(out);
      expect(filesUnder(committedDir), STALE).toEqual(compiled);
      for (const file of compiled) {
        const same = readFileSync(path.join(out, file), 'utf8') === readFileSync(path.join(committedDir, file), 'utf8');
        expect(same, `dist/${file}: ${STALE}`).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
