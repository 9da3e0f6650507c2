/** The report from the command line: reglab train --report DIR and reglab chapter8 --out DIR. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../data/files.js';
import { encodeIdx } from '../data/idx.js';
import type { RunRecord } from '../report/record.js';
import { reglab, reglabWith } from './spawn.js';


function runsIn(path: string): RunRecord[] {
  const m = readFileSync(path, 'utf8').match(/<script type="application\/json" id="reglab-runs">([\s\S]*?)<\/script>/);
  return JSON.parse(m![1]!) as RunRecord[];
}

test('reglab train --report DIR writes one self-contained report of the run, with the command that reruns it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-report-'));
  const metrics = join(dir, 'm.jsonl');
  const args = ['train', '--train-size', '300', '--val-size', '100', '--test-size', '300', '--hidden', '16', '--epochs', '3', '--batch-size', '10', '--lr', '0.1', '--early-stopping', '--seed', '4'];
  const r = reglab(...args, '--metrics', metrics, '--report', join(dir, 'out'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /report: .*report\.html/);
  assert.deepEqual(readdirSync(join(dir, 'out')), ['report.html']);
  const [run] = runsIn(join(dir, 'out', 'report.html'));
  const history = readFileSync(metrics, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(run!.history, history);
  assert.equal(run!.command, 'reglab train --train-size 300 --val-size 100 --test-size 300 --hidden 16 --epochs 3 --lr 0.1 --batch-size 10 --early-stopping --seed 4');
  assert.equal(run!.confusion!.flat().reduce((a, b) => a + b, 0), 300);
});

test("the report's command of a run on another data folder or backend names them, and reruns it to the same numbers", () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-report-'));
  const mnist = loadDataset();
  const data = join(dir, 'idx');
  mkdirSync(data);
  writeFileSync(join(data, 'train-images-idx3-ubyte'), encodeIdx([300, 28, 28], mnist.train.images.subarray(0, 300 * 784)));
  writeFileSync(join(data, 'train-labels-idx1-ubyte'), encodeIdx([300], mnist.train.labels.subarray(0, 300)));
  writeFileSync(join(data, 't10k-images-idx3-ubyte'), encodeIdx([100, 28, 28], mnist.test.images.subarray(0, 100 * 784)));
  writeFileSync(join(data, 't10k-labels-idx1-ubyte'), encodeIdx([100], mnist.test.labels.subarray(0, 100)));
  const r = reglab('train', '--data', data, '--backend', 'ref', '--train-size', '300', '--hidden', '16', '--epochs', '2', '--report', join(dir, 'out'));
  assert.equal(r.code, 0, r.stderr);
  const [run] = runsIn(join(dir, 'out', 'report.html'));
  assert.equal(run!.command, `reglab train --train-size 300 --test-size 100 --hidden 16 --epochs 2 --seed 1 --data ${data} --backend ref`);
  const metrics = join(dir, 'again.jsonl');
  const again = reglab(...run!.command!.replace(/^reglab /, '').split(' '), '--metrics', metrics);
  assert.equal(again.code, 0, again.stderr);
  const strip = (h: { seconds?: number }[]) => h.map(({ seconds: _s, ...rest }) => rest);
  assert.deepEqual(strip(readFileSync(metrics, 'utf8').trim().split('\n').map((l) => JSON.parse(l))), strip(run!.history));
});

test('an unwritable --report DIR is bad input: exit 2, one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-report-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const r = reglab('train', '--train-size', '100', '--test-size', '100', '--hidden', '8', '--epochs', '1', '--report', join(file, 'sub'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot write the report/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('a --report DIR that is a file is refused before any training, and nothing is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-report-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const save = join(dir, 'm.reglab');
  // 300 epochs: refused in a second, not after the run.
  const r = reglabWith({ timeout: 20_000 }, 'train', '--train-size', '1000', '--epochs', '300', '--save', save, '--report', file);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^reglab train: cannot write the report in .*a-file \(.*is not a folder\)\n$/);
  assert.equal(r.stdout, '');
  assert.deepEqual(readdirSync(dir), ['a-file']);
  // --save DIR/report.html would be overwritten by the report.
  const same = reglab('train', '--train-size', '100', '--epochs', '1', '--save', join(dir, 'out', 'report.html'), '--report', join(dir, 'out'));
  assert.equal(same.code, 2, same.stderr);
  assert.match(same.stderr, /^reglab train: --save and --report name the same file \(.*report\.html\)\n$/);
  assert.deepEqual(readdirSync(dir), ['a-file']);
});

test('reglab chapter8 writes report.html beside summary.json, one run per experiment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-ch8-'));
  const r = reglab('chapter8', '--only', 'early-stopping', '--out', dir);
  assert.equal(r.code, 0, r.stderr);
  const runs = runsIn(join(dir, 'report.html'));
  assert.deepEqual(runs.map((x) => x.name), ['early-stopping']);
  assert.ok(runs[0]!.earlyStoppingEpoch! >= 1 && runs[0]!.weightChange !== undefined);
});
