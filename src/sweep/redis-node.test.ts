import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../errors.js';
import { skipUnlessRedis, startRedis, type RedisServer } from '../testing/redis.js';
import { parseQueueUrl } from './queue-url.js';
import { checkRedis } from './redis-node.js';

describe('checking a queue Redis', { skip: skipUnlessRedis() }, () => {
  let open: RedisServer;
  let locked: RedisServer;
  let evicting: RedisServer;
  before(async () => {
    [open, locked, evicting] = await Promise.all([startRedis(), startRedis(['--requirepass', 'hunter2']), startRedis()]);
    await evicting.stop(); // a port where nothing listens any more
  });
  after(async () => {
    await open?.stop();
    await locked?.stop();
  });

  test('a running Redis passes, with its password when it has one', async () => {
    await checkRedis(parseQueueUrl(open.url + '/2'));
    await checkRedis(parseQueueUrl(`redis://:hunter2@127.0.0.1:${locked.port}`));
  });

  test('refused, wrong password, missing password, no such database: one ConfigError line, the password hidden', async () => {
    const cases: [string, RegExp][] = [
      [evicting.url, /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(connection refused\)/],
      [`redis://:wrong@127.0.0.1:${locked.port}`, /cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(wrong or missing password\)/],
      [locked.url, /\(wrong or missing password\)/],
      [open.url + '/99', /^redis:\/\/127\.0\.0\.1:\d+\/99: Redis has no database 99 /],
    ];
    for (const [url, why] of cases) {
      await assert.rejects(checkRedis(parseQueueUrl(url)), (e: Error) => {
        assert.ok(e instanceof ConfigError, url);
        assert.match(e.message, why);
        assert.equal(e.message.split('\n').length, 1);
        assert.doesNotMatch(e.message, /wrong@/);
        return true;
      });
    }
  });
});
