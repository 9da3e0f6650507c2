/**
 * The per-example Adam kernel's dense step of a layer above the first (and of every bias), float32 (every
 * operation rounded, none fused), its gradient made on the fly: for rows i < n of out columns,
 *   g = x[i] * d[j];  m = b1 m + c1 g;  v = b2 v + c2 (g g);  w = w - (ss m) / (sqrt(v) ib + e)
 * (x = null: g = d[j], one row: per-example-adam.ts passes a layer's gradient so, its matrix as one run), ss = fl32(lr / (1 - beta1^t)), ib = fl32(1 / sqrt(1 - beta2^t)) and the other
 * scalars fl32 of Adam's. src/backend/per-example-adam-ref.ts's adamDense32 is this arithmetic in JavaScript.
 */
export function adamStep32(
  w: usize, m: usize, v: usize, x: usize, d: usize, n: i32, out: i32, ss: f32, ib: f32, b1: f32, b2: f32, c1: f32, c2: f32, e: f32,
): void {
  const ssv = f32x4.splat(ss), ibv = f32x4.splat(ib), b1v = f32x4.splat(b1), b2v = f32x4.splat(b2), c1v = f32x4.splat(c1), c2v = f32x4.splat(c2);
  const ev = f32x4.splat(e);
  const rowBytes = <usize>out << 2;
  for (let i = 0; i < n; i++) {
    const xi = x == 0 ? <f32>1 : load<f32>(x + (<usize>i << 2));
    const xv = f32x4.splat(xi);
    const r = <usize>i * rowBytes;
    let j = 0;
    for (; j + 4 <= out; j += 4) {
      const o = r + (<usize>j << 2);
      const g = x == 0 ? v128.load(d + (<usize>j << 2)) : f32x4.mul(xv, v128.load(d + (<usize>j << 2)));
      const m1 = f32x4.add(f32x4.mul(b1v, v128.load(m + o)), f32x4.mul(c1v, g));
      const v1 = f32x4.add(f32x4.mul(b2v, v128.load(v + o)), f32x4.mul(c2v, f32x4.mul(g, g)));
      v128.store(m + o, m1);
      v128.store(v + o, v1);
      const den = f32x4.add(f32x4.mul(f32x4.sqrt(v1), ibv), ev);
      v128.store(w + o, f32x4.sub(v128.load(w + o), f32x4.div(f32x4.mul(ssv, m1), den)));
    }
    for (; j < out; j++) {
      const o = r + (<usize>j << 2);
      const g = x == 0 ? load<f32>(d + (<usize>j << 2)) : xi * load<f32>(d + (<usize>j << 2));
      const m1 = b1 * load<f32>(m + o) + c1 * g;
      const v1 = b2 * load<f32>(v + o) + c2 * (g * g);
      store<f32>(m + o, m1);
      store<f32>(v + o, v1);
      store<f32>(w + o, load<f32>(w + o) - (ss * m1) / (Mathf.sqrt(v1) * ib + e));
    }
  }
}
