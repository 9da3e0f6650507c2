/**
 * One process at a time in an output folder (Node only): lockFolder() makes DIR/<name> holding its owner (pid,
 * host, start time) and refuses while another live process holds it, so two sweeps resumed into the same
 * --out cannot overwrite each other's trials.jsonl. The lock file is made whole and then linked into place
 * (link fails when the name exists), so no reader ever sees half of one. A lock left by a process that died
 * (SIGKILL, power cut) on this host is taken over; one from another host is refused with the file to remove.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { isRunning } from './atomic.js';

interface Owner {
  pid: number;
  host: string;
  started: string;
}

export interface FolderLock {
  readonly path: string;
  /** Removes the lock (once; also done when the process exits). */
  release(): void;
}

function readOwner(path: string): Owner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
    return Number.isInteger(o.pid) && typeof o.host === 'string' && typeof o.started === 'string' ? (o as Owner) : null;
  } catch {
    return null;
  }
}

/**
 * mkdir -p, one level at a time: Node's own recursive mkdirSync never returns when the kernel answers ENOENT for
 * a folder under one that exists (as under /proc); here that is an error like any other.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/**
 * Takes DIR/name for this process (creating DIR), or throws a ConfigError saying who holds it. `what` names the
 * folder for people, e.g. '--out runs/sweep1'; `kind` is what the refusal advises naming another of ('file' when the
 * lock guards one file of DIR, as `reglab train --checkpoint FILE`'s FILE.lock).
 */
export function lockFolder(dir: string, name: string, what: string, kind: 'folder' | 'file' = 'folder'): FolderLock {
  const path = join(dir, name);
  const me: Owner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  try {
    makeFolders(dir);
    writeFileSync(tmp, JSON.stringify(me) + '\n');
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw e;
      }
      const owner = readOwner(path);
      if (owner && owner.host !== me.host) {
        throw new ConfigError(`${what} is in use by reglab (pid ${owner.pid}) on ${owner.host} since ${owner.started}; if it is no longer running there, remove ${path}`);
      }
      if (owner && owner.pid !== process.pid && isRunning(owner.pid)) {
        throw new ConfigError(`${what} is in use by another reglab (pid ${owner.pid}, since ${owner.started}): wait for it to finish, or name another ${kind}`);
      }
      rmSync(path, { force: true }); // its owner is gone (or the file is not a lock of ours): take it over
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot lock ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    rmSync(tmp, { force: true });
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { path, release };
}
