/**
 * The module's exp and log (assembly/libm.ts) are libm.ts's bit for bit: on the edge cases (+-0, subnormals,
 * the thresholds of overflow and underflow and their neighbours, huge, NaN, +-Infinity, exact powers of two),
 * on arguments of random bits (every exponent), and on dense runs where the loss's arguments fall (exp on
 * [-750, 710], log on (0, 1e3]), in both builds (plain SIMD and relaxed SIMD).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { exp, log } from '../libm.js';
import { Rng } from '../../rng/mt19937.js';
import { hasRelaxedSimd } from './load.js';

const SEED = (Date.now() ^ (process.pid << 8)) >>> 0;

interface Libm {
  exp(x: number): number;
  log(x: number): number;
}

async function load(file: string): Promise<Libm> {
  const module = await WebAssembly.compile(readFileSync(new URL(file, import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2 });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as Libm;
}

const words = new Float64Array(1);
const u32 = new Uint32Array(words.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
function fromWords(hi: number, lo: number): number {
  u32[HI] = hi >>> 0;
  u32[1 - HI] = lo >>> 0;
  return words[0]!;
}

/** The arguments: edges, then each one's neighbours (the next doubles up and down). */
function edges(): number[] {
  const xs = [0, -0, Infinity, -Infinity, NaN, fromWords(0x7ff80000, 1), fromWords(0xfff00000, 5), 1, -1, 2, 0.5, Math.E, Math.LN2, Math.SQRT2, Math.SQRT1_2,
    Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, 2.225073858507201e-308, Number.MAX_VALUE, -Number.MAX_VALUE,
    709.782712893384, -745.1332191019411, -708.39641853226408, 7.09782712893383973096e+02, -7.45133219101941108420e+02,
    0.34657359027997264, 1.0397207708399179, 3.725290298461914e-9, -3.725290298461914e-9, 1e-300, 1e300, 88.72, -103.97, 1 + 2 ** -20, 1 - 2 ** -20];
  for (let k = -1074; k <= 1023; k += 1) xs.push(2 ** k);
  for (let k = -1100; k <= 1100; k++) xs.push(k, k + 0.5, k * Math.LN2, -k * Math.LN2);
  const out: number[] = [];
  for (const x of xs) {
    out.push(x);
    words[0] = x;
    const lo = u32[1 - HI]!, hi = u32[HI]!;
    for (const d of [-2, -1, 1, 2]) {
      const l = lo + d;
      out.push(fromWords(hi + (l < 0 ? -1 : l > 0xffffffff ? 1 : 0), l >>> 0));
    }
  }
  return out;
}

function assertSame(name: string, got: (x: number) => number, want: (x: number) => number, xs: Iterable<number>): number {
  let n = 0;
  for (const x of xs) {
    const g = got(x), w = want(x);
    if (!Object.is(g, w)) assert.fail(`${name}(${x}) is ${g} in wasm, ${w} in libm.ts (seed ${SEED})`);
    n++;
  }
  return n;
}

function* randomBits(rng: Rng, count: number): Generator<number> {
  for (let i = 0; i < count; i++) yield fromWords(rng.nextUint32(), rng.nextUint32());
}

function* uniform(rng: Rng, count: number, lo: number, hi: number): Generator<number> {
  for (let i = 0; i < count; i++) yield lo + (hi - lo) * rng.random();
}

for (const file of ['kernels-simd.wasm', ...(hasRelaxedSimd() ? ['kernels-relaxed.wasm'] : [])]) {
  test(`${file}: exp and log are libm.ts's bit for bit (seed ${SEED})`, async () => {
    const m = await load(file);
    const rng = new Rng(SEED);
    const xs = edges();
    assertSame('exp', m.exp, exp, xs);
    assertSame('log', m.log, log, xs);
    assertSame('exp', m.exp, exp, randomBits(rng, 1_000_000));
    assertSame('log', m.log, log, randomBits(rng, 1_000_000));
    assertSame('exp', m.exp, exp, uniform(rng, 1_000_000, -750, 710));
    assertSame('exp', m.exp, exp, uniform(rng, 1_000_000, -20, 1));
    assertSame('log', m.log, log, uniform(rng, 1_000_000, 0, 1e3));
    assertSame('log', m.log, log, uniform(rng, 500_000, 1, 12));
  });
}
