/**
 * libm: exp, log, pow, expm1, tanh equal Node 20's Math on millions of arguments (under Node that is an
 * equality check with V8's fdlibm), and hard-coded bit patterns on any engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../rng/mt19937.js';
import { exp, expm1, log, pow, tanh } from './libm.js';

const view = new DataView(new ArrayBuffer(8));
const fromHex = (h: string): number => {
  view.setBigUint64(0, BigInt('0x' + h));
  return view.getFloat64(0);
};
const toHex = (x: number): string => {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
};

/** A double from 64 random bits: every sign, exponent and fraction, NaN and infinities included. */
function anyDouble(rng: Rng): number {
  view.setUint32(0, rng.nextUint32());
  view.setUint32(4, rng.nextUint32());
  return view.getFloat64(0);
}

/** Edge cases every function meets: zeros, subnormals, the extremes, infinities, NaN, the thresholds. */
const EDGES = [
  0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, -2.2250738585072014e-308, 1.7976931348623157e308,
  -1.7976931348623157e308, Infinity, -Infinity, NaN, 1, -1, 2, 0.5, 709.782712893384, 709.7827128933841, -745.1332191019411,
  -745.1332191019412, -708.3964185322641, -708.3964185322642, 3.725290298461914e-9, -3.725290298461914e-9, 0.34657359027997264,
  0.3465735902799727, 1.0397207708399179, -1.0397207708399179, 38.816242111356935, 22, -22, 1 + 2 ** -52, 1 - 2 ** -53,
  Math.SQRT2, Math.SQRT1_2, 1e-300, 1e300,
];

/** Counts the arguments where f and the engine's g disagree (Object.is: -0 and NaN count), keeping a few. */
function compare(name: string, f: (x: number) => number, g: (x: number) => number, args: Iterable<number>): number {
  let n = 0;
  const wrong: string[] = [];
  for (const x of args) {
    n++;
    const a = f(x);
    const b = g(x);
    if (!Object.is(a, b) && wrong.push(`${name}(${x}) = ${a}, Math: ${b}`) >= 5) break;
  }
  assert.deepEqual(wrong, [], `${name}: ${wrong.length} differences`);
  return n;
}

function* draws(count: number, seed: number, draw: (rng: Rng) => number): Generator<number> {
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) yield draw(rng);
}

test('exp equals Math.exp on 2.5 million arguments: any double, the whole range, softmax shifts, near 0, edges', () => {
  let n = compare('exp', exp, Math.exp, EDGES);
  n += compare('exp', exp, Math.exp, draws(500_000, 1, anyDouble));
  n += compare('exp', exp, Math.exp, draws(500_000, 2, (r) => (r.random() - 0.5) * 1500));
  n += compare('exp', exp, Math.exp, draws(1_000_000, 3, (r) => -r.random() * 40)); // logit - max
  n += compare('exp', exp, Math.exp, draws(250_000, 4, (r) => (r.random() - 0.5) * 2 ** -(r.randint(60))));
  n += compare('exp', exp, Math.exp, draws(250_000, 5, (r) => -745.2 + r.random() * 37)); // subnormal results
  assert.ok(n > 2_500_000);
});

test('log equals Math.log on 2.5 million arguments: any double, softmax sums, near 1, subnormals, edges', () => {
  let n = compare('log', log, Math.log, EDGES);
  n += compare('log', log, Math.log, draws(500_000, 6, anyDouble));
  n += compare('log', log, Math.log, draws(1_000_000, 7, (r) => 1 + r.random() * 20)); // sums of exp(logit - max)
  n += compare('log', log, Math.log, draws(500_000, 8, (r) => 1 + (r.random() - 0.5) * 2 ** -r.randint(40)));
  n += compare('log', log, Math.log, draws(250_000, 9, (r) => r.random() * 2.2250738585072014e-308));
  n += compare('log', log, Math.log, draws(250_000, 10, (r) => r.random() * 2 ** (r.randint(2046) - 1023)));
  assert.ok(n > 2_500_000);
});

test("pow equals Math.pow (**) on 1.3 million pairs: Adam's beta^t, any doubles, moderate ones, edges", () => {
  let n = 0;
  for (const beta of [0.9, 0.999, 0.99, 0.5]) n += compare(`pow(${beta}, t)`, (t) => pow(beta, t), (t) => beta ** t, draws(100_000, 11, (r) => 1 + r.randint(1_000_000)));
  const rng = new Rng(12);
  const pairs: [number, number][] = [];
  for (const x of EDGES) for (const y of EDGES) pairs.push([x, y]);
  for (let i = 0; i < 300_000; i++) pairs.push([anyDouble(rng), anyDouble(rng)]);
  for (let i = 0; i < 300_000; i++) pairs.push([rng.random() * 10, (rng.random() - 0.5) * 200]);
  for (let i = 0; i < 200_000; i++) pairs.push([-rng.random() * 10, rng.randint(200) - 100]);
  for (let i = 0; i < 100_000; i++) pairs.push([rng.random(), 1 + rng.randint(100_000)]);
  n += compare('pow(pair i)', (i) => pow(...pairs[i]!), (i) => Math.pow(...pairs[i]!), pairs.keys());
  assert.ok(n > 1_300_000);
});

test('expm1 and tanh equal Math.expm1 and Math.tanh on half a million arguments each', () => {
  for (const [name, f, g] of [['expm1', expm1, Math.expm1], ['tanh', tanh, Math.tanh]] as const) {
    compare(name, f, g, EDGES);
    compare(name, f, g, draws(200_000, 13, anyDouble));
    compare(name, f, g, draws(200_000, 14, (r) => (r.random() - 0.5) * 60));
    compare(name, f, g, draws(100_000, 15, (r) => (r.random() - 0.5) * 2 ** -r.randint(60)));
  }
});

/**
 * Bit patterns computed apart from any JavaScript engine (python3's math on glibc), kept only where glibc's
 * result and fdlibm's agree, so that the functions are checked on an engine whose Math differs too.
 */
const TABLE: Record<'exp' | 'log' | 'tanh', [string, string][]> & { pow: [string, string, string][] } = {
  exp: [
    ['3ff0000000000000', '4005bf0a8b145769'], ['bff0000000000000', '3fd78b56362cef38'], ['3fe0000000000000', '3ffa61298e1e069c'],
    ['bfe0000000000000', '3fe368b2fc6f960a'], ['3fd62e42fefa39ef', '3ff6a09e667f3bcc'], ['3fd62e42fefa39f0', '3ff6a09e667f3bcd'],
    ['3ff0a2b23f3bab73', '4006a09e667f3bcc'], ['bff0a2b23f3bab73', '3fd6a09e667f3bcd'], ['40862e42fefa39ef', '7fefffffffffff2a'],
    ['c0874910d52d3051', '0000000000000001'], ['c0874910d52d3052', '0000000000000000'], ['c086240000000000', '000e6cf6d08897ac'],
    ['c087200000000000', '0000000000000055'], ['3e30000000000000', '3ff0000001000000'], ['3e2fffffffffffff', '3ff0000001000000'],
    ['c034800000000000', '3e157a3afeed00ab'], ['4024000000000000', '40d5829dcf950560'], ['4059000000000000', '48f3494a9b171bf5'],
    ['bfb999999999999a', '3fecf46d99d52b3a'], ['4000000000000000', '401d8e64b8d4ddae'], ['3f50624dd2f1a9fc', '3ff0041919b7ee34'],
    ['40562e42feba39ef', '47efffffdffffff5'],
  ],
  log: [
    ['4000000000000000', '3fe62e42fefa39ef'], ['3fe0000000000000', 'bfe62e42fefa39ef'], ['4024000000000000', '40026bb1bbb55516'],
    ['000012688b70e62b', 'c0864e69394d9508'], ['0000000000000001', 'c0874385446d71c3'], ['3ff000001ad7f29b', '3e7ad7f2847b6492'],
    ['3fefffffca501acb', 'be7ad7f2b1049b9f'], ['3ff6a09e667f3bcd', '3fd62e42fefa39f0'], ['3fe6a09e667f3bcc', 'bfd62e42fefa39f1'],
    ['7fe1ccf385ebc8a0', '40862991d5d62a5e'], ['7fefffffffffffff', '40862e42fefa39ef'], ['3fb999999999999a', 'c0026bb1bbb55515'],
    ['3ff8000000000000', '3fd9f323ecbf984c'], ['0010000000000000', 'c086232bdd7abcd2'], ['401c000000000000', '3fff2272ae325a57'],
    ['3ee4f8b588e368f1', 'c027069e2aa2aa5b'], ['40fe240c9fbe76c9', '40277281cad8a844'],
  ],
  pow: [
    ['3feccccccccccccd', '4024000000000000', '3fd650bf60432fd9'], ['3feff7ced916872b', '4024000000000000', '3fefae7299c256e3'],
    ['3feccccccccccccd', '4059000000000000', '3efbda056ed49410'], ['3feff7ced916872b', '408f400000000000', '3fd788526411ed72'],
    ['4000000000000000', '3fe0000000000000', '3ff6a09e667f3bcd'], ['4000000000000000', 'c090c80000000000', '0000000000000001'],
    ['3fe0000000000000', '4008000000000000', '3fc0000000000000'], ['3ff8000000000000', '4044000000000000', '416517168a4523fd'],
    ['4008000000000000', '4008000000000000', '403b000000000000'],
  ],
  tanh: [
    ['3fe0000000000000', '3fdd9353d7568af3'], ['bfe0000000000000', 'bfdd9353d7568af3'], ['3ff0000000000000', '3fe85efab514f394'],
    ['4000000000000000', '3feed9505e1bc3d4'], ['3fb999999999999a', '3fb983d7795f413a'], ['c008000000000000', 'bfefd77d111a0b00'],
    ['3e112e0be826d695', '3e112e0be826d695'], ['4034000000000000', '3ff0000000000000'],
  ],
};

test('hard-coded bit patterns, independent of the engine running the test', () => {
  for (const [x, want] of TABLE.exp) assert.equal(toHex(exp(fromHex(x))), want, `exp(${fromHex(x)})`);
  for (const [x, want] of TABLE.log) assert.equal(toHex(log(fromHex(x))), want, `log(${fromHex(x)})`);
  for (const [x, want] of TABLE.tanh) assert.equal(toHex(tanh(fromHex(x))), want, `tanh(${fromHex(x)})`);
  for (const [x, y, want] of TABLE.pow) assert.equal(toHex(pow(fromHex(x), fromHex(y))), want, `pow(${fromHex(x)}, ${fromHex(y)})`);
  // Where fdlibm (so Node 20) and glibc part, fdlibm's answer: both are within an ulp of the truth.
  assert.equal(toHex(exp(-7.25)), '3f47455fe323fafe', 'exp(-7.25), glibc ...fd');
  assert.equal(toHex(log(3)), '3ff193ea7aad030a', 'log(3), glibc ...0b');
  assert.equal(pow(0.9, 42), 0.011972515182562031, "0.9 ** 42 as V8's pow groups it (fdlibm's own: ...033)");
});
