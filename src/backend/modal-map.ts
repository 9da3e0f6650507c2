/**
 * The zero-gradient step of SGD with momentum and L2 in its eigenbasis: M = [[1 - lr l2, -lr m], [l2, m]] on
 * (w, v) has, when m > 0 and lr l2 is small enough, two real eigenvalues r1 > r2 > 0 (r1 r2 = m) with
 * eigenvectors (1, h1), (1, h2). A weight matrix is then (w, v) = s1 P (1, h1) + s2 Q (1, h2) with two scales
 * for the whole matrix, s = r^k after k steps: a step with gradient g adds (-lr g, g) = c1 (1, h1) + c2 (1, h2)
 * after M, so P += c1 g / s1', Q += c2 g / s2' on the rows of nonzero inputs only, and every other row's decay
 * is the scales' (assembly/per-example-reg32.ts, 'modal'). In exact arithmetic that is the dense update;
 * the conversions below round each value once (float64 arithmetic, as written), the same in JavaScript
 * and WebAssembly.
 */

export interface ModalMap {
  readonly r1: number;
  readonly r2: number;
  readonly h1: number;
  readonly h2: number;
  readonly c1: number;
  readonly c2: number;
}

/**
 * The smallest s2 a modal matrix runs with: below it, P and Q are brought back to scale 1 (renormalised: a
 * pass over the whole matrix, with momentum 0.9 every 421 steps). Q is then at most 2^64 times the size of
 * its share of the velocity: far inside float32's range.
 */
export const MIN_MODAL_SCALE = 2 ** -64;

/** M's eigenbasis, or null when it has none fit for the scales (no momentum, complex or tiny eigenvalues). */
export function modalMap(lr: number, momentum: number, l2: number): ModalMap | null {
  if (!(momentum > 0)) return null;
  const a = 1 - lr * l2;
  const tr = a + momentum;
  const disc = tr * tr - 4 * momentum;
  if (!(disc > 0)) return null;
  // Without L2 the eigenvalues are 1 and the momentum exactly (the formula's rounding made r1 1 - 6e-16 at
  // momentum 0.9 and above 1 at 0.99, which then had no map): P then keeps its scale, s1 = 1.
  const r1 = l2 === 0 ? 1 : (tr + Math.sqrt(disc)) / 2;
  const r2 = l2 === 0 ? momentum : momentum / r1;
  if (!(r1 > r2 && r2 > 2 ** -10 && r1 <= 1)) return null;
  const h1 = (a - r1) / (lr * momentum);
  const h2 = (a - r2) / (lr * momentum);
  const c2 = (1 + lr * h1) / (h2 - h1);
  const c1 = -lr - c2;
  return { r1, r2, h1, h2, c1, c2 };
}

/** (w, v) at scale 1 into (P, Q): q = (v - h1 w) * (1 / (h2 - h1)), P = fl32(w - q), Q = fl32(q); at [o, o + n). */
export function toModal(map: ModalMap, w: Float32Array | Float64Array, v: Float32Array | Float64Array, o: number, n: number): void {
  const inv = 1 / (map.h2 - map.h1);
  for (let j = o; j < o + n; j++) {
    const q = (v[j]! - map.h1 * w[j]!) * inv;
    w[j] = w[j]! - q;
    v[j] = q;
  }
}

/**
 * fromModal's map as the coefficients (a, b, c, d) of Backend.rowsDecay (w = a P + b Q, v = c P + d Q): the
 * backend's row kernel converts a whole matrix back with them (lazy-rows.ts), as fromModal does.
 */
export function fromModalCoefficients(map: ModalMap, s1: number, s2: number): [number, number, number, number] {
  return [s1, s2, map.h1 * s1, map.h2 * s2];
}

/**
 * (P, Q) at scales s1, s2 into (w, v): w = s1 P + s2 Q, v = (h1 s1) P + (h2 s2) Q (rowsDecay's arithmetic with
 * fromModalCoefficients: float64, each value rounded once); at [o, o + n).
 */
export function fromModal(map: ModalMap, s1: number, s2: number, p: Float32Array | Float64Array, q: Float32Array | Float64Array, o: number, n: number): void {
  const [a, b, c, d] = fromModalCoefficients(map, s1, s2);
  for (let j = o; j < o + n; j++) {
    const pj = p[j]!, qj = q[j]!;
    p[j] = a * pj + b * qj;
    q[j] = c * pj + d * qj;
  }
}

/** The scales after k steps from scale 1: k multiplications by r1 and by r2, in that order. */
export function modalScales(map: ModalMap, k: number): [number, number] {
  let s1 = 1, s2 = 1;
  for (let i = 0; i < k; i++) {
    s1 *= map.r1;
    s2 *= map.r2;
  }
  return [s1, s2];
}
