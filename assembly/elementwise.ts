/**
 * Element-wise and row kernels, float32, four lanes at a time with a scalar tail. Each computes the
 * elements [i0, i1) (or rows [r0, r1)) so that threads can split them; results do not depend on the split.
 * Every one rounds exactly as the reference backend does (one float32 operation per element), except
 * sumRows, which sums in float32 where the reference sums in float64.
 */

/** x[rows,cols] += bias[cols], rows [r0, r1). */
export function addRowVector(x: usize, bias: usize, cols: i32, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) {
    const xr = x + (<usize>(r * cols) << 2);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      v128.store(xr + o, f32x4.add(v128.load(xr + o), v128.load(bias + o)));
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      store<f32>(xr + o, load<f32>(xr + o) + load<f32>(bias + o));
    }
  }
}

/** out[cols] = (accumulate ? out : 0) + sum over rows of x[rows,cols], rows in ascending order. */
export function sumRows(out: usize, x: usize, rows: i32, cols: i32, accumulate: bool): void {
  const stride = <usize>cols << 2;
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    let s = f32x4.splat(0);
    let xp = x + (<usize>c << 2);
    for (let r = 0; r < rows; r++, xp += stride) s = f32x4.add(s, v128.load(xp));
    const op = out + (<usize>c << 2);
    v128.store(op, accumulate ? f32x4.add(v128.load(op), s) : s);
  }
  for (; c < cols; c++) {
    let s: f32 = 0;
    let xp = x + (<usize>c << 2);
    for (let r = 0; r < rows; r++, xp += stride) s += load<f32>(xp);
    const op = out + (<usize>c << 2);
    store<f32>(op, accumulate ? load<f32>(op) + s : s);
  }
}

/** out[i] = x[i] > 0 ? x[i] : 0 (NaN and -0 give +0, as the reference's comparison does). */
export function relu(out: usize, x: usize, i0: i32, i1: i32): void {
  const zero = f32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(out + o, v128.and(v, f32x4.gt(v, zero)));
  }
  for (; i < i1; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), v > 0 ? v : 0);
  }
}

/** dx[i] = y[i] > 0 ? dy[i] : 0. */
export function reluBackward(dx: usize, dy: usize, y: usize, i0: i32, i1: i32): void {
  const zero = f32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : 0);
  }
}

/** out[i] = a[i] * b[i]. */
export function mul(out: usize, a: usize, b: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

/**
 * out[i] = table[bytes[i]]: pixels to floats through a 256-entry table the caller fills with byte / divisor
 * (so the rounding is the reference's). Sixteen zero bytes at a time become zeros without lookups when
 * table[0] is +0.
 */
export function bytesToFloats(out: usize, bytes: usize, table: usize, i0: i32, i1: i32): void {
  tableRange(out, bytes, table, i0, i1);
}

// @ts-ignore: decorator
@inline function tableRange(out: usize, bytes: usize, table: usize, i0: i32, i1: i32): void {
  const zeroIsZero = load<u32>(table) == 0;
  const zero = f32x4.splat(0);
  let i = i0;
  for (; i + 16 <= i1; i += 16) {
    const o = out + (<usize>i << 2);
    const bp = bytes + <usize>i;
    if (zeroIsZero && !v128.any_true(v128.load(bp))) {
      v128.store(o, zero);
      v128.store(o, zero, 16);
      v128.store(o, zero, 32);
      v128.store(o, zero, 48);
      continue;
    }
    for (let j = 0; j < 16; j++) store<f32>(o + (<usize>j << 2), load<f32>(table + (<usize>load<u8>(bp + j) << 2)));
  }
  for (; i < i1; i++) store<f32>(out + (<usize>i << 2), load<f32>(table + (<usize>load<u8>(bytes + i) << 2)));
}

/**
 * True when byte / divisor in float32 (one correctly rounded division) gives exactly table[byte] for every
 * byte: then bytesDivided may replace bytesToFloats' lookups.
 */
export function pixelTableIsDivision(table: usize, divisor: f32): bool {
  for (let v = 0; v < 256; v++) {
    if (reinterpret<u32>(<f32>v / divisor) != load<u32>(table + (<usize>v << 2))) return false;
  }
  return true;
}

/**
 * out[i] = bytes[i] / divisor in float32, sixteen bytes at a time: widened, converted and divided in four
 * lanes (no per-byte lookups). No branch on zero bytes: inside a digit, zero and nonzero runs of sixteen alternate
 * too irregularly to predict, and a mispredicted branch costs more than the four divisions (measured).
 */
export function bytesDivided(out: usize, bytes: usize, divisor: f32, i0: i32, i1: i32): void {
  dividedRange(out, bytes, divisor, i0, i1);
}

// @ts-ignore: decorator
@inline function dividedRange(out: usize, bytes: usize, divisor: f32, i0: i32, i1: i32): void {
  const vd = f32x4.splat(divisor);
  let i = i0;
  for (; i + 16 <= i1; i += 16) {
    const o = out + (<usize>i << 2);
    const v = v128.load(bytes + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(v);
    const hi = i16x8.extend_high_i8x16_u(v);
    v128.store(o, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), vd));
    v128.store(o, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), vd), 16);
    v128.store(o, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), vd), 32);
    v128.store(o, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), vd), 48);
  }
  for (; i < i1; i++) store<f32>(out + (<usize>i << 2), <f32>load<u8>(bytes + i) / divisor);
}

/**
 * Rows [r0, r1) of a batch gathered from an image set in memory: out row r = image idx[r] (cols bytes from
 * images + idx[r] * cols), converted as bytesDivided converts (table = 0) or as bytesToFloats does.
 */
export function gatherPixels(out: usize, images: usize, idx: usize, cols: i32, divisor: f32, table: usize, r0: i32, r1: i32): u32 {
  let touched: u32 = 0;
  for (let r = r0; r < r1; r++) {
    if (r + AHEAD < r1) {
      // Rows are scattered over the set (tens of MB, mostly not in cache): one byte of each cache line of the
      // row AHEAD rows on is loaded now, so that its lines are on their way while this row is converted
      // (WebAssembly has no prefetch instruction). Measured: 16% less time for shuffled batches.
      const ahead = images + <usize>load<i32>(idx + (<usize>(r + AHEAD) << 2)) * <usize>cols;
      for (let c = 0; c < cols; c += 64) touched += load<u8>(ahead + c);
    }
    const src = images + <usize>load<i32>(idx + (<usize>r << 2)) * <usize>cols;
    const dst = out + (<usize>r * <usize>cols << 2);
    if (table == 0) dividedRange(dst, src, divisor, 0, cols);
    else tableRange(dst, src, table, 0, cols);
  }
  return touched; // returned so that the touching loads are not optimized away; callers ignore it
}

/** Rows ahead whose cache lines gatherPixels requests early. */
const AHEAD = 2;

/**
 * Whether x[n] holds no NaN and no +-Infinity (1) or does (0): a float32 is not finite exactly when its
 * exponent bits are all ones. Every element is read (no early exit), sixteen at a time.
 */
export function allFinite(x: usize, n: i32): i32 {
  const e = i32x4.splat(0x7f800000);
  let bad = i32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const a = i32x4.eq(v128.and(v128.load(p), e), e);
    const b = i32x4.eq(v128.and(v128.load(p, 16), e), e);
    const c = i32x4.eq(v128.and(v128.load(p, 32), e), e);
    const d = i32x4.eq(v128.and(v128.load(p, 48), e), e);
    bad = v128.or(bad, v128.or(v128.or(a, b), v128.or(c, d)));
  }
  for (; i + 4 <= n; i += 4) bad = v128.or(bad, i32x4.eq(v128.and(v128.load(x + (<usize>i << 2)), e), e));
  let ok = !v128.any_true(bad);
  for (; i < n; i++) if ((load<u32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) ok = false;
  return <i32>ok;
}
