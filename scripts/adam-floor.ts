/**
 * The floor of exact Adam on the per-example path, for scripts/adam-floor.mjs (compiled by it, not part of the
 * library): the least work any exact Adam step does on the elements an image touches, one pass per element of
 * each listed row (the first layer's rows of the image's nonzero pixels): g = x * d, m = b1 m + c1 g,
 * v = b2 v + c2 g g, w -= (ss m) / (sqrt(v) ib + eps): one sqrt and one div per element, float32 SIMD, w, m and
 * v read and written once; and the same without the sqrt and the div, to see what those two cost.
 */
// @ts-ignore: decorator
@inline function rowsStep(w: usize, m: usize, v: usize, d: usize, rows: usize, vals: usize, cnt: i32, n: i32, ss: f32, ib: f32, divide: bool): void {
  const b1 = f32x4.splat(0.9), c1 = f32x4.splat(0.1), b2 = f32x4.splat(0.999), c2 = f32x4.splat(0.001);
  const ssv = f32x4.splat(ss), ibv = f32x4.splat(ib), ev = f32x4.splat(1e-8);
  for (let q = 0; q < cnt; q++) {
    const base = <usize>load<i32>(rows + (<usize>q << 2)) * (<usize>n << 2);
    const xv = f32x4.splat(load<f32>(vals + (<usize>q << 2)));
    for (let j = 0; j < n; j += 4) {
      const o = base + (<usize>j << 2);
      const g = f32x4.mul(xv, v128.load(d + (<usize>j << 2)));
      const m1 = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, g));
      const v1 = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(g, g)));
      v128.store(m + o, m1);
      v128.store(v + o, v1);
      const den = divide ? f32x4.add(f32x4.mul(f32x4.sqrt(v1), ibv), ev) : f32x4.add(f32x4.mul(v1, ibv), ev);
      const move = divide ? f32x4.div(f32x4.mul(ssv, m1), den) : f32x4.mul(f32x4.mul(ssv, m1), den);
      v128.store(w + o, f32x4.sub(v128.load(w + o), move));
    }
  }
}

export function adamRows(w: usize, m: usize, v: usize, d: usize, rows: usize, vals: usize, cnt: i32, n: i32, ss: f32, ib: f32): void {
  rowsStep(w, m, v, d, rows, vals, cnt, n, ss, ib, true);
}

export function adamRowsNoDivide(w: usize, m: usize, v: usize, d: usize, rows: usize, vals: usize, cnt: i32, n: i32, ss: f32, ib: f32): void {
  rowsStep(w, m, v, d, rows, vals, cnt, n, ss, ib, false);
}

/** adamRows with w, m and v interleaved four columns at a time (w4 m4 v4: one row is one run of 3 n floats). */
export function adamRowsInterleaved(wmv: usize, d: usize, rows: usize, vals: usize, cnt: i32, n: i32, ss: f32, ib: f32): void {
  const b1 = f32x4.splat(0.9), c1 = f32x4.splat(0.1), b2 = f32x4.splat(0.999), c2 = f32x4.splat(0.001);
  const ssv = f32x4.splat(ss), ibv = f32x4.splat(ib), ev = f32x4.splat(1e-8);
  for (let q = 0; q < cnt; q++) {
    const base = wmv + <usize>load<i32>(rows + (<usize>q << 2)) * (<usize>n * 12);
    const xv = f32x4.splat(load<f32>(vals + (<usize>q << 2)));
    for (let j = 0; j < n; j += 4) {
      const o = base + <usize>j * 12;
      const g = f32x4.mul(xv, v128.load(d + (<usize>j << 2)));
      const m1 = f32x4.add(f32x4.mul(b1, v128.load(o, 16)), f32x4.mul(c1, g));
      const v1 = f32x4.add(f32x4.mul(b2, v128.load(o, 32)), f32x4.mul(c2, f32x4.mul(g, g)));
      v128.store(o, m1, 16);
      v128.store(o, v1, 32);
      v128.store(o, f32x4.sub(v128.load(o), f32x4.div(f32x4.mul(ssv, m1), f32x4.add(f32x4.mul(f32x4.sqrt(v1), ibv), ev))));
    }
  }
}
