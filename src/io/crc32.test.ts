import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { Rng } from '../rng/mt19937.js';
import { crc32 } from './crc32.js';

test('CRC-32 check value and empty input', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('CRC-32 agrees with a bytewise reference on every length and alignment', () => {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const bytewise = (b: Uint8Array) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const rng = new Rng(9);
  const data = Uint8Array.from({ length: 300 }, () => rng.randint(256));
  for (let start = 0; start < 9; start++) for (let n = 0; n + start <= data.length; n += 7) assert.equal(crc32(data.subarray(start, start + n)), bytewise(data.subarray(start, start + n)));
  if (typeof zlibCrc32 === 'function') assert.equal(crc32(data), zlibCrc32(data)); // Node >= 20.15 has it
});
