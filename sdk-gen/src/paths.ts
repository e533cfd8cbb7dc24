import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SDK_GEN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONTRACT_PATH = path.join(SDK_GEN_DIR, 'openapi.json');
export const TYPESCRIPT_DIR = path.join(SDK_GEN_DIR, 'typescript');
export const PYTHON_DIR = path.join(SDK_GEN_DIR, 'python');
