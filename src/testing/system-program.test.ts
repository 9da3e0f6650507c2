import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findProgram, programPath, skipUnlessFound, underCi, type SystemProgram } from './system-program.js';

const dir = mkdtempSync(join(tmpdir(), 'reglab-program-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const present = join(dir, 'tool');
writeFileSync(present, '#!/bin/sh\n');

const TOOL: SystemProgram = { name: 'Tool', env: 'TOOL_PATH', candidates: [join(dir, 'nope'), present], install: 'apt-get install -y tool' };
const MISSING: SystemProgram = { ...TOOL, candidates: [join(dir, 'nope')], onPath: ['no-such-tool'] };

describe('system programs for tests', () => {
  test('found at the first candidate that exists, or on PATH, or only where the variable says', () => {
    assert.equal(findProgram(TOOL, {}), present);
    assert.equal(findProgram({ ...MISSING, onPath: ['tool'] }, { PATH: dir }), present);
    assert.equal(findProgram(TOOL, { TOOL_PATH: join(dir, 'nope') }), undefined);
    assert.equal(findProgram(MISSING, { TOOL_PATH: present }), present);
    assert.equal(findProgram({ ...TOOL, candidates: [dir] }, {}), undefined, 'a directory is not a program');
  });
  test('missing: skipped with the instruction, or failed under CI', () => {
    assert.equal(skipUnlessFound(TOOL, {}), false);
    assert.equal(
      skipUnlessFound(MISSING, { PATH: dir }),
      `Tool not found at ${join(dir, 'nope')}, no-such-tool on PATH: install it with \`apt-get install -y tool\` or set TOOL_PATH to its path`,
    );
    assert.equal(skipUnlessFound(MISSING, { CI: 'true' }), false);
    assert.throws(() => programPath(MISSING, { CI: 'true', TOOL_PATH: '/x' }), /^Error: Tool not found at \/x \(TOOL_PATH\): .*CI is set/);
    assert.throws(() => programPath(MISSING, {}), (e: Error) => !/CI is set/.test(e.message));
    assert.equal(programPath(TOOL, { CI: 'true' }), present);
  });
  test('CI is on unless unset, empty, 0 or false', () => {
    assert.deepEqual(['true', '1', 'yes', '', '0', 'false', 'FALSE'].map((CI) => underCi({ CI })), [true, true, true, false, false, false, false]);
    assert.equal(underCi({}), false);
  });
});
