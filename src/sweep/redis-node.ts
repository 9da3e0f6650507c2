/**
 * Connections to a sweep queue's Redis (ioredis). checkRedis() is the start-up check: one attempt with a short
 * timeout, so a wrong host or a stopped server is a one-line ConfigError in seconds, never a hang; the
 * connections BullMQ then uses retry for ever (a Redis restart is waited out) and, as BullMQ requires for
 * workers, never give up on a command (`maxRetriesPerRequest: null`).
 */
import { Redis } from 'ioredis';
import { ConfigError } from '../errors.js';
import type { RedisAddress } from './queue-url.js';

/** How long the start-up check waits for Redis to answer. */
export const CHECK_TIMEOUT_MS = 3000;

/** Redis >= 6.2 (BullMQ's floor). */
const MIN_VERSION = [6, 2];

/** The connection settings reglab gives ioredis and BullMQ (a subset that both libraries' types accept). */
export type RedisSettings = Omit<RedisAddress, 'shown'> & {
  maxRetriesPerRequest: null;
  connectTimeout: number;
};

/** ioredis settings for BullMQ's long-lived connections to `a`. */
export function redisOptions(a: RedisAddress): RedisSettings {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username !== undefined ? { username: a.username } : {}),
    ...(a.password !== undefined ? { password: a.password } : {}),
    ...(a.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    connectTimeout: 10_000,
  };
}

/** A new connection to `a` for the sweep's own keys (rung records, checkpoints, the queue's owner). */
export function openRedis(a: RedisAddress): Redis {
  return new Redis(redisOptions(a));
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const msg = (err?.message ?? String(e)).split('\n')[0]!;
  if (err?.code === 'ECONNREFUSED') return 'connection refused';
  if (/WRONGPASS|invalid username-password|NOAUTH|Authentication required/i.test(msg)) return 'wrong or missing password';
  if (/ETIMEDOUT|timed? ?out/i.test(msg)) return `no answer within ${CHECK_TIMEOUT_MS / 1000} s`;
  if (err?.code === 'ENOTFOUND' || err?.code === 'EAI_AGAIN') return 'unknown host';
  return msg;
}

/**
 * Connects once to `a`, with a short timeout and no retries, and checks that it is a Redis that BullMQ can use
 * (version, eviction policy); a ConfigError saying why otherwise.
 */
export async function checkRedis(a: RedisAddress): Promise<void> {
  const r = new Redis({
    ...redisOptions(a),
    lazyConnect: true,
    connectTimeout: CHECK_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: unknown; // ioredis reports the socket's error here, and then rejects with "Connection is closed."
  r.on('error', (e) => (lastError = e));
  try {
    await r.connect();
    // ioredis selects the database on connecting but only reports a refusal as an event: ask again, and wait.
    await r.select(a.db).catch((e: Error) => {
      throw new ConfigError(/DB index is out of range/i.test(e.message) ? `${a.shown}: Redis has no database ${a.db} (it has 16 unless its 'databases' setting says otherwise)` : `cannot reach Redis at ${a.shown} (${reason(e)})`);
    });
    const info = await r.info('server');
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    if (version && (Number(version[1]) < MIN_VERSION[0]! || (Number(version[1]) === MIN_VERSION[0] && Number(version[2]) < MIN_VERSION[1]!))) {
      throw new ConfigError(`${a.shown}: Redis ${version[1]}.${version[2]} is too old (the queue needs Redis ${MIN_VERSION.join('.')} or newer)`);
    }
    const policy = (await r.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
    if (policy[1] !== undefined && policy[1] !== 'noeviction') {
      throw new ConfigError(`${a.shown}: Redis evicts keys (maxmemory-policy ${policy[1]}), which would lose trials: set maxmemory-policy noeviction`);
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot reach Redis at ${a.shown} (${reason(lastError ?? e)})`);
  } finally {
    r.disconnect();
  }
}
