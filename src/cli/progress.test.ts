import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { refBackend } from '../backend/ref.js';
import { sliceSet } from '../data/dataset.js';
import { loadDataset } from '../data/files.js';
import { Model, mlpSpec } from '../nn/model.js';
import type { EpochLogs } from '../train/callbacks.js';
import { fit } from '../train/trainer.js';
import { historyTable, ProgressCallback } from './progress.js';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  columns = 120;
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const data = loadDataset();
function trainWith(stream: Capture) {
  const model = new Model(mlpSpec({ inputSize: 784, hidden: [16], classes: 10 }), { backend: refBackend(), seed: 2 });
  const progress = new ProgressCallback({ stream, epochLine: (l) => `E${l.epoch} ${l.testAcc!.toFixed(4)}` });
  return fit(model, sliceSet(data.train, 0, 400), { epochs: 3, batchSize: 1, lr: 0.01, test: sliceSet(data.test, 0, 200), callbacks: [progress] });
}

test('piped: the epoch lines and the table, no escape codes', () => {
  const out = new Capture(false);
  const r = trainWith(out);
  const lines = out.text.split('\n');
  assert.deepEqual(lines.slice(0, 3), r.history.map((l) => `E${l.epoch} ${l.testAcc!.toFixed(4)}`));
  assert.match(lines[3]!, /^epoch +train loss +train acc +test loss +test acc +seconds$/);
  assert.doesNotMatch(out.text, /\x1b/);
});

test('on a terminal: a live bar with epoch, batch, ETA and loss, the epoch lines above it', () => {
  const out = new Capture(true);
  const r = trainWith(out);
  assert.match(out.text, /epoch 1\/3 .* batch \d+\/400 \| ETA \S+ \| loss \d\.\d{4} \| train – % test – %|epoch 1\/3 .* batch \d+\/400 \| ETA/);
  assert.match(out.text, /epoch 3\/3 .* train \d+\.\d% test \d+\.\d%/);
  for (const l of r.history) assert.ok(out.text.includes(`E${l.epoch} ${l.testAcc!.toFixed(4)}`));
  assert.match(out.text, /\* best test accuracy/);
});

test('historyTable keeps first, last and best epochs within maxRows', () => {
  const h: EpochLogs[] = Array.from({ length: 50 }, (_, i) => ({ epoch: i + 1, trainLoss: 1 / (i + 1), trainAcc: i / 50, testLoss: 1, testAcc: i === 17 ? 0.99 : 0.5, seconds: 1 }));
  const t = historyTable(h, 8).split('\n');
  const epochs = t.slice(2).filter((l) => /^\s*\d/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
  assert.equal(epochs.length, 8);
  assert.equal(epochs[0], '1');
  assert.equal(epochs.at(-1), '50');
  assert.ok(epochs.includes('18*'));
  assert.match(t.at(-1)!, /8 of 50 epochs shown/);
});
