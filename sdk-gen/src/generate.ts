import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { emitPython } from './emit-python.ts';
import { emitTypeScript } from './emit-typescript.ts';
import { readModel } from './model.ts';
import { CONTRACT_PATH, PYTHON_DIR, SDK_GEN_DIR, TYPESCRIPT_DIR } from './paths.ts';

/** Every generated source file, by path relative to sdk-gen/, from the contract's text. */
export function generateFiles(contract: string): Map<string, string> {
  const model = readModel(JSON.parse(contract));
  const files = new Map<string, string>();
  for (const [file, text] of emitTypeScript(model)) files.set(path.posix.join('typescript', file), text);
  for (const [file, text] of emitPython(model)) files.set(path.posix.join('python', file), text);
  return files;
}

/** Directories that hold generated files only (emptied before writing, so renamed files do not linger). */
export const GENERATED_DIRS = ['typescript/src/generated', 'python/machineauth/_generated'];

const TSC = path.join(SDK_GEN_DIR, '..', 'node_modules', '.bin', 'tsc');

/** Compiles the TypeScript SDK (sources, generated and hand-written) to JavaScript + .d.ts in `outDir`. */
export function compileTypeScript(outDir = path.join(TYPESCRIPT_DIR, 'dist')): void {
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(TSC, ['-p', path.join(TYPESCRIPT_DIR, 'tsconfig.json'), '--outDir', outDir], { stdio: 'inherit' });
}

function main() {
  const files = generateFiles(readFileSync(CONTRACT_PATH, 'utf8'));
  for (const dir of GENERATED_DIRS) rmSync(path.join(SDK_GEN_DIR, dir), { recursive: true, force: true });
  for (const [file, text] of files) {
    const target = path.join(SDK_GEN_DIR, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  compileTypeScript();
  console.log(`generated ${files.size} files from ${path.relative(process.cwd(), CONTRACT_PATH)}; compiled ${path.relative(process.cwd(), path.join(TYPESCRIPT_DIR, 'dist'))}; python in ${path.relative(process.cwd(), PYTHON_DIR)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
