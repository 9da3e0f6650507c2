import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { skipUnlessRedis, startRedis, type RedisServer } from '../testing/redis.js';
import { parseQueueUrl } from './queue-url.js';
import { openRedis } from './redis-node.js';
import { RedisRungStore } from './rungs-redis-node.js';

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

describe('RedisRungStore', { skip: skipUnlessRedis() }, () => {
  let server: RedisServer;
  let a: Redis;
  let b: Redis;
  before(async () => {
    server = await startRedis();
    a = openRedis(parseQueueUrl(server.url));
    b = openRedis(parseQueueUrl(server.url));
  });
  after(async () => {
    a?.disconnect();
    b?.disconnect();
    await server?.stop();
  });

  test('each record returns the rung so far, its own value included; exact doubles, NaN kept', async () => {
    const store = new RedisRungStore(a);
    assert.deepEqual(await store.record('s1', 1, 0, 0.9), [0.9]);
    assert.deepEqual(sorted(await store.record('s1', 1, 1, 0.1 + 0.2)), [0.1 + 0.2, 0.9]);
    const withNaN = await store.record('s1', 1, 2, NaN);
    assert.equal(withNaN.length, 3);
    assert.equal(withNaN.filter(Number.isNaN).length, 1);
    assert.deepEqual(await store.record('s1', 3, 0, 0.95), [0.95], 'another rung is another record');
    assert.deepEqual(await store.record('s2', 1, 0, 0.5), [0.5], 'another sweep is another record');
  });

  test('a retried trial replaces its record instead of adding one', async () => {
    const store = new RedisRungStore(a);
    await store.record('r', 1, 7, 0.2);
    await store.record('r', 1, 8, 0.4);
    assert.deepEqual(sorted(await store.record('r', 1, 7, 0.3)), [0.3, 0.4]);
  });

  test('records from two connections at once: none lost, each reply holds its own value', async () => {
    const stores = [new RedisRungStore(a), new RedisRungStore(b)];
    const replies = await Promise.all(Array.from({ length: 40 }, (_, t) => stores[t % 2]!.record('c', 1, t, t / 40)));
    replies.forEach((r, t) => assert.ok(r.includes(t / 40), `trial ${t} sees itself`));
    const sizes = replies.map((r) => r.length).sort((x, y) => x - y);
    assert.deepEqual(sizes, Array.from({ length: 40 }, (_, i) => i + 1), 'the replies are the 40 prefixes of one order');
  });
});
