/**
 * The queue worker's sandboxed processor: BullMQ loads this file in a worker thread of the worker process
 * (`useWorkerThreads`), so a trial's CPU-bound training never blocks the process's event loop, where BullMQ
 * renews the job's lock. One thread trains one trial at a time; the thread keeps MNIST, its single-threaded wasm
 * backend and its Redis connection from one trial to the next.
 *
 * A job is untrusted input: its data is checked for shape here and its settings by runTrial, as `reglab train`
 * checks its flags; nothing in it is run or used as a path. A job that cannot be a trial of this queue's sweep
 * fails at once (UnrecoverableError: no retries); a crash is thrown as it is, and BullMQ retries the trial.
 */
import { workerData } from 'node:worker_threads';
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Backend } from '../backend/backend.js';
import { createBackend } from '../backend/create.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/files.js';
import { ReglabError, show } from '../errors.js';
import { METRIC_NAMES } from '../train/callbacks.js';
import { parseQueueUrl } from './queue-url.js';
import { openRedis } from './redis-node.js';
import { RedisRungStore } from './rungs-redis-node.js';
import { runTrial } from './trial.js';
import type { TrialSpec } from './types.js';
import { toWire } from './wire.js';

/** What the worker process hands its processor threads (BullMQ's workerThreadsOptions.workerData). */
export interface ProcessorData {
  queueUrl: string;
  /** For TrialResult.worker: `host:pid`. */
  worker: string;
}

/** The key naming the sweep a queue currently runs (written by the coordinator, read by every trial). */
export const OWNER_KEY = 'reglab:owner';

/** A sweep id as the coordinator makes them: it becomes part of job ids and keys. */
export const SWEEP_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface ThreadState {
  data: Dataset;
  backend: Backend;
  redis: Redis;
}
let state: Promise<ThreadState> | undefined;

function threadState(): Promise<ThreadState> {
  state ??= (async () => {
    const { queueUrl } = workerData as ProcessorData;
    return { data: loadDataset(), backend: await createBackend('wasm', { threads: 1 }), redis: openRedis(parseQueueUrl(queueUrl)) };
  })();
  return state;
}

const bad = (why: string): never => {
  throw new UnrecoverableError(`not a trial: ${why}`);
};

/** The job's data as a TrialSpec, checked for shape (its settings are runTrial's to check). */
export function checkSpec(d: unknown): TrialSpec {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return bad('no data');
  const s = d as Record<string, unknown>;
  if (typeof s['sweepId'] !== 'string' || !SWEEP_ID.test(s['sweepId'])) bad(`sweep id ${show(s['sweepId'])}`);
  if (!Number.isSafeInteger(s['trial']) || (s['trial'] as number) < 0) bad(`trial number ${show(s['trial'])}`);
  if (!Number.isInteger(s['seed']) || (s['seed'] as number) < 0 || (s['seed'] as number) > 0xffffffff) bad(`seed ${show(s['seed'])}`);
  const params = s['params'];
  if (typeof params !== 'object' || params === null || Array.isArray(params)) bad('no params');
  for (const v of Object.values(params as object)) if (!['number', 'string', 'boolean'].includes(typeof v)) bad(`param value ${show(v)}`);
  if (typeof s['settings'] !== 'object' || s['settings'] === null || Array.isArray(s['settings'])) bad('no settings');
  if (!METRIC_NAMES.includes(s['metric'] as never)) bad(`metric ${show(s['metric'])}`);
  const sch = s['scheduler'] as Record<string, unknown> | null;
  if (typeof sch !== 'object' || sch === null || (sch['kind'] !== 'random' && sch['kind'] !== 'asha')) bad(`scheduler ${show(sch)}`);
  if (sch!['kind'] === 'asha' && !['eta', 'minEpochs', 'maxEpochs'].every((k) => Number.isSafeInteger(sch![k]) && (sch![k] as number) >= 1)) bad(`scheduler ${show(sch)}`);
  return s as unknown as TrialSpec;
}

export default async function processTrial(job: SandboxedJob): Promise<string> {
  const spec = checkSpec(job.data);
  if (job.id !== `${spec.sweepId}-${spec.trial}`) bad(`job ${show(job.id)} carries trial ${spec.sweepId}-${spec.trial}`);
  const { data, backend, redis } = await threadState();
  const owner = await redis.get(OWNER_KEY);
  if (owner !== spec.sweepId) bad(`trial of sweep ${spec.sweepId}, but this queue runs sweep ${owner ?? '(none)'}`);
  try {
    const result = await runTrial(spec, {
      data,
      backend,
      rungs: new RedisRungStore(redis),
      worker: (workerData as ProcessorData).worker,
      onEpoch: (logs) => void job.updateProgress({ epoch: logs.epoch }).catch(() => {}),
    });
    return toWire(result);
  } catch (e) {
    // Bad settings are the job's fault: retrying cannot help.
    if (e instanceof ReglabError) throw new UnrecoverableError(e.message);
    throw e;
  }
}
