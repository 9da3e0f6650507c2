/**
 * ASHA's rung records in Redis, for a sweep whose trials run on several machines: one hash per sweep and rung,
 * field = trial number, value = the metric (String(x) round-trips every double, NaN and infinities included).
 * A retried trial's HSET replaces its earlier record, so it never competes with itself; the write and the read
 * of the rung run in one MULTI, so two trials reaching a rung together each see a state that includes their
 * own record and is one of the orders they could have arrived in.
 */
import type { Redis } from 'ioredis';
import type { RungStore } from './types.js';

/** The sweep's key space in a queue's Redis: everything reglab stores besides BullMQ's own keys. */
export function sweepKey(sweepId: string, ...parts: (string | number)[]): string {
  return ['reglab', sweepId, ...parts].join(':');
}

export class RedisRungStore implements RungStore {
  constructor(private readonly redis: Redis) {}

  async record(sweepId: string, rung: number, trial: number, value: number): Promise<readonly number[]> {
    const key = sweepKey(sweepId, 'rung', rung);
    const replies = await this.redis.multi().hset(key, String(trial), String(value)).hvals(key).exec();
    if (replies === null) throw new Error(`Redis refused the rung update of ${key}`);
    for (const [err] of replies) if (err) throw err;
    return (replies[1]![1] as string[]).map(Number);
  }

  /** Removes a sweep's rung records (e.g. when a new sweep reuses a finished sweep's id). */
  async clear(sweepId: string, rungs: readonly number[]): Promise<void> {
    if (rungs.length > 0) await this.redis.del(...rungs.map((r) => sweepKey(sweepId, 'rung', r)));
  }
}
