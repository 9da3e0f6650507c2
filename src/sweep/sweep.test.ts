import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../backend/ref.js';
import { loadDataset } from '../data/files.js';
import { MemoryRungStore } from './asha.js';
import { parseSpace } from './space.js';
import { makeTrialSpecs, rankResults, sweep, sweepIdOf, type SweepOptions } from './sweep.js';
import { runTrial } from './trial.js';
import type { TrialResult, TrialSpec } from './types.js';

const data = loadDataset();
const backend = refBackend();
const base = {
  space: parseSpace('lr=1e-2..0.5:log,batch-size=16..64:pow2'),
  trials: 6,
  seed: 2,
  metric: 'valAcc' as const,
  settings: { trainSize: 300, valSize: 200, testSize: 0, hidden: [16], epochs: 3 },
};
const strip = (rs: TrialResult[]) => rs.map(({ seconds: _s, history, ...r }) => ({ ...r, history: history.map(({ seconds: _t, ...h }) => h) }));

function local(): SweepOptions['execute'] {
  const rungs = new MemoryRungStore();
  return (spec) => runTrial(spec, { data, backend, rungs, worker: 'local' });
}

test('specs: the shared settings, each trial\'s params and run seed; the id depends on what the sweep is', () => {
  const specs = makeTrialSpecs({ ...base, scheduler: { kind: 'random' } });
  assert.equal(specs.length, 6);
  for (const s of specs) {
    assert.equal(s.settings.lr, s.params.lr);
    assert.equal(s.settings.batchSize, s.params.batchSize);
    assert.equal(s.settings.seed, s.seed);
    assert.equal(s.settings.trainSize, 300);
    assert.match(s.sweepId, /^s[0-9a-f]{8}$/);
  }
  const id = sweepIdOf({ ...base, scheduler: { kind: 'random' } });
  const more = { ...base, trials: 60, scheduler: { kind: 'random' as const } };
  assert.equal(id, sweepIdOf(more), 'more trials: the same sweep, extended');
  assert.notEqual(id, sweepIdOf({ ...base, seed: 3, scheduler: { kind: 'random' } }));
  assert.notEqual(id, sweepIdOf({ ...base, settings: { ...base.settings, epochs: 4 }, scheduler: { kind: 'random' } }));
  assert.notEqual(id, sweepIdOf({ ...base, scheduler: { kind: 'asha', eta: 3, minEpochs: 1, maxEpochs: 3 } }));
  assert.throws(() => makeTrialSpecs({ ...base, settings: { ...base.settings, lr: 0.1 } as typeof base.settings, scheduler: { kind: 'random' } }), /lr is both in the search space and a shared setting/);
});

test('every trial once, ranked best first; at most `concurrency` in flight; the same sweep twice is the same', async () => {
  let inFlight = 0;
  let most = 0;
  const run = local();
  const execute = async (s: TrialSpec) => {
    inFlight++;
    most = Math.max(most, inFlight);
    try {
      return await run(s);
    } finally {
      inFlight--;
    }
  };
  const a = await sweep({ ...base, scheduler: { kind: 'random' }, execute, concurrency: 2 });
  assert.equal(most, 2);
  assert.deepEqual(a.results.map((r) => r.trial).sort(), [0, 1, 2, 3, 4, 5]);
  for (let i = 1; i < a.results.length; i++) assert.ok(a.results[i - 1]!.value! >= a.results[i]!.value!);
  const b = await sweep({ ...base, scheduler: { kind: 'random' }, execute: local(), concurrency: 3 });
  assert.deepEqual(strip(b.results), strip(a.results));
});

test('resume: trials in `done` are not run again and are ranked with the rest', async () => {
  const first = await sweep({ ...base, trials: 3, scheduler: { kind: 'random' }, execute: local() });
  const ran: number[] = [];
  const run = local();
  const all = await sweep({ ...base, scheduler: { kind: 'random' }, done: first.results, execute: (s) => (ran.push(s.trial), run(s)) });
  assert.deepEqual(ran, [3, 4, 5]);
  const full = await sweep({ ...base, scheduler: { kind: 'random' }, execute: local() });
  assert.deepEqual(strip(all.results), strip(full.results));
});

test('ASHA one trial at a time is deterministic, prunes, and trains fewer epochs than random search', async () => {
  const asha = { kind: 'asha' as const, eta: 3, minEpochs: 1, maxEpochs: 3 };
  const a = await sweep({ ...base, scheduler: asha, execute: local() });
  const b = await sweep({ ...base, scheduler: asha, execute: local() });
  assert.deepEqual(strip(a.results), strip(b.results));
  assert.ok(a.results.some((r) => r.status === 'pruned'));
  const epochs = a.results.reduce((n, r) => n + r.epochs, 0);
  assert.ok(epochs < 6 * 3, `${epochs} epochs`);
  // The first trial always reaches the end; a pruned trial stopped at a rung.
  assert.equal(a.results.find((r) => r.trial === 0)!.epochs, 3);
  for (const r of a.results) if (r.status === 'pruned') assert.equal(r.epochs, 1, 'the only rung below 3 epochs is 1');
});

test('an executor that rejects loses only its trial (failed, with the reason); ranking puts failures last', async () => {
  const run = local();
  const r = await sweep({ ...base, trials: 3, scheduler: { kind: 'random' }, execute: (s) => (s.trial === 1 ? Promise.reject(new Error('connection reset')) : run(s)) });
  const lost = r.results.at(-1)!;
  assert.equal(lost.trial, 1);
  assert.equal(lost.status, 'failed');
  assert.match(lost.error!, /the trial was lost: connection reset/);
  const loss = rankResults(
    [
      { ...lost, trial: 0, value: 0.5 },
      { ...lost, trial: 1, value: 0.2 },
      { ...lost, trial: 2, value: null },
      { ...lost, trial: 3, value: 0.2 },
    ],
    'valLoss',
  );
  assert.deepEqual(loss.map((x) => x.trial), [1, 3, 0, 2]);
});
