/**
 * Fuzzing helpers (fast-check arbitraries) shared by the *.fuzz.test.ts files: byte-level mutations of a real
 * file, and structural edits of a parsed JSON header. Every fuzz test uses a fixed seed, so CI runs the same
 * cases each time; a failure prints the seed and the shrunk counterexample. Test-only: not in the package.
 */
import fc from 'fast-check';
import { crc32 } from '../io/crc32.js';

/** CI's fixed seed; REGLAB_FUZZ_SEED=n picks other cases for a local hunt. */
export const FUZZ_SEED = Number(process.env.REGLAB_FUZZ_SEED ?? 20260601);
/** REGLAB_FUZZ_SCALE=k runs k times as many cases (a long local hunt); CI runs the default 1. */
export const FUZZ_SCALE = Math.max(1, Number(process.env.REGLAB_FUZZ_SCALE ?? 1));

/** fast-check options: the seed, and numRuns cases times the scale. */
export const fuzzOptions = (numRuns: number) => ({ seed: FUZZ_SEED, numRuns: Math.round(numRuns * FUZZ_SCALE) });

/** Numbers a lying header likes: sizes at the edges of uint32, int32, doubles and the file. */
export const INTERESTING_U32 = [0, 1, 2, 3, 4, 8, 28, 255, 256, 784, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

export type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'u32'; at: number; value: number; bigEndian: boolean }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number };

/** Positions are fractions of the current length (so they stay in range), headerBias puts some in the header. */
const position = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 40 }).map((i) => -1 - i));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('u32' as const),
      at: position,
      value: fc.oneof(fc.constantFrom(...INTERESTING_U32), fc.integer({ min: 0, max: 0xffffffff })),
      bigEndian: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }) },
);

export const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });

function offset(at: number, length: number): number {
  if (length === 0) return 0;
  // Negative: an absolute offset from the start (the header); otherwise a fraction of the length.
  return at < 0 ? Math.min(-1 - at, length - 1) : Math.floor(at * length);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Applies mutations to a copy of bytes. */
export function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b: Uint8Array = bytes.slice();
  for (const m of ms) {
    switch (m.kind) {
      case 'set':
        if (b.length > 0) b[offset(m.at, b.length)] = m.value;
        break;
      case 'u32': {
        if (b.length < 4) break;
        const at = Math.min(offset(m.at, b.length), b.length - 4);
        new DataView(b.buffer, b.byteOffset).setUint32(at, m.value, !m.bigEndian);
        break;
      }
      case 'truncate':
        b = b.slice(0, offset(m.at, b.length));
        break;
      case 'append':
        b = concat(b, m.bytes);
        break;
      case 'delete': {
        const at = offset(m.at, b.length);
        b = concat(b.subarray(0, at), b.subarray(at + m.length));
        break;
      }
      case 'duplicate': {
        const at = offset(m.at, b.length);
        const piece = b.subarray(at, at + m.length);
        b = concat(b.subarray(0, at), piece, b.subarray(at));
        break;
      }
    }
  }
  return b;
}

/** Values a hostile JSON header may hold where a number, string, list or object is expected. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(0, -1, 1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, 1e308, -1e308, 784, 10, '', 'relu', 'dense', 'float64', 'float32', null, true, false, [], {}, [1, 2], { toString: 1 }, { valueOf: 'x' }, JSON.parse('{"__proto__": {"x": 1}}'), { $f64: 0 }, { $num: 'NaN' }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Every path (list of keys) to a value inside a JSON value, the root excluded. */
export function jsonPaths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([...prefix, i]), jsonPaths(x, [...prefix, i], out)));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push([...prefix, k]), jsonPaths(x, [...prefix, k], out);
  return out;
}

export interface JsonEdit {
  /** Picks a path: index modulo the number of paths. */
  pick: number;
  /** Replace the value, or delete it (the key from an object, the element from a list). */
  remove: boolean;
  value: unknown;
}

export const jsonEdits = fc.array(fc.record({ pick: fc.nat(), remove: fc.boolean(), value: hostileJson }), { minLength: 1, maxLength: 3 });

/** Applies edits to a deep copy of a JSON value. */
export function editJson<T>(value: T, edits: readonly JsonEdit[]): T {
  const root = JSON.parse(JSON.stringify(value)) as T;
  for (const e of edits) {
    const paths = jsonPaths(root);
    if (paths.length === 0) break;
    const path = paths[e.pick % paths.length]!;
    let parent: any = root;
    for (const k of path.slice(0, -1)) parent = parent[k];
    const last = path[path.length - 1]!;
    if (e.remove) {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else {
      // defineProperty: a "__proto__" value is set as data, as JSON.parse would.
      // A copy: later edits must not change the shared value (or make it cyclic).
      const value = e.value === undefined ? null : JSON.parse(JSON.stringify(e.value));
      Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return root;
}


/**
 * PNG bytes with every chunk's CRC recomputed (a copy), so that mutated chunk data reaches the decoder
 * instead of failing its CRC check. Walks the chunks from the signature on and stops where a length runs
 * past the end.
 */
export function refreshPngCrcs(png: Uint8Array): Uint8Array {
  const b = png.slice();
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 8; at + 12 <= b.length; ) {
    const length = view.getUint32(at, false);
    if (at + 12 + length > b.length) break;
    view.setUint32(at + 8 + length, crc32(b.subarray(at + 4, at + 8 + length)), false);
    at += 12 + length;
  }
  return b;
}

/** A copy of a PNG that declares width x height in its header (CRCs refreshed); its pixel data is unchanged. */
export function pngDeclaring(png: Uint8Array, width: number, height: number): Uint8Array {
  const b = png.slice();
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  view.setUint32(16, width, false);
  view.setUint32(20, height, false);
  return refreshPngCrcs(b);
}
