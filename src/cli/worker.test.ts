/**
 * The distributed sweep as users run it, against a real redis-server: `reglab worker` processes (two or three)
 * and a `reglab sweep --queue` coordinator, killed with SIGKILL at the worst moments. Every trial's result
 * arrives exactly once and equals the same trial on the local pool, bit for bit (apart from seconds and worker).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { skipUnlessRedis, startRedis, type RedisServer } from '../testing/redis.js';
import { queueExecutor, QUEUE_NAME } from '../sweep/queue-node.js';
import { parseQueueUrl } from '../sweep/queue-url.js';
import { redisOptions } from '../sweep/redis-node.js';
import type { TrialResult, TrialSpec } from '../sweep/types.js';
import { MAIN, reglab } from './spawn.js';

/** A tiny sweep: a few hundred images, 2 epochs. */
const SWEEP = ['--space', 'lr=1e-3..0.3:log,batch-size=8..32:pow2', '--train-size', '400', '--val-size', '200', '--test-size', '200', '--epochs', '2'];

interface Proc {
  child: ChildProcess;
  out: () => string;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => (out += d.toString()));
  return { child, out: () => out };
}

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startWorker(url: string, ...flags: string[]): Promise<Proc> {
  const w = start(['worker', '--queue', url, '--concurrency', '1', '--lease', '2', ...flags]);
  await until('a worker to start', () => /taking trials/.test(w.out()) || w.child.exitCode !== null);
  assert.match(w.out(), /taking trials/);
  return w;
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGKILL');
  await once(p.child, 'exit');
}

/** trials.jsonl's lines without what depends on who ran a trial and how fast. */
function trialLines(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const { seconds: _s, worker: _w, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return rest;
  });
}

/** A trial's per-epoch metrics file without the timings. */
function metricsOf(dir: string, trial: number): unknown[] {
  return readFileSync(join(dir, 'trials', `${trial}.metrics.jsonl`), 'utf8').trim().split('\n').map((l) => {
    const { seconds: _s, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return rest;
  });
}

/** How often each trial was started by a worker, from the workers' own lines. */
function runsPerTrial(outputs: string[]): Map<number, number> {
  const n = new Map<number, number>();
  for (const m of outputs.join('\n').matchAll(/^trial (\d+): (completed|pruned|failed)/gm)) n.set(Number(m[1]), (n.get(Number(m[1])) ?? 0) + 1);
  return n;
}

/** Waits until the workers have printed `n` trial lines (a worker prints after the coordinator may have its result). */
async function reported(workers: Proc[], n: number): Promise<void> {
  await until(`${n} trials reported by the workers`, () => [...runsPerTrial(workers.map((w) => w.out())).values()].reduce((a, b) => a + b, 0) >= n, 20_000);
}

const byTrial = (xs: Record<string, unknown>[]) => [...xs].sort((a, b) => (a['trial'] as number) - (b['trial'] as number));

describe('reglab worker and reglab sweep --queue on a real Redis', { skip: skipUnlessRedis(), timeout: 600_000 }, () => {
  let redis: RedisServer;
  let dir: string;
  const procs: Proc[] = [];
  const run = (args: string[]) => {
    const p = start(args);
    procs.push(p);
    return p;
  };
  before(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'reglab-queue-'));
  });
  after(async () => {
    await Promise.all(procs.map(stop));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('bad or unreachable queue URLs: one line, exit 2, before any work', async () => {
    const dead = await startRedis();
    await dead.stop();
    for (const url of ['localhost:6379', 'http://127.0.0.1:1', 'redis://127.0.0.1:6379/x', dead.url, `redis://:nope@127.0.0.1:${dead.port}/0`]) {
      for (const args of [['worker', '--queue', url], ['sweep', '--queue', url, '--trials', '2', ...SWEEP]]) {
        const r = reglab(...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.doesNotMatch(r.stderr, /nope|at .*\.js:/);
      }
    }
    assert.match(reglab('worker').stderr, /^reglab worker: --queue URL is needed/);
  });

  test('three workers: every trial once, and each equals the same trial on the local pool', async () => {
    const workers = await Promise.all([1, 2, 3].map(() => startWorker(redis.url)));
    procs.push(...workers);
    const queued = join(dir, 'queued');
    const local = join(dir, 'local');
    const q = spawnSync(process.execPath, [MAIN, 'sweep', '--queue', redis.url, '--trials', '6', '--seed', '3', ...SWEEP, '--out', queued, '--json'], { encoding: 'utf8', timeout: 180_000 });
    assert.equal(q.status, 0, q.stderr);
    const l = spawnSync(process.execPath, [MAIN, 'sweep', '--workers', '2', '--trials', '6', '--seed', '3', ...SWEEP, '--out', local, '--json'], { encoding: 'utf8', timeout: 180_000 });
    assert.equal(l.status, 0, l.stderr);
    const fromQueue = trialLines(queued);
    assert.deepEqual(fromQueue.map((x) => x['trial']).sort(), [0, 1, 2, 3, 4, 5]);
    assert.ok(fromQueue.every((x) => x['status'] === 'completed'));
    assert.deepEqual(byTrial(fromQueue), byTrial(trialLines(local)));
    for (let t = 0; t < 6; t++) assert.deepEqual(metricsOf(queued, t), metricsOf(local, t));
    await reported(workers, 6);
    assert.deepEqual([...runsPerTrial(workers.map((w) => w.out())).values()], [1, 1, 1, 1, 1, 1]);
    const names = new Set(readFileSync(join(queued, 'trials.jsonl'), 'utf8').trim().split('\n').map((x) => (JSON.parse(x) as TrialResult).worker));
    assert.ok(names.size >= 1 && [...names].every((n) => /:\d+$/.test(n)));
    await Promise.all(workers.map(stop));
  });

  test('a worker killed with SIGKILL mid-trial: its trial is retried elsewhere, nothing lost or doubled', async () => {
    const url = redis.url + '/1';
    const sweepId = 'killworker';
    const spec = (trial: number): TrialSpec => ({
      sweepId,
      trial,
      params: { lr: 0.01 * (trial + 1) },
      seed: 7 + trial,
      settings: { trainSize: 1500, valSize: 200, testSize: 0, epochs: 3, batchSize: 1, lr: 0.01 * (trial + 1), seed: 7 + trial },
      metric: 'valAcc',
      scheduler: { kind: 'random' },
    });
    const first = await startWorker(url);
    procs.push(first);
    let killedAt: number | null = null;
    const ex = await queueExecutor(url, sweepId, {
      fresh: true,
      onEpoch: (trial) => {
        if (killedAt === null) {
          killedAt = trial;
          first.child.kill('SIGKILL');
        }
      },
    });
    try {
      const pending = [0, 1].map((t) => ex.run(spec(t)));
      await until('the first epoch', () => killedAt !== null, 120_000);
      // The kill happened in onEpoch, possibly long before this line: the exit may already have been emitted.
      if (first.child.exitCode === null && first.child.signalCode === null) await once(first.child, 'exit');
      const second = await startWorker(url);
      procs.push(second);
      const results = await Promise.all(pending);
      assert.deepEqual(results.map((r) => r.status), ['completed', 'completed']);
      // The killed trial was finished by the second worker, from the start, to the numbers of an undisturbed run.
      const again = await startWorker(url);
      procs.push(again);
      const retried = results[killedAt!]!;
      assert.match(retried.worker, new RegExp(`:${second.child.pid}$`));
      assert.equal(runsPerTrial([second.out()]).get(killedAt!), 1);
      assert.equal(runsPerTrial([first.out()]).get(killedAt!), undefined, 'the killed worker never reported it');
      const queue = new Queue(QUEUE_NAME, { connection: redisOptions(parseQueueUrl(url)) });
      try {
        const job = await queue.getJob(`${sweepId}-${killedAt}`);
        assert.equal(job?.stalledCounter, 1, 'BullMQ saw the lost lease once');
      } finally {
        await queue.close();
      }
      await stop(second);
      // The same trial alone on another fresh run: bit for bit the retried one (history without timings).
      const ex2 = await queueExecutor(url, 'killworker2', { fresh: true });
      try {
        const alone = await ex2.run({ ...spec(killedAt!), sweepId: 'killworker2' });
        const strip = (r: TrialResult) => ({ ...r, seconds: 0, worker: '', history: r.history.map((h) => ({ ...h, seconds: 0 })) });
        assert.deepEqual(strip(alone), strip(retried));
      } finally {
        await ex2.close();
      }
      await stop(again);
    } finally {
      await ex.close();
    }
  });

  test('SIGTERM: the worker finishes its running trial, reports it and exits 0', async () => {
    const url = redis.url + '/5';
    const w = await startWorker(url);
    procs.push(w);
    let signalled = false;
    const ex = await queueExecutor(url, 'graceful', {
      fresh: true,
      onEpoch: () => {
        if (!signalled) w.child.kill('SIGTERM');
        signalled = true;
      },
    });
    try {
      const spec: TrialSpec = { sweepId: 'graceful', trial: 0, params: {}, seed: 2, settings: { trainSize: 1500, valSize: 200, testSize: 0, epochs: 3, batchSize: 1, seed: 2 }, metric: 'valAcc', scheduler: { kind: 'random' } };
      const [result] = await Promise.all([ex.run(spec), once(w.child, 'exit')]);
      assert.ok(signalled);
      assert.equal(result.status, 'completed');
      assert.equal(result.epochs, 3);
      assert.match(result.worker, new RegExp(`:${w.child.pid}$`));
      assert.equal(w.child.exitCode, 0, w.out());
      assert.match(w.out(), /SIGTERM: finishing the running trials/);
    } finally {
      await ex.close();
    }
  });

  test('a bad job fails its trial with its message, and the worker goes on', async () => {
    const url = redis.url + '/2';
    const w = await startWorker(url);
    procs.push(w);
    const ex = await queueExecutor(url, 'badjobs', { fresh: true });
    const queue = new Queue(QUEUE_NAME, { connection: redisOptions(parseQueueUrl(url)) });
    try {
      const good: TrialSpec = { sweepId: 'badjobs', trial: 2, params: {}, seed: 1, settings: { trainSize: 200, valSize: 100, testSize: 0, epochs: 1, batchSize: 10, seed: 1 }, metric: 'valAcc', scheduler: { kind: 'random' } };
      const badSettings = await ex.run({ ...good, trial: 0, settings: { ...good.settings, lr: -1 } });
      assert.equal(badSettings.status, 'failed');
      assert.match(badSettings.error!, /lr/);
      const injected = await ex.run({ ...good, trial: 1, settings: { ...good.settings, hidden: 'require("fs")' } as never });
      assert.equal(injected.status, 'failed');
      // Not a trial at all, put on the queue by hand: failed at once, no retries.
      const raw = await queue.add('trial', { sweepId: '../../etc', trial: 'x' }, { jobId: 'badjobs-9', attempts: 3 });
      let rawState = await raw.getState();
      for (let i = 0; i < 600 && rawState !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        rawState = await raw.getState();
      }
      assert.equal(rawState, 'failed');
      const rawJob = await queue.getJob('badjobs-9');
      assert.match(rawJob!.failedReason, /^not a trial: sweep id/);
      assert.equal(rawJob!.attemptsMade, 1);
      const ok = await ex.run(good);
      assert.equal(ok.status, 'completed');
      assert.equal(w.child.exitCode, null, 'the worker is still running');
    } finally {
      await queue.close();
      await ex.close();
      await stop(w);
    }
  });

  test('Ctrl-C on a coordinator whose trials wait for a worker: exit 130 and the note to resume, not a silent 0', async () => {
    const out = join(dir, 'interrupted');
    const c = run(['sweep', '--queue', redis.url + '/5', '--trials', '2', ...SWEEP, '--out', out]);
    await until('the trials to go on the queue', () => /trials go on the queue/.test(c.out()));
    c.child.kill('SIGINT');
    const [code] = (await once(c.child, 'exit')) as [number | null];
    assert.equal(code, 130, c.out());
    assert.match(c.out(), /interrupted \(SIGINT\) with 0 of 2 trials done: run the same command with --resume to continue/);
  });

  test('a coordinator killed with SIGKILL and resumed repeats nothing', async () => {
    const url = redis.url + '/3';
    const w = await startWorker(url);
    procs.push(w);
    const out = join(dir, 'resumed');
    const args = ['sweep', '--queue', url, '--trials', '5', '--seed', '9', ...SWEEP, '--out', out];
    const first = run(args);
    await until('a first trial recorded', () => existsSync(join(out, 'trials.jsonl')) && readFileSync(join(out, 'trials.jsonl'), 'utf8').trim() !== '', 120_000);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const before = trialLines(out).length;
    assert.ok(before >= 1 && before < 5, `killed with ${before} of 5 done`);
    const again = spawnSync(process.execPath, [MAIN, ...args, '--resume'], { encoding: 'utf8', timeout: 180_000 });
    assert.equal(again.status, 0, again.stderr);
    const lines = trialLines(out);
    assert.deepEqual(lines.map((x) => x['trial']).sort(), [0, 1, 2, 3, 4]);
    await reported([w], 5);
    assert.deepEqual([...runsPerTrial([w.out()]).entries()].sort(), [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1]], 'every trial trained once');
    // A finished sweep's queue may be taken by another sweep; a sweep with trials left keeps it.
    await stop(w);
    const queue = new Queue(QUEUE_NAME, { connection: redisOptions(parseQueueUrl(url)) });
    const busy = spawn(process.execPath, [MAIN, 'sweep', '--queue', url, '--trials', '2', '--seed', '10', ...SWEEP], { stdio: 'ignore' });
    procs.push({ child: busy, out: () => '' });
    try {
      let waiting = 0;
      await until('the other sweep to queue its trials (no worker runs them)', () => {
        void queue.getWaitingCount().then((n) => (waiting = n), () => {});
        return waiting >= 2;
      });
    } finally {
      await queue.close();
    }
    const refused = reglab('sweep', '--queue', url, '--trials', '2', '--seed', '11', ...SWEEP);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^reglab sweep: redis:\/\/127\.0\.0\.1:\d+\/3: the queue belongs to another sweep \(s[0-9a-f]{8}, 2 trials left\): .* redis:\/\/127\.0\.0\.1:\d+\/4\)\n$/);
  });
});
