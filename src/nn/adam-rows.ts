/**
 * Adam's first-layer rows stepped lazily on the per-example path (batch 1, l2 = 0): the state a per-example
 * stepper reads and writes (backend/per-example-adam.ts), the block's tables, and the catch-up in JavaScript
 * (assembly/per-example-adam.ts's arithmetic, bit for bit: per-example-adam-ref.ts, sync without a fast
 * stepper and the copies current() reads use it).
 *
 * A row whose pixel is 0 for k steps has g = 0 there: m <- beta1^k m, v <- beta2^k v, and w moves by
 * sum_j lr m̂_j / (sqrt(v̂_j) + eps) = lr m1 sum_j r^j G_(a+j) / (sqrt(v1) + eps h_j), r = beta1 / sqrt(beta2),
 * G_s = sqrt(1 - beta2^s) / (1 - beta1^s), h_j = sqrt(1 - beta2^(a+j)) beta2^(-j/2). The row's own last step (its
 * gradient x * d) is the sum's first term, deferred until the row is next read. The sum is expanded around the
 * row's mean h (a series in z (h_j - h̄), converging for every v: as many terms, up to six, as the row's spread
 * of h needs for a truncation below 2^-26 relative), or where that spread is too wide (the first thousand or so
 * steps) in eps / sqrt(v) (four terms, used where each term's ratio is at most 2^-7, else the steps one by one):
 * assembly/per-example-adam.ts states the arithmetic. The per-row sums come from the block's float64 suffix
 * sums Q_k (a difference of two loses at most about (1 + r) / (1 - r) float64 ulps: the terms decay by about r
 * per step) combined by binomials (their cancellation costs float64 digits only below the truncation).
 *
 * Tables of the block of steps T0 + 1 .. T0 + B (float64, TABLES arrays of B + 1, local index i for step T0 + 1 + i):
 * SS = lr / (1 - beta1^s), BC = sqrt(1 - beta2^s) (ref.ts's adamFactors), Q_k[i] = sum_(i' >= i) F_k[i'] G c^k
 * (c = BC, F_k[i] = r^i beta2^(-i k / 2)), IF_k = 1 / F_k, B1K[k] = beta1^k, B2K[k] = beta2^k, LIM[k] =
 * 2^-7 beta2^((k - 1) / 2) / eps (the largest 1 / sqrt(v1) for which every u h_j of k steps is <= 2^-7), H[i] =
 * c_i beta2^(-i/2), EH[i] = eps beta2^(i/2), RHO[n] = the largest spread n terms take; with libm.ts's pow (c^k
 * by repeated multiplication), so the same on every engine. The rows sync at each block's end, at the epoch's
 * end and before a checkpoint (Adam.getState), and before a dense step.
 */
import type { Backend, FloatArray } from '../backend/backend.js';
import { pow } from '../backend/libm.js';
import type { PerExampleAdamRows } from '../backend/per-example-adam.js';

/** Steps per block. */
export const ADAM_BLOCK = 128;
export const TABLES = 20;
export const T = { SS: 0, BC: 1, Q0: 2, IF0: 8, B1K: 14, B2K: 15, LIM: 16, H: 17, EH: 18, RHO: 19 } as const;
/** The most terms of the series around the row's mean h, and the bound on its truncation (relative). */
export const MEAN_TERMS = 6;
export const MEAN_BOUND = 2 ** -26;

/** The largest spread rho (rho^n / (1 - rho) <= MEAN_BOUND) for which n terms suffice, n = 1 .. MEAN_TERMS. */
export function spreadLimit(n: number): number {
  let lo = 0, hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid ** n / (1 - mid) <= MEAN_BOUND) lo = mid;
    else hi = mid;
  }
  return lo;
}

export interface AdamScalars {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/** The factors of the tables that do not depend on the block: F_n[i] = r^i beta2^(-i n / 2), beta2^(-i/2). */
const staticFactors = new Map<string, { F: Float64Array; half: Float64Array }>();

function factors(beta1: number, beta2: number, B: number): { F: Float64Array; half: Float64Array } {
  const key = `${beta1} ${beta2} ${B}`;
  let got = staticFactors.get(key);
  if (!got) {
    const r = beta1 / Math.sqrt(beta2);
    const F = new Float64Array(6 * (B + 1)), half = new Float64Array(B + 1);
    for (let n = 0; n < 6; n++) for (let i = 0; i <= B; i++) F[n * (B + 1) + i] = pow(r, i) * pow(beta2, (-i * n) / 2);
    for (let i = 0; i <= B; i++) half[i] = pow(beta2, -i / 2);
    got = { F, half };
    staticFactors.set(key, got);
  }
  return got;
}

/**
 * The tables of the block of steps T0 + 1 .. T0 + B into out (TABLES * (B + 1) doubles); with `block` only,
 * the arrays that depend on the block (SS, BC, Q_n, H), the others as a previous call left them.
 */
export function fillAdamTables(out: Float64Array, c: AdamScalars, T0: number, B: number, block = false): void {
  const S = B + 1;
  const { lr, beta1, beta2, eps } = c;
  const { F, half } = factors(beta1, beta2, B);
  const G = new Float64Array(B), cs = new Float64Array(B);
  for (let i = 0; i < B; i++) {
    const s = T0 + 1 + i;
    const bc1 = 1 - pow(beta1, s);
    cs[i] = Math.sqrt(1 - pow(beta2, s));
    out[T.SS * S + i] = lr / bc1;
    out[T.BC * S + i] = cs[i]!;
    G[i] = cs[i]! / bc1;
  }
  out[T.SS * S + B] = 0;
  out[T.BC * S + B] = 0;
  for (let n = 0; n < 6; n++) out[(T.Q0 + n) * S + B] = 0;
  for (let i = B - 1; i >= 0; i--) {
    // F_n G c^n, c^n by repeated multiplication
    let cn = 1;
    for (let n = 0; n < 6; n++) {
      const q = (T.Q0 + n) * S;
      out[q + i] = out[q + i + 1]! + F[n * S + i]! * G[i]! * cn;
      cn *= cs[i]!;
    }
  }
  for (let i = 0; i <= B; i++) out[T.H * S + i] = i < B ? cs[i]! * half[i]! : 0;
  if (block) return;
  for (let n = 0; n < 6; n++) for (let i = 0; i <= B; i++) out[(T.IF0 + n) * S + i] = 1 / F[n * S + i]!;
  for (let i = 0; i <= B; i++) out[T.EH * S + i] = eps * pow(beta2, i / 2);
  out[T.RHO * S] = 0;
  for (let n = 1; n <= MEAN_TERMS; n++) out[T.RHO * S + n] = spreadLimit(n);
  for (let k = 0; k <= B; k++) {
    out[T.B1K * S + k] = pow(beta1, k);
    out[T.B2K * S + k] = pow(beta2, k);
    out[T.LIM * S + k] = k === 0 ? 0 : (2 ** -7 * pow(beta2, (k - 1) / 2)) / eps;
  }
}

/** The first layer's lazy rows of one weight matrix W[in, out] (PerExampleAdamRows), in the backend's memory. */
export class AdamRows implements PerExampleAdamRows {
  readonly block = ADAM_BLOCK;
  readonly at: Float64Array;
  readonly px: Float32Array;
  readonly ring: Float32Array;
  private readonly table: Float64Array;
  private tableT0 = -1;
  private readonly mem: FloatArray;
  private fast: ((now: number) => void) | null = null;

  constructor(
    private readonly backend: Backend,
    readonly inSize: number,
    readonly outSize: number,
    readonly c: AdamScalars,
    /** W, m and v (the first layer's). */
    readonly w: FloatArray,
    readonly m: FloatArray,
    readonly v: FloatArray,
  ) {
    const B = this.block;
    const doubles = inSize + TABLES * (B + 1);
    const floats = inSize + B * outSize;
    // One block of the backend's memory: the doubles (8-aligned), then the floats.
    this.mem = backend.alloc(2 * doubles + floats + 2);
    const at0 = this.mem.byteOffset + (this.mem.byteOffset % 8 === 0 ? 0 : 4);
    this.at = new Float64Array(this.mem.buffer, at0, inSize);
    this.table = new Float64Array(this.mem.buffer, at0 + 8 * inSize, TABLES * (B + 1));
    const f0 = at0 + 8 * doubles;
    this.px = new Float32Array(this.mem.buffer, f0, inSize);
    this.ring = new Float32Array(this.mem.buffer, f0 + 4 * inSize, B * outSize);
    this.setAll(0);
  }

  tables(T0: number): Float64Array {
    if (this.tableT0 !== T0) {
      fillAdamTables(this.table, this.c, T0, this.block, this.tableT0 >= 0);
      this.tableT0 = T0;
    }
    return this.table;
  }

  syncWith(sync: ((now: number) => void) | null): void {
    this.fast = sync;
  }

  /** Every row current at step `step` (a fresh optimizer, a restored state, a dense step). */
  setAll(step: number): void {
    this.at.fill(step + 1);
    this.px.fill(0);
  }

  /** Whether some row is behind step `now`. */
  behind(now: number): boolean {
    return this.at.some((a) => a <= now);
  }

  /** Brings every row up to date at step `now` (the stepper's kernel when it gave one, else JavaScript). */
  sync(now: number): void {
    if (!this.behind(now)) return;
    if (this.fast) this.fast(now);
    else adamCatchUpAll(this, this.w, this.m, this.v, now);
  }

  /** W, m and v as they are at step `now` (copies, rows brought up to date; nothing changed), or null when none is behind. */
  current(now: number): { w: Float64Array; m: Float64Array; v: Float64Array } | null {
    if (!this.behind(now)) return null;
    const w = Float32Array.from(this.w), m = Float32Array.from(this.m), v = Float32Array.from(this.v);
    const at = Float64Array.from(this.at), px = Float32Array.from(this.px);
    adamCatchUpAll({ ...this.view(), at, px }, w, m, v, now);
    return { w: Float64Array.from(w), m: Float64Array.from(m), v: Float64Array.from(v) };
  }

  private view(): LazyAdamState {
    return { at: this.at, px: this.px, ring: this.ring, block: this.block, tables: (T0) => this.tables(T0), c: this.c, outSize: this.outSize, inSize: this.inSize };
  }

  /** The state the JavaScript catch-up reads (this object's own arrays). */
  state(): LazyAdamState {
    return this.view();
  }

  dispose(): void {
    this.backend.free?.(this.mem);
    this.fast = null;
  }
}

/** What the JavaScript catch-up reads and writes. */
export interface LazyAdamState {
  readonly at: Float64Array;
  readonly px: Float32Array;
  readonly ring: Float32Array;
  readonly block: number;
  tables(T0: number): Float64Array;
  readonly c: AdamScalars;
  readonly inSize: number;
  readonly outSize: number;
}

/**
 * Terms of the series around the row's mean h for steps ia .. ib (local), 1 .. MEAN_TERMS, or 0 when its spread
 * rho = (H[ib] - H[ia]) / (H[ib] + H[ia]) needs more (the series in eps / sqrt(v) then).
 */
export function meanTerms(tb: Float64Array, S: number, ia: number, ib: number): number {
  const lo = tb[T.H * S + ia]!, hi = tb[T.H * S + ib]!;
  const rho = (hi - lo) / (hi + lo);
  for (let n = 1; n <= MEAN_TERMS; n++) if (rho <= tb[T.RHO * S + n]!) return n;
  return 0;
}

/**
 * The row's coefficients D_n = fl32((-1)^n lr IF_n[ia] T_n), n < nt, T_n = sum_k binom(n, k) p^(n-k) U_k with
 * p = -(H[ia] + H[ib]) / 2 and U_k = Q_k[ia] - Q_k[ib + 1] (assembly/per-example-adam.ts: meanCoefficients).
 */
export function meanCoefficients(tb: Float64Array, S: number, ia: number, ib: number, nt: number, lr: number): number[] {
  return meanCoefficients64(tb, S, ia, ib, nt, lr).map(f);
}

/** meanCoefficients before their rounding to float32 (float64). */
function meanCoefficients64(tb: Float64Array, S: number, ia: number, ib: number, nt: number, lr: number): number[] {
  const p = -((tb[T.H * S + ia]! + tb[T.H * S + ib]!) / 2);
  const U = (k: number) => tb[(T.Q0 + k) * S + ia]! - tb[(T.Q0 + k) * S + ib + 1]!;
  const u0 = U(0), u1 = nt > 1 ? U(1) : 0, u2 = nt > 2 ? U(2) : 0, u3 = nt > 3 ? U(3) : 0, u4 = nt > 4 ? U(4) : 0, u5 = nt > 5 ? U(5) : 0;
  const p2 = p * p, p3 = p2 * p, p4 = p3 * p, p5 = p4 * p;
  const Tn = [
    u0,
    u1 + p * u0,
    u2 + 2 * p * u1 + p2 * u0,
    u3 + 3 * p * u2 + 3 * p2 * u1 + p3 * u0,
    u4 + 4 * p * u3 + 6 * p2 * u2 + 4 * p3 * u1 + p4 * u0,
    u5 + 5 * p * u4 + 10 * p2 * u3 + 10 * p3 * u2 + 5 * p4 * u1 + p5 * u0,
  ];
  const out = [0, 0, 0, 0, 0, 0];
  for (let n = 0; n < nt; n++) out[n] = (n % 2 === 0 ? lr : -lr) * (tb[(T.IF0 + n) * S + ia]! * Tn[n]!);
  return out;
}

/**
 * Three terms with eps folded into the coefficients (the kernel's meanCols3q): D0, fl32(eps D1), fl32((eps eps) D2)
 * from the float64 values, so that z = eps q is not formed (p = D0 + q (D1' + q D2')); null when eps D1 or
 * (eps eps) D2 is not 0 but below 2^-126 (its float32 subnormal or 0: the three terms in z then).
 */
export function foldedCoefficients(tb: Float64Array, S: number, ia: number, ib: number, lr: number, eps: number): number[] | null {
  const D = meanCoefficients64(tb, S, ia, ib, 3, lr);
  const d1 = eps * D[1]!, d2 = eps * eps * D[2]!;
  const sub = (x: number) => x !== 0 && Math.abs(x) < 2 ** -126;
  return sub(d1) || sub(d2) ? null : [f(D[0]!), f(d1), f(d2)];
}

/** Every row of w (with m, v) brought up to date at step `now` (assembly/per-example-adam.ts: adamRowsSync). */
export function adamCatchUpAll(st: LazyAdamState, w: Floats, m: Floats, v: Floats, now: number): void {
  for (let i = 0; i < st.inSize; i++) adamCatchUpRow(st, w, m, v, i, now);
}

/** Whether m and v are +0 at o .. o + n - 1. */
function zeroRows(m: Floats, v: Floats, o: number, n: number): boolean {
  for (let j = o; j < o + n; j++) if (!Object.is(m[j], 0) || !Object.is(v[j], 0)) return false;
  return true;
}

const f = Math.fround;

/** Any float buffer (a backend's or a copy). */
export type Floats = Float32Array | Float64Array;

/** Row i's pending steps a .. b applied (assembly/per-example-adam.ts: catchUpRow), float32 as the kernel. */
export function adamCatchUpRow(st: LazyAdamState, w: Floats, m: Floats, v: Floats, i: number, b: number): void {
  const a = st.at[i]!;
  if (a > b) return;
  const B = st.block;
  const T0 = Math.floor((a - 1) / B) * B;
  const tb = st.tables(T0);
  const S = B + 1;
  const ia = a - T0 - 1, ib = b - T0 - 1;
  const k = b - a;
  const { lr, beta1, beta2, eps } = st.c;
  const K1 = f(tb[T.B1K * S + k]!), K2 = f(tb[T.B2K * S + k]!);
  const b1 = f(beta1), b2 = f(beta2), c1f = f(1 - beta1), c2f = f(1 - beta2), e = f(eps);
  const n = st.outSize;
  const x = st.px[i]!;
  const o = i * n, dOff = ia * n;
  // A row with no gradient pending whose m and v are all +0 (a pixel not yet on) is left as it is (the kernel's
  // catchUpRow): what its catch-up would give it but for the signs of zeros.
  if (Object.is(x, 0) && zeroRows(m, v, o, n)) {
    st.at[i] = b + 1;
    return;
  }
  const nt = meanTerms(tb, S, ia, ib);
  if (nt > 0) {
    // The pixel folded into the moments' rates (the kernel's meanCols): m1 = b1 m + (c1 x) d, v1 = b2 v + (c2 x x) (d d).
    const c1x = f(c1f * x), c2x = f(f(c2f * x) * x);
    const D = meanCoefficients(tb, S, ia, ib, nt, lr);
    const E = f(tb[T.EH * S + ia]! * ((tb[T.H * S + ia]! + tb[T.H * S + ib]!) / 2));
    if (k === 0 && nt === 1) {
      // One step (K1 = K2 = 1): w -= (D0 m1) / (sqrt(v1) + E), the dense step's form (the kernel's meanCols1).
      const D0 = D[0]!;
      for (let j = 0; j < n; j++) {
        const dj = st.ring[dOff + j]!;
        const m1 = f(f(b1 * m[o + j]!) + f(c1x * dj));
        const v1 = f(f(b2 * v[o + j]!) + f(c2x * f(dj * dj)));
        w[o + j] = f(w[o + j]! - f(f(D0 * m1) / f(f(Math.sqrt(v1)) + E)));
        m[o + j] = m1;
        v[o + j] = v1;
      }
      st.at[i] = b + 1;
      st.px[i] = 0;
      return;
    }
    // Three terms with eps folded into D1 and D2 (the kernel's meanCols3q) where they stay normal: z is q.
    const Fd = nt === 3 ? foldedCoefficients(tb, S, ia, ib, lr, eps) : null;
    if (Fd) D.splice(0, 3, ...Fd);
    for (let j = 0; j < n; j++) {
      const dj = st.ring[dOff + j]!;
      const m1 = f(f(b1 * m[o + j]!) + f(c1x * dj));
      const v1 = f(f(b2 * v[o + j]!) + f(c2x * f(dj * dj)));
      const q = f(1 / f(f(Math.sqrt(v1)) + E));
      const z = Fd ? q : f(e * q);
      // Horner over the nt terms (D0 + z (D1 + ... + z D(nt-1))).
      let p = D[nt - 1]!;
      for (let t = nt - 2; t >= 0; t--) p = f(D[t]! + f(z * p));
      w[o + j] = f(w[o + j]! - f(f(m1 * q) * p));
      m[o + j] = f(K1 * m1);
      v[o + j] = f(K2 * v1);
    }
    st.at[i] = b + 1;
    st.px[i] = 0;
    return;
  }
  const coef = (n: number) => f((n % 2 === 0 ? lr : -lr) * ((tb[(T.Q0 + n) * S + ia]! - tb[(T.Q0 + n) * S + ib + 1]!) * tb[(T.IF0 + n) * S + ia]!));
  const C0 = coef(0), C1 = coef(1), C2 = coef(2), C3 = coef(3);
  const lim = f(tb[T.LIM * S + k + 1]!);
  for (let j = 0; j < n; j++) {
    const g = f(x * st.ring[dOff + j]!);
    const m1 = f(f(b1 * m[o + j]!) + f(c1f * g));
    const v1 = f(f(b2 * v[o + j]!) + f(c2f * f(g * g)));
    const inv = f(1 / f(Math.sqrt(v1)));
    if (inv <= lim) {
      const q = f(m1 * inv), u = f(e * inv);
      const p = f(C0 + f(u * f(C1 + f(u * f(C2 + f(u * C3))))));
      w[o + j] = f(w[o + j]! - f(q * p));
      m[o + j] = f(K1 * m1);
      v[o + j] = f(K2 * v1);
      continue;
    }
    // The steps one by one (assembly/adam.ts's float64 element arithmetic).
    let mi = m[o + j]!, vi = v[o + j]!, wi = w[o + j]!;
    if (mi === 0 && g === 0) {
      // v = +0 stays +0: nothing moves (the kernel's slowElement).
      if (Object.is(vi, 0)) continue;
      for (let t = ia; t <= ib; t++) vi = f(beta2 * vi + (1 - beta2) * 0 * 0);
      v[o + j] = vi;
      continue;
    }
    for (let t = ia; t <= ib; t++) {
      const dd = t === ia ? g : 0;
      mi = f(beta1 * mi + (1 - beta1) * dd);
      vi = f(beta2 * vi + (1 - beta2) * dd * dd);
      wi = f(wi - (tb[T.SS * S + t]! * mi) / (Math.sqrt(vi) / tb[T.BC * S + t]! + eps));
    }
    w[o + j] = wi;
    m[o + j] = mi;
    v[o + j] = vi;
  }
  st.at[i] = b + 1;
  st.px[i] = 0;
}
