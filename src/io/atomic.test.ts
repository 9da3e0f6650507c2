import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTemps, writeFileAtomic } from './atomic.js';

test('writeFileAtomic writes the whole file, creates its folder, and leaves no temporary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-atomic-'));
  const path = join(dir, 'a', 'b', 'out.bin');
  const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
  writeFileAtomic(path, bytes);
  assert.deepEqual(new Uint8Array(readFileSync(path)), bytes);
  writeFileAtomic(path, 'replaced');
  assert.equal(readFileSync(path, 'utf8'), 'replaced');
  assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['out.bin']);
});

test('a failed write leaves the old file and no temporary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-atomic-'));
  const target = join(dir, 'taken');
  mkdirSync(join(target, 'inside'), { recursive: true }); // a non-empty folder: the rename over it fails
  assert.throws(() => writeFileAtomic(target, 'x'));
  assert.deepEqual(readdirSync(dir), ['taken']);
  assert.deepEqual(readdirSync(target), ['inside']);
});

test("removeStaleTemps removes only temporaries of processes that are gone, never the file", () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-atomic-'));
  const path = join(dir, 'm.jsonl');
  // A pid that surely ran and ended: a child we waited for.
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  for (const name of ['m.jsonl', `.m.jsonl.${gone}.tmp`, `.m.jsonl.${process.pid}.tmp`, `.other.${gone}.tmp`, `.m.jsonl.abc.tmp`]) {
    writeFileSync(join(dir, name), 'x');
  }
  removeStaleTemps(path);
  assert.deepEqual(readdirSync(dir).sort(), [`.m.jsonl.${process.pid}.tmp`, '.m.jsonl.abc.tmp', `.other.${gone}.tmp`, 'm.jsonl'].sort());
  removeStaleTemps(join(dir, 'no-such-folder', 'x')); // nothing to do, no error
});
