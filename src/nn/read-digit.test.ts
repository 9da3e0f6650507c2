import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refBackend } from '../backend/ref.js';
import { Model, mlpSpec } from './model.js';
import { hiddenActivations, readDigit } from './read-digit.js';

const spec = mlpSpec({ inputSize: 6, hidden: [4], classes: 3, dropout: 0.5 });
const pixels = Uint8Array.from([0, 255, 128, 7, 200, 31]);

test('readDigit: the eval-mode probabilities of pixels / 255', () => {
  const m = new Model(spec, { backend: refBackend('float64'), seed: 3 });
  const x = m.inputBuffer(1);
  pixels.forEach((p, i) => (x[i] = p / 255));
  assert.deepEqual(readDigit(m, pixels), Array.from(m.predict(x, 1)));
  assert.throws(() => readDigit(m, pixels.subarray(1)), /reads 6 pixels, got 5/);
});

test('hiddenActivations: relu(x W1 + b1), never the dropout mask', () => {
  const m = new Model(spec, { backend: refBackend('float64'), seed: 3 });
  const [w1, b1] = [m.params[0]!.value, m.params[1]!.value];
  const want = Array.from({ length: 4 }, (_, u) => Math.max(0, b1[u]! + [...pixels].reduce((s, p, i) => s + (p / 255) * w1[i * 4 + u]!, 0)));
  const got = hiddenActivations(m, pixels)!;
  assert.equal(got.length, 4);
  got.forEach((v, u) => assert.ok(Math.abs(v - want[u]!) < 1e-12, `unit ${u}: ${v} vs ${want[u]}`));
  assert.deepEqual(hiddenActivations(m, pixels), got, 'eval mode draws nothing');
  assert.equal(hiddenActivations(new Model(mlpSpec({ inputSize: 6, hidden: [], classes: 3 }), { backend: refBackend('float64') }), pixels), null);
});
