/**
 * The engine's seeded random generator: MT19937 seeded and drawn exactly as numpy's legacy RandomState
 * (np.random.seed / random / randint), so the book's experiments reproduce bit for bit. Every random draw
 * in the library goes through an instance of this class; there is no Math.random anywhere.
 */
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;

/** Everything needed to continue the stream exactly (for checkpoints). */
export interface RngState {
  key: number[]; // 624 uint32
  pos: number;
}

/** Words in the generator's key (its state, with a position in it). */
export const MT_KEY_WORDS = N;

/** Regenerates the whole block of 624 words (the standard MT19937 twist; three loops instead of % N). */
export function twistKey(key: Uint32Array): void {
  let i = 0;
  for (; i < N - M; i++) {
    const y = (key[i]! & 0x80000000) | (key[i + 1]! & 0x7fffffff);
    key[i] = key[i + M]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  }
  for (; i < N - 1; i++) {
    const y = (key[i]! & 0x80000000) | (key[i + 1]! & 0x7fffffff);
    key[i] = key[i + M - N]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  }
  const y = (key[N - 1]! & 0x80000000) | (key[0]! & 0x7fffffff);
  key[N - 1] = key[M - 1]! ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
}

/** MT19937's output function: a key word to the draw it gives, as an unsigned integer. */
export function temper(y: number): number {
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >>> 18;
  return y >>> 0;
}

export class Rng {
  private readonly key = new Uint32Array(N);
  private pos = N;

  /** seed: an integer in [0, 2^32), as numpy's seed(). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
    }
    const key = this.key;
    key[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = key[i - 1]!;
      key[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.pos = N;
  }

  private twist(): void {
    twistKey(this.key);
    this.pos = 0;
  }

  /** The next tempered 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.pos === N) this.twist();
    return temper(this.key[this.pos++]!);
  }

  /** out[0..n) = the next n nextUint32() draws, in order (a tight loop for dropout masks). */
  fillUint32(out: Uint32Array, n = out.length): Uint32Array {
    const key = this.key;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      if (pos === N) {
        this.twist();
        pos = 0;
      }
      out[i] = temper(key[pos++]!);
    }
    this.pos = pos;
    return out;
  }

  /**
   * Lends the live state to a bulk drawer (a backend's MT19937 kernel): `draw(key, pos)` must advance the
   * key (624 words, twisted in place by twistKey's rule) from position pos exactly as that many
   * nextUint32() calls would, and return the new position (0 to 624).
   */
  drawWith(draw: (key: Uint32Array, pos: number) => number): void {
    const pos = draw(this.key, this.pos);
    if (!(Number.isInteger(pos) && pos >= 0 && pos <= N)) throw new RangeError(`Rng.drawWith: position ${pos} is not in [0, ${N}]`);
    this.pos = pos;
  }

  /** A double in [0, 1) with 53 random bits: numpy's random_sample / next_double. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** An integer in [0, high): numpy's legacy randint(high) (masked rejection sampling). */
  randint(high: number): number {
    if (!Number.isInteger(high) || high < 1 || high > 0x100000000) {
      throw new RangeError(`randint high must be an integer in [1, 2^32], got ${high}`);
    }
    const rng = high - 1;
    if (rng === 0) return 0;
    let mask = rng;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    for (;;) {
      const v = (this.nextUint32() & mask) >>> 0;
      if (v <= rng) return v;
    }
  }

  /** Fills out with random() draws in order (numpy's random(shape), row-major). */
  fillRandom(out: Float64Array | Float32Array): typeof out {
    for (let i = 0; i < out.length; i++) out[i] = this.random();
    return out;
  }

  /** Shuffles a in place (Fisher-Yates from the end, one randint per swap). */
  shuffle(a: Int32Array | number[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.randint(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }

  getState(): RngState {
    return { key: Array.from(this.key), pos: this.pos };
  }

  setState(state: Readonly<RngState>): void {
    if (!Array.isArray(state.key) || state.key.length !== N || !Number.isInteger(state.pos) || state.pos < 0 || state.pos > N) {
      throw new RangeError('bad random generator state');
    }
    for (let i = 0; i < N; i++) {
      const v = state.key[i];
      if (!Number.isInteger(v) || v! < 0 || v! > 0xffffffff) throw new RangeError('bad random generator state');
      this.key[i] = v!;
    }
    this.pos = state.pos;
  }

  /** The internal key, for the golden-value test of the seeding. */
  keyWord(i: number): number {
    return this.key[i]!;
  }
}
