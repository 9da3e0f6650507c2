/**
 * `reglab export-lab DIR`: the web lab as a static site (the same files `reglab serve` serves, site.ts), for
 * any plain web server, GitHub Pages or a USB stick. The folder is checked before anything is written, the
 * site is written into a temporary folder beside it and renamed into place: DIR is complete or untouched.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { isRunning } from '../io/atomic.js';
import { labSiteFiles } from '../lab/site.js';
import { parseFlags } from './args.js';
import type { Command } from './command.js';

const HELP = `usage: reglab export-lab DIR

Writes the web lab as a static site into DIR (a new or empty folder, or an earlier export, which it
replaces): the page, its modules, the WebAssembly kernels, uPlot and the MNIST files (about 53 MB).
Any static web server serves it, with no special headers, at its root or under a sub-path:
  python3 -m http.server -d DIR 8000     then open http://localhost:8000/
Where the server sends the cross-origin isolation headers (as reglab serve does), the lab trains on
several threads; elsewhere on one. The numbers are the same either way.
`;

/** The file that marks a folder as an export (so a later export may replace it). */
export const MARKER = 'reglab-lab.json';

function fail(dir: string, why: string): never {
  throw new ConfigError(`${dir}: ${why}`);
}

/** Refuses a DIR that cannot take the site, before anything is written; true when DIR is to be replaced. */
function checkDir(dir: string, full: string): boolean {
  if (existsSync(full)) {
    if (!statSync(full).isDirectory()) fail(dir, 'exists and is not a folder');
    const names = readdirSync(full);
    if (names.length === 0) return true;
    if (!names.includes(MARKER)) fail(dir, 'is not empty and is not an earlier export: choose a new or empty folder');
    const mine = filesNotExported(full);
    if (mine.length > 0) {
      const which = mine.length > 1 ? `${mine[0]} and ${mine.length - 1} more` : mine[0];
      fail(dir, `is an earlier export that also holds files it did not write (${which}): move them out first, or choose another folder`);
    }
    return true;
  }
  let up = dirname(full);
  while (!existsSync(up) && dirname(up) !== up) up = dirname(up);
  if (!statSync(up).isDirectory()) fail(dir, `${up} is not a folder`);
  return false;
}

/** Files a file manager leaves in any folder it shows: not the user's work, replaced with the export. */
const FOLDER_METADATA = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/** The files in an earlier export that its marker does not list (the user's own: replacing would lose them). */
function filesNotExported(full: string): string[] {
  let listed: Set<string>;
  try {
    const files = (JSON.parse(readFileSync(join(full, MARKER), 'utf8')) as { files?: unknown })?.files;
    listed = new Set(Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : []);
  } catch {
    listed = new Set(); // an unreadable marker lists nothing: every file counts as the user's
  }
  listed.add(MARKER);
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(full, ...rel.split('/')), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path);
      else if (!listed.has(path) && !FOLDER_METADATA.has(e.name)) out.push(path);
    }
  };
  walk('');
  return out.sort();
}

/**
 * Tidies what an export killed mid-way (Ctrl-C, kill -9) left beside DIR: its temporary folder is removed, and
 * an earlier export it had moved aside is put back if DIR is missing (removed otherwise). Only for processes
 * that no longer run.
 */
function tidyStaleTemps(full: string): void {
  const parent = dirname(full);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const kind of ['export', 'old'] as const) {
    const prefix = `.${basename(full)}.${kind}-`;
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
      const pid = Number(name.slice(prefix.length, -'.tmp'.length));
      if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
      if (kind === 'old' && !existsSync(full)) renameSync(join(parent, name), full);
      else rmSync(join(parent, name), { recursive: true, force: true });
    }
  }
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

/** Writes the site into dir; returns the files written and their total bytes. */
export function exportLab(dir: string): { files: number; bytes: number } {
  const full = resolve(dir);
  tidyStaleTemps(full);
  const replace = checkDir(dir, full);
  const files = labSiteFiles();
  for (const f of files) if (!existsSync(f.file)) throw new ConfigError(`the lab's file ${f.path} is missing (${f.file}): reinstall reglab`);
  const parent = dirname(full);
  const tmp = join(parent, `.${basename(full)}.export-${process.pid}.tmp`);
  const old = join(parent, `.${basename(full)}.old-${process.pid}.tmp`);
  let bytes = 0;
  try {
    mkdirSync(parent, { recursive: true });
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    for (const f of files) {
      const to = join(tmp, ...f.path.split('/'));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(f.file, to);
      bytes += statSync(to).size;
    }
    const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
    writeFileSync(join(tmp, MARKER), JSON.stringify({ generator: 'reglab export-lab', version, files: files.map((f) => f.path) }, null, 2) + '\n');
    if (replace) renameSync(full, old);
    renameSync(tmp, full);
    if (replace) rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (replace && existsSync(old) && !existsSync(full)) renameSync(old, full); // put the earlier export back
    const code = errno(e);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') fail(dir, `cannot write there (${code})`);
    if (code === 'ENOSPC') fail(dir, 'no space left on the device');
    if (code === 'ENOTDIR') fail(dir, 'a part of the path is not a folder');
    throw e;
  }
  return { files: files.length + 1, bytes };
}

export const command: Command = {
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { help: { type: 'boolean', short: 'h' } }, true);
    if (values['help']) {
      process.stdout.write(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new ConfigError(positionals.length ? `expected one folder, got ${positionals.length}: ${positionals.join(' ')}` : 'give the folder to write the site to: reglab export-lab DIR');
    const dir = positionals[0]!;
    const { files, bytes } = exportLab(dir);
    process.stdout.write(`reglab export-lab: ${files} files (${(bytes / 2 ** 20).toFixed(1)} MB) in ${dir}\n`);
    process.stdout.write(`serve it with any static web server, e.g. python3 -m http.server -d ${dir} 8000\n`);
    return 0;
  },
};
