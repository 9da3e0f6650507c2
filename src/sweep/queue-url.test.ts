import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../errors.js';
import { hidePassword, parseQueueUrl } from './queue-url.js';

test('redis:// addresses: host, port, database, user, password, TLS', () => {
  assert.deepEqual(parseQueueUrl('redis://127.0.0.1:6380'), { host: '127.0.0.1', port: 6380, db: 0, shown: 'redis://127.0.0.1:6380' });
  assert.deepEqual(parseQueueUrl('redis://queue.example/3'), { host: 'queue.example', port: 6379, db: 3, shown: 'redis://queue.example/3' });
  assert.deepEqual(parseQueueUrl('redis://:s%40cret@h:7000/1'), { host: 'h', port: 7000, db: 1, password: 's@cret', shown: 'redis://:***@h:7000/1' });
  assert.deepEqual(parseQueueUrl('rediss://ann:pw@h:6379/'), { host: 'h', port: 6379, db: 0, username: 'ann', password: 'pw', tls: {}, shown: 'rediss://ann:***@h:6379/' });
  assert.deepEqual(parseQueueUrl('redis://[::1]:6379'), { host: '::1', port: 6379, db: 0, shown: 'redis://[::1]:6379' });
});

test('malformed addresses: one line each, the password never shown', () => {
  const cases: [string, RegExp][] = [
    ['localhost:6379', /not a URL/],
    ['http://h:6379', /scheme must be redis or rediss, not http/],
    ['redis://', /no host|not a valid URL/],
    ['redis://h:99999', /bad port|not a valid URL/],
    ['redis://h:', /empty port/],
    ['redis://h:6379/x', /database number/],
    ['redis://h:6379/0/1', /database number/],
    ['redis://h:6379?db=2', /no query/],
    ['redis://:hunter2@h:6379/zz', /database number/],
    ['redis://:%zz@h', /password is not valid URL encoding/],
  ];
  for (const [url, why] of cases) {
    assert.throws(() => parseQueueUrl(url), (e: Error) => {
      assert.ok(e instanceof ConfigError, url);
      assert.match(e.message, why, url);
      assert.equal(e.message.split('\n').length, 1);
      assert.doesNotMatch(e.message, /hunter2/);
      return true;
    });
  }
  assert.equal(hidePassword('redis://u:p@h:1/2'), 'redis://u:***@h:1/2');
  assert.equal(hidePassword('redis://h:1/2'), 'redis://h:1/2');
});
