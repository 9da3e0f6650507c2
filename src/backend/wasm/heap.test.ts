/** The wasm backend's allocator: a request the memory cannot take is bad input (a ConfigError), never a crash. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Heap } from './heap.js';
import { createBackend } from '../create.js';

test('a block the memory cannot take is a ConfigError naming the size, and the heap still works after it', () => {
  // Shared memory that may grow to 4 pages only.
  const heap = new Heap(new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true }), true, 1024);
  assert.throws(() => heap.allocBytes(5 * 65536), { name: 'ConfigError', message: /^the wasm backend's memory cannot take 1 MB more \(the memory could not grow\)/ });
  // Past 2 GB the allocator's 32-bit arithmetic would wrap (it crashed with a negative offset): refused first.
  assert.throws(() => heap.allocBytes(2 ** 31), { name: 'ConfigError', message: /cannot take 2048 MB more \(at most 2048 MB\): the network or the data is too large for it$/ });
  assert.throws(() => heap.f32(2 ** 32), { name: 'ConfigError' });
  assert.equal(heap.f32(1000).length, 1000);
});

test('without shared memory (a page that is not cross-origin isolated) a full memory says what to change', () => {
  const heap = new Heap(new WebAssembly.Memory({ initial: 16, maximum: 16 }), false, 1024);
  assert.throws(() => heap.f32(2 ** 20), {
    name: 'ConfigError',
    message: "the wasm backend's memory (1 MB, fixed without shared memory) is full: the network or the data is too large for it (in code: create the backend with a larger memoryMB)",
  });
});

test("a network too large for the backend: new Model's buffers are refused with a ConfigError", async () => {
  const be = await createBackend('wasm', { threads: 1 });
  assert.throws(() => be.alloc(2 ** 30), { name: 'ConfigError', message: /^the wasm backend's memory cannot take 4096 MB more/ });
  assert.equal(be.alloc(10).length, 10);
});
