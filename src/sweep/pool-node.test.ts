import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRungStore } from './asha.js';
import { startTrialPool } from './pool-node.js';
import { parseSpace } from './space.js';
import { sweep } from './sweep.js';
import type { TrialResult, TrialSpec } from './types.js';

const options = {
  space: parseSpace('lr=1e-2..0.5:log,batch-size=16..128:pow2,dropout=0..0.5'),
  trials: 6,
  seed: 4,
  metric: 'valAcc' as const,
  scheduler: { kind: 'random' as const },
  settings: { trainSize: 800, valSize: 200, testSize: 200, hidden: [32], epochs: 2 },
};
/** A result apart from what may differ between runs: its time and the thread that ran it. */
const same = (rs: TrialResult[]) => rs.map(({ seconds: _s, worker: _w, history, ...r }) => ({ ...r, history: history.map(({ seconds: _t, ...h }) => h) }));

async function poolSweep(workers: number) {
  const pool = startTrialPool({ workers, rungs: new MemoryRungStore() });
  try {
    return (await sweep({ ...options, execute: pool.execute, concurrency: pool.size })).results;
  } finally {
    await pool.close();
  }
}

test('the pool on an MNIST subset returns every trial, ranked, the same bit for bit on 2 threads and on 1', async () => {
  const two = await poolSweep(2);
  assert.deepEqual(two.map((r) => r.trial).sort(), [0, 1, 2, 3, 4, 5]);
  assert.ok(two.every((r) => r.status === 'completed' && r.epochs === 2));
  // Each trial names the thread that ran it; which threads get which trials depends on when each is ready
  // (a thread still loading its data may get none of six short trials), so only the names are checked.
  assert.ok(two.every((r) => r.worker === 'pool-1' || r.worker === 'pool-2'), two.map((r) => r.worker).join(','));
  for (let i = 1; i < two.length; i++) assert.ok(two[i - 1]!.value! >= two[i]!.value!);
  assert.deepEqual(same(await poolSweep(2)), same(two));
  assert.deepEqual(same(await poolSweep(1)), same(two));
});

test('a thread that crashes fails its trial with a message and is replaced; the other trials go on', async () => {
  const pool = startTrialPool({ workers: 1, rungs: new MemoryRungStore() });
  try {
    // A message the thread cannot handle (no trial at all) kills it with an uncaught error.
    const dead = await pool.execute(null as unknown as TrialSpec);
    assert.equal(dead.status, 'failed');
    assert.match(dead.error!, /worker thread pool-1 died \(.+\)/);
    assert.ok(!dead.error!.includes('\n'));
    const r = await sweep({ ...options, trials: 2, execute: pool.execute, concurrency: 1 });
    assert.deepEqual(r.results.map((x) => x.status), ['completed', 'completed']);
  } finally {
    await pool.close();
  }
});
