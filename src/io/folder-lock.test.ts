import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../errors.js';
import { lockFolder } from './folder-lock.js';

const lockOf = (pid: number, host = hostname()) => JSON.stringify({ pid, host, started: '2026-12-02T00:00:00.000Z' });
const refused = (f: () => unknown, msg: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof ConfigError && msg.test(e.message) && !e.message.includes('\n'));

test('a folder lock: taken, refused to a second holder while its owner lives, taken over from a dead one, released', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-lock-'));
  const path = join(dir, 'out', 'sweep.lock');
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  try {
    // Taken: the file names this process; released: gone. The folder is made if need be.
    const mine = lockFolder(join(dir, 'out'), 'sweep.lock', '--out out');
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    mine.release();
    assert.equal(existsSync(path), false);
    // Another live process holds it: refused, naming it; the lock is left alone.
    writeFileSync(path, lockOf(sleeper.pid!));
    refused(() => lockFolder(join(dir, 'out'), 'sweep.lock', '--out out'), new RegExp(`--out out is in use by another reglab \\(pid ${sleeper.pid},`));
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, sleeper.pid);
    // Its owner died (a process that has exited): taken over.
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(path, lockOf(Number(gone.stdout.trim())));
    const taken = lockFolder(join(dir, 'out'), 'sweep.lock', '--out out');
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    taken.release();
    // Not a lock of ours (garbage): taken over too.
    writeFileSync(path, 'not json');
    lockFolder(join(dir, 'out'), 'sweep.lock', '--out out').release();
    // Another host's: cannot be checked, so refused with the file to remove.
    writeFileSync(path, lockOf(1, 'elsewhere.example'));
    refused(() => lockFolder(join(dir, 'out'), 'sweep.lock', '--out out'), /on elsewhere\.example since .*; if it is no longer running there, remove .*sweep\.lock$/);
    // Releasing never removes a lock another process has taken since.
    const again = () => lockFolder(join(dir, 'out'), 'sweep.lock', '--out out');
    rmSync(path);
    const lock = again();
    writeFileSync(path, lockOf(sleeper.pid!));
    lock.release();
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, sleeper.pid);
  } finally {
    sleeper.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a folder lock makes missing folders level by level, and a folder that cannot be made is a ConfigError, not a hang', { skip: !existsSync('/proc/self') && 'no /proc' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-lock-'));
  try {
    lockFolder(join(dir, 'a', 'b', 'c'), 'sweep.lock', '--out a/b/c').release();
    assert.ok(existsSync(join(dir, 'a', 'b', 'c')));
    // Node's recursive mkdirSync never returns here (the kernel says ENOENT under /proc).
    refused(() => lockFolder('/proc/reglab-no-such/out', 'sweep.lock', '--out /proc/reglab-no-such/out'), /^cannot lock --out \/proc\/reglab-no-such\/out \(ENOENT\)$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
