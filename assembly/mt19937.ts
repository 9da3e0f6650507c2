/**
 * MT19937 (the engine's Rng: numpy's legacy generator) drawn straight into a dropout mask, bit for bit as
 * the reference backend draws it: the same twist and tempering, four words at a time. The state (624
 * key words and a position) stays the caller's: it is copied in, advanced here, and copied back.
 */
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;

/**
 * mask[n] = keep where the generator's next draw u >= threshold (unsigned), else 0, drawing from key[624]
 * at position pos (624: twist first); returns the new position.
 */
export function dropoutMask(mask: usize, key: usize, pos: i32, n: i32, threshold: u32, keep: f32): i32 {
  const vt = i32x4.splat(threshold);
  const vk = f32x4.splat(keep);
  const b = i32x4.splat(0x9d2c5680);
  const c = i32x4.splat(0xefc60000);
  let i = 0;
  while (i < n) {
    if (pos == N) {
      twist(key);
      pos = 0;
    }
    const end = min(n, i + N - pos);
    for (; i + 4 <= end; i += 4, pos += 4) {
      let y = v128.load(key + (<usize>pos << 2));
      y = v128.xor(y, i32x4.shr_u(y, 11));
      y = v128.xor(y, v128.and(i32x4.shl(y, 7), b));
      y = v128.xor(y, v128.and(i32x4.shl(y, 15), c));
      y = v128.xor(y, i32x4.shr_u(y, 18));
      v128.store(mask + (<usize>i << 2), v128.and(i32x4.ge_u(y, vt), vk));
    }
    for (; i < end; i++, pos++) {
      let y = load<u32>(key + (<usize>pos << 2));
      y ^= y >> 11;
      y ^= (y << 7) & 0x9d2c5680;
      y ^= (y << 15) & 0xefc60000;
      y ^= y >> 18;
      store<f32>(mask + (<usize>i << 2), y >= threshold ? keep : 0);
    }
  }
  return pos;
}

/**
 * The standard twist of all 624 words, in place. Word i needs words i + 1 (not yet rewritten) and
 * i + M (old) or i + M - N (already rewritten, 227 words back): four consecutive words never depend on
 * each other, so they are rewritten four at a time.
 */
export function twist(key: usize): void {
  let i = 0;
  for (; i + 4 <= N - M; i += 4) twist4(key, i, i + M);
  for (; i < N - M; i++) twist1(key, i, i + 1, i + M);
  for (; i + 4 <= N - 1; i += 4) twist4(key, i, i + M - N);
  for (; i < N - 1; i++) twist1(key, i, i + 1, i + M - N);
  twist1(key, N - 1, 0, M - 1);
}

// @ts-ignore: decorator
@inline function twist4(key: usize, i: i32, j: i32): void {
  const p = key + (<usize>i << 2);
  const y = v128.or(v128.and(v128.load(p), i32x4.splat(0x80000000)), v128.and(v128.load(p, 4), i32x4.splat(0x7fffffff)));
  const mag = v128.and(i32x4.neg(v128.and(y, i32x4.splat(1))), i32x4.splat(MATRIX_A));
  v128.store(p, v128.xor(v128.load(key + (<usize>j << 2)), v128.xor(i32x4.shr_u(y, 1), mag)));
}

// @ts-ignore: decorator
@inline function twist1(key: usize, i: i32, next: i32, j: i32): void {
  const y = (load<u32>(key + (<usize>i << 2)) & 0x80000000) | (load<u32>(key + (<usize>next << 2)) & 0x7fffffff);
  store<u32>(key + (<usize>i << 2), load<u32>(key + (<usize>j << 2)) ^ (y >> 1) ^ (-(y & 1) & MATRIX_A));
}
