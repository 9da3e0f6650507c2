/**
 * The fast backend's buffers: one WebAssembly memory, handed out by a bump allocator with free lists: a block
 * given back (Backend.free, when a model is disposed) is handed out again for the next request of the same
 * rounded size, zeroed (a new model of the same shape reuses its predecessor's blocks). With shared memory the
 * memory grows on demand and old views stay valid; without it (a browser page that is not cross-origin
 * isolated) growing would detach every view, so the memory has a fixed size and running out is an error.
 */
import { ConfigError } from '../../errors.js';

const PAGE = 65536;
/** Addresses stay below 2^31 (the allocator's and the kernels' arithmetic is on 32-bit integers). */
const MAX_END = 2 ** 31;

export class Heap {
  private top: number;
  private buffer: ArrayBufferLike;
  private readonly owned = new WeakSet<ArrayBufferLike>();
  /** Blocks handed out (address -> rounded size) and blocks given back (rounded size -> addresses). */
  private readonly live = new Map<number, number>();
  private readonly freed = new Map<number, number[]>();

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly shared: boolean,
    base: number,
  ) {
    this.top = base;
    this.buffer = memory.buffer;
    this.owned.add(this.buffer);
  }

  /** A 16-byte aligned, zeroed block of `bytes` bytes; returns its address. */
  allocBytes(bytes: number): number {
    if (!(bytes <= MAX_END - this.top - 32)) this.full(bytes, `at most ${MAX_END / 2 ** 20} MB`);
    // Every block has an address of its own (an empty one takes 16 bytes), so that it can be given back.
    const rounded = Math.max((Math.max(bytes, 0) + 15) & ~15, 16);
    const reuse = this.freed.get(rounded)?.pop();
    if (reuse !== undefined) {
      new Uint8Array(this.buffer, reuse, rounded).fill(0);
      this.live.set(reuse, rounded);
      return reuse;
    }
    const ptr = (this.top + 15) & ~15;
    const end = ptr + rounded;
    const size = this.buffer.byteLength;
    if (end > size) {
      if (!this.shared) {
        throw new ConfigError(`the wasm backend's memory (${size / 2 ** 20} MB, fixed without shared memory) is full: the network or the data is too large for it (in code: create the backend with a larger memoryMB)`);
      }
      try {
        this.memory.grow(Math.ceil((end - size) / PAGE));
      } catch {
        this.full(bytes, 'the memory could not grow');
      }
      this.buffer = this.memory.buffer;
      this.owned.add(this.buffer);
    }
    this.top = end;
    this.live.set(ptr, rounded);
    return ptr;
  }

  /** Bad input, not a bug: a network or data set too large for the memory (the CLI's one line, exit 2). */
  private full(bytes: number, why: string): never {
    throw new ConfigError(`the wasm backend's memory cannot take ${Math.ceil(bytes / 2 ** 20)} MB more (${why}): the network or the data is too large for it`);
  }

  /** Gives back a whole block that allocBytes (or f32, i32, u8...) returned; a view of it identifies it. */
  release(view: ArrayBufferView, what: string): void {
    const size = this.live.get(view.byteOffset);
    if (!this.owns(view.buffer) || size === undefined || Math.max((view.byteLength + 15) & ~15, 16) !== size) {
      throw new RangeError(`${what}: not a whole buffer allocated by this backend (or given back already)`);
    }
    this.live.delete(view.byteOffset);
    const list = this.freed.get(size);
    if (list) list.push(view.byteOffset);
    else this.freed.set(size, [view.byteOffset]);
  }

  /** Bytes in blocks given back and not handed out again. */
  get freeBytes(): number {
    let n = 0;
    for (const [size, list] of this.freed) n += size * list.length;
    return n;
  }

  f32(n: number): Float32Array {
    const ptr = this.allocBytes(4 * n); // first: it may grow the memory and replace this.buffer
    return new Float32Array(this.buffer, ptr, n);
  }

  f64(n: number): Float64Array {
    const ptr = this.allocBytes(8 * n);
    return new Float64Array(this.buffer, ptr, n);
  }

  i32(n: number): Int32Array {
    const ptr = this.allocBytes(4 * n);
    return new Int32Array(this.buffer, ptr, n);
  }

  /** Whether a buffer is (or was, before the memory grew) this heap's memory. */
  owns(buffer: ArrayBufferLike): boolean {
    return buffer === this.buffer || this.owned.has(buffer);
  }

  u8(n: number): Uint8Array {
    const ptr = this.allocBytes(n);
    return new Uint8Array(this.buffer, ptr, n);
  }

  /** The address of a view of this heap's memory with at least `count` elements; throws on any other array. */
  ptr(view: Readonly<ArrayLike<number>> & ArrayBufferView, count: number, what: string): number {
    const buffer = view.buffer;
    if (!this.owns(buffer)) {
      throw new ConfigError(`${what}: the buffer was not allocated by this wasm backend (use backend.alloc)`);
    }
    if (view.length < count) throw new RangeError(`${what}: buffer holds ${view.length} elements, the kernel needs ${count}`);
    return view.byteOffset;
  }

  /** Bytes handed out so far. */
  get used(): number {
    return this.top;
  }
}
