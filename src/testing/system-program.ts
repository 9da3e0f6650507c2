/**
 * A system program that some tests need (Chromium for the browser tests, redis-server for the queue tests):
 * found, or the tests that need it are skipped with a one-line instruction, or, under CI, they fail naming it.
 *
 *   const CHROMIUM: SystemProgram = { name: 'Chromium', env: 'REGLAB_CHROMIUM', ... };
 *   describe('the lab in Chromium', { skip: skipUnlessFound(CHROMIUM) }, () => {
 *     before(() => { const path = programPath(CHROMIUM); ... });   // throws, naming it, under CI
 *   });
 *
 * Skipping keeps `npm test` green on a fresh machine; CI (the `CI` environment variable set, as CI services
 * and `.ci/run` do) must run every suite, so there a missing program is a failure, never a skip.
 */
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface SystemProgram {
  /** What messages call it: 'Chromium'. */
  readonly name: string;
  /** The environment variable that names its path; when set, it is the only place looked at. */
  readonly env: string;
  /** Absolute paths tried in order when `env` is unset. */
  readonly candidates: readonly string[];
  /** Executable names also looked up on PATH when `env` is unset (none by default). */
  readonly onPath?: readonly string[];
  /** How to install it, one command: 'apt-get install -y chromium'. */
  readonly install: string;
}

/** True when the tests run under CI: `CI` is set to anything but '', '0' or 'false'. */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** Where the program is, or undefined. */
export function findProgram(p: SystemProgram, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env[p.env];
  if (fromEnv) return isFile(fromEnv) ? fromEnv : undefined;
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  const onPath = (p.onPath ?? []).flatMap((name) => dirs.map((d) => join(d, name)));
  return [...p.candidates, ...onPath].find(isFile);
}

/** Where it was looked for, for messages. */
function lookedAt(p: SystemProgram, env: NodeJS.ProcessEnv): string {
  const fromEnv = env[p.env];
  if (fromEnv) return `${fromEnv} (${p.env})`;
  const onPath = p.onPath?.length ? [`${p.onPath.join(', ')} on PATH`] : [];
  return [...p.candidates, ...onPath].join(', ');
}

/** The one-line instruction: what is missing, where it was looked for, how to get it. */
export function missingMessage(p: SystemProgram, env: NodeJS.ProcessEnv = process.env): string {
  return `${p.name} not found at ${lookedAt(p, env)}: install it with \`${p.install}\` or set ${p.env} to its path`;
}

/**
 * The value for node:test's `skip` option: false when the program is found or under CI (the suite then runs
 * and `programPath` fails it), else the one-line instruction, which the test runner prints beside SKIP.
 */
export function skipUnlessFound(p: SystemProgram, env: NodeJS.ProcessEnv = process.env): string | false {
  if (findProgram(p, env) !== undefined || underCi(env)) return false;
  return missingMessage(p, env);
}

/** The program's path; throws the instruction (saying that CI requires it, under CI) when it is missing. */
export function programPath(p: SystemProgram, env: NodeJS.ProcessEnv = process.env): string {
  const found = findProgram(p, env);
  if (found !== undefined) return found;
  const ci = underCi(env) ? ' (CI is set, so the tests that need it fail instead of skipping)' : '';
  throw new Error(missingMessage(p, env) + ci);
}
