import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ashaDecision, ashaRungs, MemoryRungStore } from './asha.js';

test('rungs at minEpochs * eta^k below maxEpochs', () => {
  assert.deepEqual(ashaRungs(1, 3, 10), [1, 3, 9]);
  assert.deepEqual(ashaRungs(1, 3, 9), [1, 3]);
  assert.deepEqual(ashaRungs(2, 2, 20), [2, 4, 8, 16]);
  assert.deepEqual(ashaRungs(5, 3, 5), []);
  assert.throws(() => ashaRungs(1, 1, 10), /eta must be an integer >= 2/);
  assert.throws(() => ashaRungs(0, 3, 10), /minEpochs/);
});

/** Replays arrivals at one rung through the store and the decision, as runTrial does. */
async function replay(arrivals: [trial: number, value: number][], eta = 3, lower = false) {
  const store = new MemoryRungStore();
  const out: string[] = [];
  for (const [trial, value] of arrivals) {
    const recorded = Number.isFinite(value) ? await store.record('s', 1, trial, value) : [];
    out.push(ashaDecision(recorded, value, eta, lower));
  }
  return out;
}

test('the first arrivals go on only while they are the best so far; then the top floor(n/eta) go on', async () => {
  // n=1: first, goes on. n=2: 0.5 < 0.6, pruned. n=3: keep 1, 0.7 is the best: on. n=4: keep 1, 0.65 beaten by 0.7: pruned.
  // n=5: 0.9 best: on. n=6: keep 2, 0.7 beaten only by 0.9: on. n=7: keep 2, 0.1: pruned.
  assert.deepEqual(await replay([[0, 0.6], [1, 0.5], [2, 0.7], [3, 0.65], [4, 0.9], [5, 0.7], [6, 0.1]]), ['continue', 'prune', 'continue', 'prune', 'continue', 'continue', 'prune']);
  // A tie with the best counts as the best.
  assert.deepEqual(await replay([[0, 0.5], [1, 0.5]]), ['continue', 'continue']);
});

test('lower is better for losses', async () => {
  assert.deepEqual(await replay([[0, 0.6], [1, 0.5], [2, 0.7], [3, 0.4]], 3, true), ['continue', 'continue', 'prune', 'continue']);
});

test('NaN and infinities are pruned and not recorded', async () => {
  assert.deepEqual(await replay([[0, NaN], [1, 0.2], [2, Infinity], [3, 0.1], [4, 0.05]]), ['prune', 'continue', 'prune', 'prune', 'prune']);
  const store = new MemoryRungStore();
  await store.record('s', 1, 1, 0.2);
  assert.deepEqual(ashaDecision(await store.record('s', 1, 2, 0.3), NaN, 3, false), 'prune');
});

test('a retried trial replaces its own record and never competes with itself', async () => {
  const store = new MemoryRungStore();
  await store.record('s', 1, 0, 0.9);
  await store.record('s', 1, 1, 0.5);
  // Trial 0 retried (another worker) reaches the rung again with a lower value: two records, not three.
  const recorded = await store.record('s', 1, 0, 0.8);
  assert.deepEqual([...recorded].sort(), [0.5, 0.8]);
  assert.equal(ashaDecision(recorded, 0.8, 3, false), 'continue');
  // Other rungs and other sweeps are separate.
  assert.deepEqual(await store.record('s', 3, 0, 0.1), [0.1]);
  assert.deepEqual(await store.record('t', 1, 0, 0.1), [0.1]);
  // With eta 2 and four records, the top two go on.
  const s2 = new MemoryRungStore();
  for (const [t, v] of [[0, 0.1], [1, 0.2], [2, 0.3]] as const) s2.recordNow('s', 1, t, v);
  const r = s2.recordNow('s', 1, 3, 0.15);
  assert.equal(ashaDecision(r, 0.15, 2, false), 'prune');
  assert.equal(ashaDecision(r, 0.2, 2, false), 'continue');
});
