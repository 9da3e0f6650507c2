/**
 * For tests: the CLI run as users run it, as a child process. Every CLI test spawns it through here. A time
 * limit is the process's (it is killed, and the test then fails on its exit code), never an assertion.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

export interface SpawnOptions {
  /** Variables added to (or, as undefined, removed from) the test process's environment. Default: none. */
  env?: NodeJS.ProcessEnv;
  /** Written to the CLI's stdin, which is then closed. Default: nothing. */
  input?: string | Uint8Array;
  /** Milliseconds after which the CLI is killed (SIGTERM): a hang fails the test. Default 120,000. */
  timeout?: number;
}

export interface Finished {
  /** The exit code; null when the process was killed (by the timeout or a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const DEFAULT_TIMEOUT_MS = 120_000;

function environment(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return env ? { ...process.env, ...env } : process.env;
}

/** Runs `reglab ...args` to completion with options; its exit code, signal, stdout and stderr. */
export function reglabWith(options: SpawnOptions, ...args: string[]): Finished {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'utf8',
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    env: environment(options.env),
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `reglab ...args` to completion (default options); its exit code, signal, stdout and stderr. */
export function reglab(...args: string[]): Finished {
  return reglabWith({}, ...args);
}

/**
 * Starts `reglab ...args` without waiting (for a server, or a run to interrupt): stdin, stdout and stderr are
 * pipes. The caller ends it; with a timeout it is killed (SIGTERM) after that many milliseconds at the latest.
 */
export function startReglab(args: readonly string[], options: Omit<SpawnOptions, 'input'> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [MAIN, ...args], { env: environment(options.env), stdio: 'pipe' });
  if (options.timeout !== undefined) {
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeout);
    timer.unref();
    child.once('exit', () => clearTimeout(timer));
  }
  return child;
}
