/**
 * Plain data with typed arrays, as JSON plus one binary payload (what a checkpoint stores). Typed arrays become
 * {"$f64": i} (likewise $f32, $i32, $u32), a reference to section i of the payload; numbers JSON cannot
 * hold become {"$num": "NaN" | "Infinity" | "-Infinity"}. Decoding checks every section against the payload's
 * size before copying anything, and every reference against the section list (each used exactly once).
 * Pure: no file system, works in the browser.
 */
import { ModelFileError } from '../errors.js';

const KINDS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
} as const;
type Kind = keyof typeof KINDS;
type Typed = InstanceType<(typeof KINDS)[Kind]>;

export interface Section {
  kind: Kind;
  /** Number of elements. */
  length: number;
}

export interface EncodedState {
  /** JSON-safe data. */
  json: unknown;
  sections: Section[];
  payload: Uint8Array;
}

/** Objects nested deeper than this are refused (encoding and decoding recurse). */
const MAX_DEPTH = 64;
const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function kindOf(v: ArrayBufferView): Kind | null {
  for (const [k, C] of Object.entries(KINDS)) if (v instanceof C) return k as Kind;
  return null;
}

export function encodeState(value: unknown): EncodedState {
  if (!littleEndian) throw new Error('big-endian hosts are not supported');
  const sections: Section[] = [];
  const chunks: Uint8Array[] = [];
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new Error('state nested too deeply');
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (ArrayBuffer.isView(v)) {
      const kind = kindOf(v);
      if (!kind) throw new Error(`cannot store a ${v.constructor.name} in a state`);
      sections.push({ kind, length: (v as Typed).length });
      chunks.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)); // copied into the payload below
      return { [`$${kind}`]: sections.length - 1 };
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (k.startsWith('$')) throw new Error(`state keys may not start with $ (${k})`);
        if (x !== undefined) out[k] = walk(x, depth + 1);
      }
      return out;
    }
    throw new Error(`cannot store a ${typeof v} in a state`);
  };
  const json = walk(value, 0);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const payload = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    payload.set(c, off);
    off += c.length;
  }
  return { json, sections, payload };
}

/** Rebuilds encodeState's value; what names the file in error messages. */
export function decodeState(json: unknown, sections: unknown, payload: Uint8Array, what: string): unknown {
  const bad = (why: string): never => {
    throw new ModelFileError(`${what}: corrupted (${why})`);
  };
  if (!Array.isArray(sections) || sections.length > payload.length + 1024) bad('section list');
  const offsets: number[] = [];
  let off = 0;
  for (const s of sections as unknown[]) {
    const r = s as Partial<Section> | null;
    if (typeof r !== 'object' || r === null || !(typeof r.kind === 'string' && Object.hasOwn(KINDS, r.kind))) bad('section kind');
    const width = KINDS[r!.kind!].BYTES_PER_ELEMENT;
    if (!(Number.isInteger(r!.length) && r!.length! >= 0 && r!.length! * width <= payload.length - off)) bad('section sizes do not add up to the payload');
    offsets.push(off);
    off += r!.length! * width;
  }
  if (off !== payload.length) bad(`sections hold ${off} bytes, the payload ${payload.length}`);
  const used = new Uint8Array(offsets.length);
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) bad('nested too deeply');
    if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (typeof v !== 'object') bad('unexpected value');
    const keys = Object.keys(v as object);
    const tag = keys.length === 1 && keys[0]!.startsWith('$') ? keys[0]!.slice(1) : null;
    if (tag === null) {
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        if (k.startsWith('$')) bad(`unexpected key ${k}`);
        // defineProperty: a key named __proto__ stays a plain key.
        Object.defineProperty(out, k, { value: walk((v as Record<string, unknown>)[k], depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    const x = (v as Record<string, unknown>)[keys[0]!];
    if (tag === 'num') {
      if (typeof x !== 'string' || !Object.hasOwn(NON_FINITE, x)) bad('unknown special number');
      return NON_FINITE[x as string];
    }
    if (!Object.hasOwn(KINDS, tag)) bad(`unknown tag $${tag}`);
    if (!(Number.isInteger(x) && (x as number) >= 0 && (x as number) < offsets.length)) bad('reference to a missing section');
    const i = x as number;
    const s = (sections as Section[])[i]!;
    if (s.kind !== tag || used[i]) bad(`section ${i} referenced wrongly`);
    used[i] = 1;
    const C = KINDS[s.kind];
    // A copy: the payload's offset in the file need not be aligned for the typed view.
    const bytes = payload.slice(offsets[i]!, offsets[i]! + s.length * C.BYTES_PER_ELEMENT);
    return new C(bytes.buffer, 0, s.length);
  };
  const value = walk(json, 0);
  if (!used.every((u) => u === 1)) bad('a section is not referenced');
  return value;
}
