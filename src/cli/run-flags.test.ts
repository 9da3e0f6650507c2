import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHECKPOINT_FORMAT } from '../io/checkpoint.js';
import { decodeContainer, encodeContainer } from '../io/container.js';
import { reglab } from './spawn.js';

test('a checkpoint written before the optimizer settings existed resumes: a missing setting counts as its default', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-run-flags-'));
  try {
    const ck = join(dir, 'ck');
    const run = ['train', '--train-size', '100', '--test-size', '50', '--hidden', '8', '--epochs', '2', '--batch-size', '10', '--seed', '4', '--backend', 'ref', '--checkpoint', ck];
    assert.equal(reglab(...run).code, 0);
    // The checkpoint as an older reglab wrote it: no optimizer, beta1, beta2 or eps among its settings.
    const { header, payload } = decodeContainer(readFileSync(ck), 'ck', CHECKPOINT_FORMAT);
    const { payloadBytes: _b, payloadCrc32: _c, ...rest } = header;
    const settings = rest.settings as { run: Record<string, unknown> };
    for (const k of ['optimizer', 'beta1', 'beta2', 'eps']) {
      assert.ok(k in settings.run, k);
      delete settings.run[k];
    }
    writeFileSync(ck, encodeContainer(rest, payload));
    const resumed = reglab(...run, '--resume');
    assert.equal(resumed.code, 0, resumed.stderr);
    // A setting that was recorded still has to match; a new setting away from its default is refused (the old run was sgd).
    const other = reglab(...run.map((a) => (a === '2' ? '3' : a)), '--resume');
    assert.equal(other.code, 2);
    assert.match(other.stderr, /different settings: --epochs \(checkpoint: 2, now: 3\)/);
    const adam = reglab(...run, '--optimizer', 'adam', '--resume');
    assert.equal(adam.code, 2);
    // (Adam's default init is Glorot's, so the init differs too.)
    assert.match(adam.stderr, /different settings: --init \(checkpoint: "uniform", now: "glorot"\), --optimizer \(checkpoint: "sgd", now: "adam"\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
