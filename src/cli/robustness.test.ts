/**
 * "reglab never loses a run", as users meet it: the CLI spawned as a process. kill -9 at random moments and
 * --resume; Ctrl-C and SIGTERM; resumes refused; broken data folders, bad flags and broken model files each
 * exit 2 with one line, quickly, with no stack trace and no output file left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadDataset } from '../data/files.js';
import { encodeIdx } from '../data/idx.js';
import { Rng } from '../rng/mt19937.js';
import { decodeCheckpoint } from '../io/checkpoint.js';
import { reglab, reglabWith, startReglab } from './spawn.js';

/** A refusal comes before any work: a CLI still running after this long has hung (and fails its test). */
const REFUSAL_TIMEOUT_MS = 30_000;

/** Starts reglab; kill(signal) when the stdout line count reaches `afterLines`, plus `delayMs`. */
function reglabUntil(args: string[], afterLines: number, delayMs: number, signal: NodeJS.Signals) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
    const child = startReglab(args);
    let stdout = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) {
        killed = true;
        child.kill(signal);
      }
    };
    if (afterLines === 0) setTimeout(kill, delayMs);
    child.stdout.on('data', (d: Buffer) => {
      const before = stdout.split('\n').length - 1;
      stdout += d.toString();
      if (before < afterLines && stdout.split('\n').length - 1 >= afterLines) setTimeout(kill, delayMs);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, sig) => resolve({ code, signal: sig, stdout, stderr, killed }));
  });
}

const withoutSeconds = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { seconds: _s, ...rest } = JSON.parse(l) as Record<string, number>;
      return rest;
    });

// Dropout, momentum, shuffling (the default) and early stopping with restored best weights: every piece of
// state matters. 120 batches per epoch.
const RUN = ['train', '--train-size', '600', '--val-size', '100', '--test-size', '200', '--hidden', '64', '--epochs', '8', '--dropout', '0.3', '--momentum', '0.9', '--batch-size', '5', '--lr', '0.01', '--early-stopping', '--patience', '3', '--seed', '3'];

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `reglab-${name}-`));
let reference: { metrics: ReturnType<typeof withoutSeconds>; model: Buffer; epochMs: number } | null = null;

/** The uninterrupted run (no checkpoint), computed once. */
function uninterrupted() {
  if (!reference) {
    const dir = tmp('ref');
    const r = reglab(...RUN, '--metrics', join(dir, 'm.jsonl'), '--save', join(dir, 'model.bin'));
    assert.equal(r.code, 0, r.stderr);
    const seconds = readFileSync(join(dir, 'm.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { seconds: number }).seconds).sort();
    // An epoch's training time on this machine and backend: kills are timed in fractions of it.
    const epochMs = 1000 * seconds[Math.floor(seconds.length / 2)]!;
    reference = { metrics: withoutSeconds(join(dir, 'm.jsonl')), model: readFileSync(join(dir, 'model.bin')), epochMs };
    assert.ok(reference.metrics.length >= 4, 'several epochs');
  }
  return reference;
}

function assertSameAsUninterrupted(dir: string, why: string) {
  const ref = uninterrupted();
  assert.deepEqual(withoutSeconds(join(dir, 'm.jsonl')), ref.metrics, `${why}: metrics`);
  assert.ok(readFileSync(join(dir, 'model.bin')).equals(ref.model), `${why}: the saved model's bytes`);
}

test('kill -9 at random moments, three times, then --resume: metrics and model identical to an uninterrupted run', { timeout: 180_000 }, async () => {
  const ref = uninterrupted();
  const rng = new Rng(2026);
  const dir = tmp('kill');
  const out = ['--checkpoint', join(dir, 'ck'), '--metrics', join(dir, 'm.jsonl'), '--save', join(dir, 'model.bin')];
  const epochsAtKill: number[] = [];
  let killed = 0;
  for (let k = 0; k < 3; k++) {
    // One more epoch line (printed once its checkpoint is written), then a random fraction of an epoch.
    const r = await reglabUntil([...RUN, ...out, ...(k > 0 ? ['--resume'] : [])], 1, Math.floor(rng.random() * ref.epochMs), 'SIGKILL');
    if (r.killed) {
      assert.equal(r.signal, 'SIGKILL');
      killed++;
    }
    epochsAtKill.push((decodeCheckpoint(readFileSync(join(dir, 'ck'))).state as { epoch: number }).epoch);
  }
  // Not vacuous: the runs were killed with the training unfinished (on a loaded machine a late kill may miss).
  assert.ok(killed >= 1 && epochsAtKill[0]! < ref.metrics.length, `killed ${killed} times, epochs checkpointed at the kills: ${epochsAtKill}`);
  const r = reglab(...RUN, ...out, '--resume');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /resuming .*ck: \d+ of 8 epochs done/);
  assertSameAsUninterrupted(dir, `killed with ${epochsAtKill} epochs checkpointed`);
  // No temporary left behind by the killed writers (the resumed run removes those of dead processes).
  assert.deepEqual(readdirSync(dir).sort(), ['ck', 'm.jsonl', 'model.bin']);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} finishes the batch, writes the checkpoint, exits 130 with one line; --resume ends identical`, { timeout: 120_000 }, async () => {
    let dir = '';
    let out: string[] = [];
    let r: Awaited<ReturnType<typeof reglabUntil>> | null = null;
    // The signal goes out as the first epoch's line arrives; on a loaded machine the run may finish before it
    // lands (exit 0): that is a missed moment, not a failure, so try again.
    for (let attempt = 0; attempt < 3 && (r === null || r.code === 0); attempt++) {
      dir = tmp(signal);
      out = ['--checkpoint', join(dir, 'ck'), '--metrics', join(dir, 'm.jsonl'), '--save', join(dir, 'model.bin')];
      r = await reglabUntil([...RUN, ...out], 1, 0, signal);
    }
    r = r!;
    assert.equal(r.code, 130, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^reglab train: interrupted \\(${signal}\\) after .*; checkpoint written to .*ck: run the same command with --resume to continue\\n$`));
    assert.ok(!existsSync(join(dir, 'model.bin')), 'an interrupted run saves no model');
    const ck = decodeCheckpoint(readFileSync(join(dir, 'ck'))).state as { epoch: number };
    assert.equal(withoutSeconds(join(dir, 'm.jsonl')).length, ck.epoch, 'the metrics file matches the checkpoint');
    const again = reglab(...RUN, ...out, '--resume');
    assert.equal(again.code, 0, again.stderr);
    assertSameAsUninterrupted(dir, signal);
  });
}

test('without --checkpoint, Ctrl-C still exits 130 with a note that nothing was saved', { timeout: 60_000 }, async () => {
  let r = await reglabUntil(RUN, 1, 0, 'SIGINT');
  for (let attempt = 1; attempt < 3 && r.code === 0; attempt++) r = await reglabUntil(RUN, 1, 0, 'SIGINT'); // missed: finished first
  assert.equal(r.code, 130);
  assert.match(r.stderr, /^reglab train: interrupted \(SIGINT\) .*nothing saved \(add --checkpoint FILE to be able to resume\)\n$/);
});

/** Exit 2, one line on stderr naming the problem, no stack trace. */
function assertBadInput(r: ReturnType<typeof reglab>, pattern: RegExp, why: string) {
  assert.equal(r.code, 2, `${why}: exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `${why}: one line, got ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+|Error:|internal error/, `${why}: no stack trace`);
  assert.match(lines[0]!, pattern, why);
}

test('resuming is refused with another setting, a missing --checkpoint, an existing checkpoint without --resume, or a broken checkpoint', { timeout: 120_000 }, () => {
  const dir = tmp('refuse');
  const ck = join(dir, 'ck');
  const short = ['train', '--train-size', '100', '--test-size', '50', '--hidden', '8', '--epochs', '2', '--batch-size', '10', '--seed', '4'];
  assert.equal(reglab(...short, '--checkpoint', ck).code, 0);
  const bytes = readFileSync(ck);
  assertBadInput(reglab(...short, '--checkpoint', ck), /--checkpoint .*ck already exists: add --resume to continue that run, or remove the file to start over/, 'exists');
  assertBadInput(reglab(...short, '--resume'), /--resume needs --checkpoint FILE/, 'no checkpoint flag');
  assertBadInput(
    reglab(...short.map((a) => (a === '8' ? '9' : a)), '--lr', '0.01', '--checkpoint', ck, '--resume'),
    /cannot resume .*ck with different settings: --hidden \(checkpoint: \[8\], now: \[9\]\), --lr \(checkpoint: 0.005, now: 0.01\)/,
    'other settings',
  );
  assert.equal(reglab(...short, '--backend', 'ref', '--checkpoint', join(dir, 'ref-ck')).code, 0);
  assertBadInput(reglab(...short, '--backend', 'wasm', '--checkpoint', join(dir, 'ref-ck'), '--resume'), /different settings: --backend \(checkpoint: "ref", now: "wasm"\)/, 'other backend');
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 5]! ^= 1;
  writeFileSync(join(dir, 'flipped'), flipped);
  assertBadInput(reglab(...short, '--checkpoint', join(dir, 'flipped'), '--resume'), /flipped: corrupted \(payload checksum mismatch\)/, 'corrupted');
  writeFileSync(join(dir, 'short'), bytes.subarray(0, 1000));
  assertBadInput(reglab(...short, '--checkpoint', join(dir, 'short'), '--resume'), /short: truncated/, 'truncated');
  assert.equal(reglab(...short, '--save', join(dir, 'model')).code, 0);
  assertBadInput(reglab(...short, '--checkpoint', join(dir, 'model'), '--resume'), /a "reglab-model" file, not a reglab-checkpoint file/, 'a model file');
  assert.ok(readFileSync(ck).equals(bytes), 'refused resumes leave the checkpoint as it was');
  // A finished run resumes to the same end: nothing is trained again.
  const again = reglab(...short, '--checkpoint', ck, '--resume', '--json');
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { epochs: number }).epochs, 2);
});

test('two runs on one --checkpoint at once: the second is refused (exit 2, one line), the first finishes; the file is free after it', { timeout: 120_000 }, async () => {
  const dir = tmp('ck-lock');
  const ck = join(dir, 'ck');
  const args = ['train', '--train-size', '300', '--test-size', '50', '--hidden', '16', '--epochs', '6', '--batch-size', '1', '--seed', '4', '--checkpoint', ck];
  const first = startReglab(args);
  const ended = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 600 && !existsSync(`${ck}.lock`); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(existsSync(`${ck}.lock`), 'the first run holds its checkpoint');
  first.kill('SIGSTOP'); // held still while the second tries (a short run could end first)
  const second = reglab(...args, '--resume');
  first.kill('SIGCONT');
  assertBadInput(second, new RegExp(`^reglab train: --checkpoint ${ck.replace(/[/\\.]/g, '\\$&')} is in use by another reglab \\(pid ${first.pid}, since [^)]+\\): wait for it to finish, or name another file$`), 'a second run');
  assert.equal(await ended, 0);
  assert.equal((decodeCheckpoint(readFileSync(ck), ck).state as { epoch: number }).epoch, 6);
  assert.equal(existsSync(`${ck}.lock`), false, 'released at the end');
  const resumed = reglab(...args, '--resume', '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
});

test('divergence stops with the epoch and a suggestion; the last good checkpoint is kept', { timeout: 60_000 }, () => {
  const dir = tmp('diverge');
  const r = reglab('train', '--train-size', '300', '--test-size', '100', '--epochs', '6', '--hidden', '32', '--batch-size', '10', '--loss', 'mse', '--lr', '2', '--checkpoint', join(dir, 'ck'), '--save', join(dir, 'model.bin'));
  assertBadInput(r, /^reglab train: training diverged at epoch 3 \(loss is (NaN|-?Infinity)\); .*try a lower learning rate; .*ck keeps the last good state of the run$/, 'diverged');
  assert.equal((decodeCheckpoint(readFileSync(join(dir, 'ck'))).state as { epoch: number }).epoch, 2);
  assert.ok(!existsSync(join(dir, 'model.bin')));
  // Diverging in the first epoch: no checkpoint was ever written, and the message does not claim one.
  const first = reglab('train', '--train-size', '300', '--test-size', '100', '--epochs', '2', '--hidden', '32', '--batch-size', '10', '--loss', 'mse', '--lr', '1000', '--checkpoint', join(dir, 'ck1'));
  assertBadInput(first, /^reglab train: training diverged at epoch 1 .*try a lower learning rate$/, 'diverged at once');
  assert.ok(!existsSync(join(dir, 'ck1')));
});

/** A small, valid IDX data folder from real MNIST (40 training, 20 test images), plain or gzipped. */
function dataFolder(name: string, edit: (files: Record<string, Uint8Array>) => void = () => {}, gzip = false): string {
  const mnist = loadDataset();
  const files: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte': encodeIdx([40, 28, 28], mnist.train.images.subarray(0, 40 * 784)),
    'train-labels-idx1-ubyte': encodeIdx([40], mnist.train.labels.subarray(0, 40)),
    't10k-images-idx3-ubyte': encodeIdx([20, 28, 28], mnist.test.images.subarray(0, 20 * 784)),
    't10k-labels-idx1-ubyte': encodeIdx([20], mnist.test.labels.subarray(0, 20)),
  };
  if (gzip) for (const k of Object.keys(files)) (files[k + '.gz'] = new Uint8Array(gzipSync(files[k]!))), delete files[k];
  edit(files);
  const dir = join(tmp('data'), name);
  mkdirSync(dir);
  for (const [f, b] of Object.entries(files)) writeFileSync(join(dir, f), b);
  return dir;
}

/** Runs train on a data folder with every output flag; checks exit 2, one line, and no output written. */
function assertRefusedData(dataDir: string, pattern: RegExp, why: string) {
  const out = join(tmp('out'), 'runs');
  const r = reglabWith({ timeout: REFUSAL_TIMEOUT_MS }, 'train', '--data', dataDir, '--train-size', '30', '--test-size', '10', '--hidden', '8', '--epochs', '1', '--metrics', join(out, 'm.jsonl'), '--save', join(out, 'model.bin'), '--checkpoint', join(out, 'ck'));
  assertBadInput(r, pattern, why);
  assert.ok(!existsSync(out), `${why}: an output was written`);
}

test('broken data folders: each exits 2 with one line, no stack trace, no output left behind', { timeout: 120_000 }, () => {
  const I = 'train-images-idx3-ubyte';
  const L = 'train-labels-idx1-ubyte';
  assert.equal(reglab('train', '--data', dataFolder('good'), '--train-size', '30', '--test-size', '10', '--hidden', '8', '--epochs', '1').code, 0, 'the unbroken folder trains');
  assert.equal(reglab('train', '--data', dataFolder('good-gz', () => {}, true), '--train-size', '30', '--test-size', '10', '--hidden', '8', '--epochs', '1').code, 0, 'gzipped too');
  const set = (k: string, v: Uint8Array) => (f: Record<string, Uint8Array>) => void (f[k] = v);
  const lying = encodeIdx([40, 28, 28], new Uint8Array(40 * 784));
  new DataView(lying.buffer).setUint32(4, 0x80000000, false);
  const cases: [string, string, RegExp][] = [
    ['missing folder', join(tmp('none'), 'nope'), /nope: no such folder/],
    ['a file, not a folder', join(dataFolder('f'), I), /not a folder/],
    ['empty folder', dataFolder('empty', (f) => Object.keys(f).forEach((k) => delete f[k])), /missing train-images-idx3-ubyte \(or train-images-idx3-ubyte.gz\)/],
    ['missing labels', dataFolder('nolabels', (f) => delete f[L]), /missing train-labels-idx1-ubyte/],
    ['truncated images', dataFolder('trunc', (f) => (f[I] = f[I]!.subarray(0, 5000))), /training images: header says 40x28x28 = 31360 bytes of data, the file holds 4984 \(truncated\?\)/],
    ['wrong magic', dataFolder('magic', (f) => (f[I] = Uint8Array.from(f[I]!, (b, i) => (i === 0 ? 0x50 : b)))), /training images: not an IDX file \(bad magic number\)/],
    ['counts disagree', dataFolder('counts', set(L, encodeIdx([39], new Uint8Array(39)))), /training: 40 images but 39 labels/],
    ['empty file', dataFolder('emptyfile', set(I, new Uint8Array(0))), /training images: too short for an IDX header \(0 bytes\)/],
    ['short header', dataFolder('short', (f) => (f[I] = f[I]!.subarray(0, 9))), /training images: truncated IDX header/],
    ['corrupt gzip', dataFolder('gz', (f) => (f[I + '.gz'] = Uint8Array.from(f[I + '.gz']!, (b, i) => (i > 30 && i < 60 ? b ^ 0x55 : b))), true), /corrupt gzip data/],
    ['truncated gzip', dataFolder('gztrunc', (f) => (f[I + '.gz'] = f[I + '.gz']!.subarray(0, 2000)), true), /corrupt gzip data \(unexpected end of file\)/],
    ['mismatched image sizes', dataFolder('sizes', (f) => (f['t10k-images-idx3-ubyte'] = encodeIdx([20, 14, 14], new Uint8Array(20 * 196)))), /training images are 28x28 but test images are 14x14/],
    ['labels out of range', dataFolder('labels', set(L, encodeIdx([40], new Uint8Array(40).fill(200)))), /label 200 at index 0 is out of range/],
    ['a header claiming 2^31 images', dataFolder('huge', set(I, lying)), /header says 2147483648x28x28/],
    ['a folder where a file should be', dataFolder('dir', (f) => delete f[I]), /not a file/],
    ['images as labels', dataFolder('swap', (f) => ([f[I], f[L]] = [f[L]!, f[I]!])), /training images: expected 3 dimensions/],
  ];
  mkdirSync(join(cases[14]![1], I)); // the folder where a file should be
  for (const [why, dir, pattern] of cases) assertRefusedData(dir, pattern, why);
});

test('bad flags: each exits 2 with one line naming the flag, before any work, writing nothing', { timeout: 120_000 }, () => {
  const dir = tmp('flags');
  writeFileSync(join(dir, 'plain-file'), 'x');
  const out = join(dir, 'out');
  const outputs = ['--metrics', join(out, 'm.jsonl'), '--save', join(out, 'model.bin'), '--checkpoint', join(out, 'ck')];
  const cases: [string[], RegExp][] = [
    [['--epoch', '3'], /Unknown option '--epoch'/],
    [['--epochs'], /--epochs needs a value/],
    [['--epochs', '--lr', '0.1'], /--epochs needs a value/],
    [['--epochs', 'three'], /--epochs must be an integer, got 'three'/],
    [['--epochs', '0'], /--epochs must be between 1 and/],
    [['--epochs', '2.5'], /--epochs must be an integer/],
    [['--lr', '-1'], /--lr needs a value \(for a value that starts with a dash, write --lr=VALUE\)/],
    [['--lr=-1'], /--lr must be in \[0, 1000000\], got -1/],
    [['--lr', '0'], /--lr must be greater than 0/],
    [['--lr', 'NaN'], /--lr must be a number/],
    [['--dropout', '1'], /--dropout must be in \[0, 1\)/],
    [['--momentum', '1'], /--momentum must be in \[0, 1\)/],
    [['--hidden', '0'], /--hidden must be a comma-separated list/],
    [['--hidden', '64,abc'], /--hidden must be a comma-separated list/],
    [['--activation', 'gelu'], /--activation must be one of relu, sigmoid, tanh, got 'gelu'/],
    [['--loss', 'hinge'], /--loss must be one of ce, mse/],
    [['--seed=-1'], /--seed must be between 0 and 4294967295, got -1/],
    [['--seed', '4294967296'], /--seed must be between 0 and 4294967295/],
    [['--patience', '3'], /--patience, --min-delta and --monitor need --early-stopping/],
    [['--early-stopping'], /--early-stopping watches validation loss: give --val-size N/],
    [['--early-stopping', '--val-size', '10', '--monitor', 'loss'], /--monitor must be one of/],
    [['--train-size', '70000'], /--train-size 70000 plus --val-size 0 exceeds the 60000 training images/],
    [['--train-size', '10', '--batch-size', '11'], /--batch-size 11 is larger than the training set \(--train-size 10\)/],
    [['--eval-every', '0'], /--eval-every must be between 1/],
    [['--test-size', '20000'], /--test-size 20000 exceeds the 10000 test images/],
    [['--data', ''], /--data needs a value/],
    [['--save', dir], /--save .*: exists and is not a file/],
    [['--save', join(dir, 'plain-file', 'model.bin')], /--save .*plain-file is not a folder/],
    [['--save', join(dir, 'same'), '--metrics', join(dir, 'same')], /--save and --metrics name the same file/],
    [['stray'], /Unexpected argument 'stray'/],
  ];
  for (const [flags, pattern] of cases) {
    const r = reglabWith({ timeout: REFUSAL_TIMEOUT_MS }, 'train', '--train-size', '50', '--test-size', '10', '--epochs', '1', '--hidden', '4', ...outputs, ...flags);
    assertBadInput(r, pattern, flags.join(' '));
  }
  assert.ok(!existsSync(out), 'nothing was written');
  assertBadInput(reglab('trian'), /unknown command 'trian'/, 'unknown command');
  assertBadInput(reglab('chapter8', '--out', join(dir, 'plain-file', 'runs')), /--out .*plain-file is not a folder/, 'chapter8 --out under a file');
  assertBadInput(reglab('chapter8', '--only', 'overfit,nope'), /--only: unknown experiment 'nope'/, 'chapter8 --only');
  assertBadInput(reglab('eval', '--model', join(dir, 'plain-file'), '--test-size', '0'), /--test-size must be between 1/, 'eval --test-size');
});

test('broken model files: reglab eval exits 2 with one line saying what is wrong', { timeout: 120_000 }, () => {
  const dir = tmp('models');
  const model = join(dir, 'model.bin');
  assert.equal(reglab('train', '--train-size', '100', '--test-size', '50', '--hidden', '8', '--epochs', '1', '--save', model, '--checkpoint', join(dir, 'ck')).code, 0);
  const good = readFileSync(model);
  const write = (name: string, b: Uint8Array | string) => (writeFileSync(join(dir, name), b), join(dir, name));
  const flip = (i: number) => Uint8Array.from(good, (b, j) => (j === i ? b ^ 1 : b));
  const small = dataFolder('small14', (f) => {
    f['train-images-idx3-ubyte'] = encodeIdx([40, 14, 14], new Uint8Array(40 * 196));
    f['t10k-images-idx3-ubyte'] = encodeIdx([20, 14, 14], new Uint8Array(20 * 196));
  });
  const cases: [string, string[], RegExp][] = [
    ['missing', [join(dir, 'nope')], /model file .*nope: cannot read \(ENOENT\)/],
    ['a folder', [dir], /not a file/],
    ['empty', [write('empty', '')], /too short to be a reglab file \(0 bytes\)/],
    ['foreign', [write('foreign', 'PK\x03\x04 this is a zip file, honest')], /not a reglab file \(bad magic bytes\)/],
    ['truncated', [write('trunc', good.subarray(0, good.length - 100))], /truncated: header says \d+ payload bytes, file holds \d+/],
    ['header cut', [write('cut', good.subarray(0, 60))], /truncated \(header of \d+ bytes, file of 60\)/],
    ['payload flipped', [write('flip', flip(good.length - 3))], /corrupted \(payload checksum mismatch\)/],
    ['header flipped', [write('hflip', flip(16))], /corrupted header \(not valid JSON\)/],
    ['format name flipped', [write('fflip', flip(20))], /corrupted header \(no format name\)/],
    ['future version', [write('v9', Uint8Array.from(good, (b, i) => (i === 8 ? 9 : b)))], /file format version 9 is not supported/],
    ['a checkpoint', [join(dir, 'ck')], /a "reglab-checkpoint" file, not a reglab-model file/],
    ['does not fit the data', ['--data', small], /the model takes 784 inputs but the test images have 196 pixels/],
  ];
  for (const [why, args, pattern] of cases) {
    const r = reglab('eval', '--model', args[0] === '--data' ? model : args[0]!, ...(args[0] === '--data' ? args : []));
    assertBadInput(r, pattern, why);
  }
});
