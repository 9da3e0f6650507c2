/**
 * The distributed sweep on BullMQ: the coordinator's side (queueExecutor: one job per trial, its result
 * collected when the job finishes) and the worker's (startQueueWorker: takes trials, trains each in a worker
 * thread, reports back). Everything a queue promises is BullMQ's own: idempotent adds by job id
 * (`<sweep>-<trial>`), locks that a lost worker stops renewing and the stall checker that hands its trial to
 * another worker, retries with exponential backoff, completion events. Delivery is at least once: a trial's
 * result is keyed by its id wherever it is recorded, so a trial run twice is recorded once.
 *
 * One queue per Redis database, running one sweep at a time: the coordinator writes its sweep id under
 * OWNER_KEY, and refuses to start while another sweep still has trials waiting or running there. Workers serve
 * whichever sweep the queue runs.
 */
import { availableParallelism, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ConfigError, show } from '../errors.js';
import { failedResult } from './result.js';
import { OWNER_KEY, SWEEP_ID, type ProcessorData } from './queue-trial-node.js';
import { parseQueueUrl, type RedisAddress } from './queue-url.js';
import { checkRedis, openRedis, redisOptions } from './redis-node.js';
import type { Executor, TrialResult, TrialSpec } from './types.js';
import { fromWire } from './wire.js';
import { sweepKey } from './rungs-redis-node.js';

/** The BullMQ queue's name (its keys are `bull:reglab-trials:*`). */
export const QUEUE_NAME = 'reglab-trials';

const PROCESSOR = fileURLToPath(new URL('./queue-trial-node.js', import.meta.url));

/** How long finished jobs (and so their results, for a resumed coordinator) stay in Redis. */
const KEEP_FINISHED = { age: 7 * 24 * 3600 };

export interface CoordinatorConfig {
  /** Runs of a trial before it is recorded failed, counting the first (a crash, a lost worker). Default 3. */
  attempts: number;
  /** The first retry's delay in ms; each later one doubles it. Default 1000. */
  backoffMs: number;
  /**
   * Start the sweep afresh: its earlier jobs and rung records on this queue (a finished run of the same sweep)
   * are removed first. False (a resumed sweep) picks them up instead. Default false.
   */
  fresh: boolean;
  /** Called when a worker reports a trial's epoch (BullMQ job progress). */
  onEpoch?(trial: number, epoch: number): void;
}

export const COORDINATOR_DEFAULTS: Readonly<Omit<CoordinatorConfig, 'onEpoch'>> = Object.freeze({ attempts: 3, backoffMs: 1000, fresh: false });

export interface QueueExecutor {
  /**
   * Puts the trial on the queue (a no-op when it is there already: a resumed coordinator picks up its job, and a
   * finished one's result) and resolves when it has finished: call it for every trial at once, the workers set
   * the pace. A trial that failed for good resolves with status 'failed' and the reason.
   */
  run: Executor;
  /** Removes the sweep's earlier jobs and rung records from the queue now (what `fresh` does at the start). */
  forget(): Promise<void>;
  /** Closes the connections (jobs stay in the queue for workers and for a resumed coordinator). */
  close(): Promise<void>;
}

/** The job id of a trial: never an integer, never a ':'. */
export function jobId(sweepId: string, trial: number): string {
  return `${sweepId}-${trial}`;
}


/** A worker's answer, checked before it becomes a line of trials.jsonl. */
function checkedResult(returned: unknown, spec: TrialSpec): TrialResult {
  const r = typeof returned === 'string' ? (fromWire(returned) as TrialResult | null) : null;
  if (typeof r !== 'object' || r === null || r.trial !== spec.trial || !['completed', 'pruned', 'failed'].includes(r.status) || !Array.isArray(r.history)) {
    return failedResult(spec, '', `a worker returned no result for trial ${spec.trial} (${show(returned)})`);
  }
  return r;
}

async function claimQueue(redis: Redis, queue: Queue, sweepId: string, a: RedisAddress): Promise<void> {
  const current = await redis.get(OWNER_KEY);
  if (current !== null && current !== sweepId) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    const left = Object.values(counts).reduce((s, n) => s + n, 0);
    if (left > 0) {
      throw new ConfigError(`${a.shown}: the queue belongs to another sweep (${current}, ${left} trials left): wait for it to end, or use another database (e.g. ${a.tls ? 'rediss' : 'redis'}://${a.host}:${a.port}/${a.db + 1})`);
    }
  }
  await redis.set(OWNER_KEY, sweepId);
}

/** Removes a sweep's finished or waiting jobs and its rung records (a job a worker holds stays: it is running). */
async function forgetSweep(redis: Redis, queue: Queue, sweepId: string): Promise<void> {
  const prefix = `bull:${QUEUE_NAME}:${sweepId}-`;
  const ours = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) ours.add(k.slice(`bull:${QUEUE_NAME}:`.length).split(':')[0]!);
  } while (cursor !== '0');
  for (const id of ours) if (/^[A-Za-z0-9_-]+-\d+$/.test(id)) await queue.remove(id);
  cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', sweepKey(sweepId, '*'), 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/**
 * Connects to the queue at `url` (checked first: a bad or unreachable address is a ConfigError in seconds) and
 * claims it for sweep `sweepId`.
 */
export async function queueExecutor(url: string, sweepId: string, config: Partial<CoordinatorConfig> = {}): Promise<QueueExecutor> {
  if (!SWEEP_ID.test(sweepId)) throw new Error(`bad sweep id ${show(sweepId)}`);
  const c: CoordinatorConfig = {
    attempts: config.attempts ?? COORDINATOR_DEFAULTS.attempts,
    backoffMs: config.backoffMs ?? COORDINATOR_DEFAULTS.backoffMs,
    fresh: config.fresh ?? COORDINATOR_DEFAULTS.fresh,
    ...(config.onEpoch ? { onEpoch: config.onEpoch } : {}),
  };
  if (!Number.isInteger(c.attempts) || c.attempts < 1) throw new ConfigError(`attempts must be a positive integer, got ${show(c.attempts)}`);
  if (!(c.backoffMs >= 0)) throw new ConfigError(`backoffMs must be 0 or more, got ${show(c.backoffMs)}`);
  const a = parseQueueUrl(url);
  await checkRedis(a);
  const redis = openRedis(a);
  const queue = new Queue(QUEUE_NAME, { connection: redisOptions(a) });
  const events = new QueueEvents(QUEUE_NAME, { connection: redisOptions(a) });
  // Every trial in flight waits on both (a listener each): as many as the sweep has trials, not a leak.
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  // Closing ends the waits of the trials in flight (BullMQ's waitUntilFinished would never settle, and the
  // process would end as if the sweep had finished).
  let closing: (e: Error) => void = () => {};
  const closed = new Promise<never>((_, reject) => (closing = reject));
  closed.catch(() => {});
  const close = async () => {
    closing(new Error('the coordinator stopped waiting for this trial (it stays on the queue)'));
    await Promise.allSettled([events.close(), queue.close()]);
    redis.disconnect();
  };
  try {
    await claimQueue(redis, queue, sweepId, a);
    if (c.fresh) await forgetSweep(redis, queue, sweepId);
    await events.waitUntilReady();
  } catch (e) {
    await close();
    throw e;
  }
  if (c.onEpoch) {
    const onEpoch = c.onEpoch;
    const prefix = `${sweepId}-`;
    events.on('progress', ({ jobId: id, data }: { jobId: string; data: unknown }) => {
      const epoch = (data as { epoch?: unknown } | null)?.epoch;
      if (id.startsWith(prefix) && Number.isSafeInteger(epoch)) onEpoch(Number(id.slice(prefix.length)), epoch as number);
    });
  }
  const run: Executor = async (spec) => {
    if (spec.sweepId !== sweepId) throw new Error(`trial of sweep ${spec.sweepId} given to the executor of sweep ${sweepId}`);
    const job = await queue.add('trial', spec, {
      jobId: jobId(sweepId, spec.trial),
      attempts: c.attempts,
      backoff: { type: 'exponential', delay: c.backoffMs },
      removeOnComplete: KEEP_FINISHED,
      removeOnFail: KEEP_FINISHED,
    });
    try {
      return checkedResult(await Promise.race([job.waitUntilFinished(events), closed]), spec);
    } catch (e) {
      return failedResult(spec, '', (e as Error).message ?? String(e));
    }
  };
  return { run, forget: () => forgetSweep(redis, queue, sweepId), close };
}

export interface WorkerConfig {
  /** Trials trained at once, each in its own thread. Default: one per processor. */
  concurrency: number;
  /**
   * How long a trial stays claimed by a worker that stops answering (BullMQ's lockDuration; the worker renews
   * it every half of that, and checks for stalled trials as often), in ms. Default 30000.
   */
  leaseMs: number;
}

export const WORKER_DEFAULTS: Readonly<WorkerConfig> = Object.freeze({ concurrency: availableParallelism(), leaseMs: 30_000 });

/** What a worker tells its client about each trial it ends. */
export interface WorkerEvents {
  onTrialEnd?(result: TrialResult, attempt: number): void;
  /** A trial that failed this attempt: retried while attempts are left (willRetry), else recorded failed. */
  onTrialFailed?(trial: string, error: string, willRetry: boolean): void;
  /** A connection problem (BullMQ reconnects by itself). */
  onError?(error: Error): void;
}

export interface QueueWorker {
  /** The worker's name in results: `host:pid`. */
  name: string;
  /** Stops taking trials and resolves when the running ones have finished (force: at once; they will be retried). */
  close(force?: boolean): Promise<void>;
}

export async function startQueueWorker(url: string, config: Partial<WorkerConfig> = {}, events: WorkerEvents = {}): Promise<QueueWorker> {
  const c: WorkerConfig = { concurrency: config.concurrency ?? WORKER_DEFAULTS.concurrency, leaseMs: config.leaseMs ?? WORKER_DEFAULTS.leaseMs };
  if (!Number.isInteger(c.concurrency) || c.concurrency < 1) throw new ConfigError(`concurrency must be a positive integer, got ${show(c.concurrency)}`);
  if (!Number.isInteger(c.leaseMs) || c.leaseMs < 1000) throw new ConfigError(`the lease must be at least 1 s, got ${show(c.leaseMs)} ms`);
  const a = parseQueueUrl(url);
  await checkRedis(a);
  const name = `${hostname()}:${process.pid}`;
  const workerData: ProcessorData = { queueUrl: url, worker: name };
  const worker = new Worker(QUEUE_NAME, PROCESSOR, {
    connection: redisOptions(a),
    concurrency: c.concurrency,
    useWorkerThreads: true,
    workerThreadsOptions: { workerData },
    lockDuration: c.leaseMs,
    stalledInterval: c.leaseMs,
    maxStalledCount: 2,
    name,
  });
  worker.on('completed', (job: Job, returned: unknown) => {
    const spec = job.data as TrialSpec;
    events.onTrialEnd?.(checkedResult(returned, spec), job.attemptsMade);
  });
  worker.on('failed', (job: Job | undefined, err: Error) => {
    const attempts = job?.opts.attempts ?? 1;
    const willRetry = job !== undefined && err.name !== 'UnrecoverableError' && job.attemptsMade < attempts;
    events.onTrialFailed?.(job?.id ?? '?', err.message, willRetry);
  });
  worker.on('error', (err: Error) => events.onError?.(err));
  await worker.waitUntilReady();
  return { name, close: (force = false) => worker.close(force) };
}
