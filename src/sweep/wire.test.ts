import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromWire, toWire } from './wire.js';

test('non-finite numbers and -0 survive the round trip; everything else is plain JSON', () => {
  const value = { a: [NaN, Infinity, -Infinity, -0, 0, 0.1 + 0.2, 5e-324], b: { c: 'x', d: null, e: true } };
  const back = fromWire(toWire(value)) as typeof value;
  assert.ok(Number.isNaN(back.a[0]));
  assert.deepEqual(back.a.slice(1), [Infinity, -Infinity, -0, 0, 0.1 + 0.2, 5e-324]);
  assert.ok(Object.is(back.a[3], -0) && Object.is(back.a[4], 0));
  assert.deepEqual(back.b, value.b);
  assert.equal(toWire({ x: 1, y: [2] }), '{"x":1,"y":[2]}');
  assert.deepEqual(fromWire('{"$num":"rm -rf"}'), { $num: 'rm -rf' }, 'only the four tags are read as numbers');
});
