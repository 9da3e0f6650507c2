/**
 * The float64 register blocks of the book's kernels (assembly/book.ts), f64x2: V vectors of two doubles, each
 * an independent chain. Written out for V = 10, 8, 4, 2 and 1 (book.ts splits a row of any width into these),
 * each exported so that Binaryen keeps it out of line (see rowsum.ts: inlined into a caller's loop, TurboFan
 * spilled accumulators). No fused multiply-add anywhere: every product and every sum is rounded on its own,
 * as the reference backend's JavaScript rounds them, so each element is the same chain of the same
 * operations in the same order, bit for bit.
 *
 * Rows are given by their byte offsets (i32): rows[q] is where entry q's row starts, from b (or w): a pixel's
 * index times the row's bytes, multiplied once per network (not once per entry here).
 * sumV: for q in [s, e), ascending: a += vals[q] * (the V vectors of b at byte offset rows[q]);
 *   then dst = a (step false) or dst -= lr * a (step true: a weight row's SGD step from its gradient).
 * stepV: for q in [s, e): the V vectors of w at byte offset rows[q] -= lr * (vals[q] * delta): a per-example step.
 */
export function sum10(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, step: bool, lr: f64): void {
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const bp = b + <usize>load<i32>(rows + (<usize>q << 2));
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(bp)));
    a1 = f64x2.add(a1, f64x2.mul(x, v128.load(bp, 16)));
    a2 = f64x2.add(a2, f64x2.mul(x, v128.load(bp, 32)));
    a3 = f64x2.add(a3, f64x2.mul(x, v128.load(bp, 48)));
    a4 = f64x2.add(a4, f64x2.mul(x, v128.load(bp, 64)));
    a5 = f64x2.add(a5, f64x2.mul(x, v128.load(bp, 80)));
    a6 = f64x2.add(a6, f64x2.mul(x, v128.load(bp, 96)));
    a7 = f64x2.add(a7, f64x2.mul(x, v128.load(bp, 112)));
    a8 = f64x2.add(a8, f64x2.mul(x, v128.load(bp, 128)));
    a9 = f64x2.add(a9, f64x2.mul(x, v128.load(bp, 144)));
  }
  if (!step) {
    v128.store(dst, a0);
    v128.store(dst, a1, 16);
    v128.store(dst, a2, 32);
    v128.store(dst, a3, 48);
    v128.store(dst, a4, 64);
    v128.store(dst, a5, 80);
    v128.store(dst, a6, 96);
    v128.store(dst, a7, 112);
    v128.store(dst, a8, 128);
    v128.store(dst, a9, 144);
    return;
  }
  const vlr = f64x2.splat(lr);
  v128.store(dst, f64x2.sub(v128.load(dst), f64x2.mul(vlr, a0)));
  v128.store(dst, f64x2.sub(v128.load(dst, 16), f64x2.mul(vlr, a1)), 16);
  v128.store(dst, f64x2.sub(v128.load(dst, 32), f64x2.mul(vlr, a2)), 32);
  v128.store(dst, f64x2.sub(v128.load(dst, 48), f64x2.mul(vlr, a3)), 48);
  v128.store(dst, f64x2.sub(v128.load(dst, 64), f64x2.mul(vlr, a4)), 64);
  v128.store(dst, f64x2.sub(v128.load(dst, 80), f64x2.mul(vlr, a5)), 80);
  v128.store(dst, f64x2.sub(v128.load(dst, 96), f64x2.mul(vlr, a6)), 96);
  v128.store(dst, f64x2.sub(v128.load(dst, 112), f64x2.mul(vlr, a7)), 112);
  v128.store(dst, f64x2.sub(v128.load(dst, 128), f64x2.mul(vlr, a8)), 128);
  v128.store(dst, f64x2.sub(v128.load(dst, 144), f64x2.mul(vlr, a9)), 144);
}

export function sum8(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, step: bool, lr: f64): void {
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const bp = b + <usize>load<i32>(rows + (<usize>q << 2));
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(bp)));
    a1 = f64x2.add(a1, f64x2.mul(x, v128.load(bp, 16)));
    a2 = f64x2.add(a2, f64x2.mul(x, v128.load(bp, 32)));
    a3 = f64x2.add(a3, f64x2.mul(x, v128.load(bp, 48)));
    a4 = f64x2.add(a4, f64x2.mul(x, v128.load(bp, 64)));
    a5 = f64x2.add(a5, f64x2.mul(x, v128.load(bp, 80)));
    a6 = f64x2.add(a6, f64x2.mul(x, v128.load(bp, 96)));
    a7 = f64x2.add(a7, f64x2.mul(x, v128.load(bp, 112)));
  }
  if (!step) {
    v128.store(dst, a0);
    v128.store(dst, a1, 16);
    v128.store(dst, a2, 32);
    v128.store(dst, a3, 48);
    v128.store(dst, a4, 64);
    v128.store(dst, a5, 80);
    v128.store(dst, a6, 96);
    v128.store(dst, a7, 112);
    return;
  }
  const vlr = f64x2.splat(lr);
  v128.store(dst, f64x2.sub(v128.load(dst), f64x2.mul(vlr, a0)));
  v128.store(dst, f64x2.sub(v128.load(dst, 16), f64x2.mul(vlr, a1)), 16);
  v128.store(dst, f64x2.sub(v128.load(dst, 32), f64x2.mul(vlr, a2)), 32);
  v128.store(dst, f64x2.sub(v128.load(dst, 48), f64x2.mul(vlr, a3)), 48);
  v128.store(dst, f64x2.sub(v128.load(dst, 64), f64x2.mul(vlr, a4)), 64);
  v128.store(dst, f64x2.sub(v128.load(dst, 80), f64x2.mul(vlr, a5)), 80);
  v128.store(dst, f64x2.sub(v128.load(dst, 96), f64x2.mul(vlr, a6)), 96);
  v128.store(dst, f64x2.sub(v128.load(dst, 112), f64x2.mul(vlr, a7)), 112);
}

export function sum4(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, step: bool, lr: f64): void {
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const bp = b + <usize>load<i32>(rows + (<usize>q << 2));
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(bp)));
    a1 = f64x2.add(a1, f64x2.mul(x, v128.load(bp, 16)));
    a2 = f64x2.add(a2, f64x2.mul(x, v128.load(bp, 32)));
    a3 = f64x2.add(a3, f64x2.mul(x, v128.load(bp, 48)));
  }
  if (!step) {
    v128.store(dst, a0);
    v128.store(dst, a1, 16);
    v128.store(dst, a2, 32);
    v128.store(dst, a3, 48);
    return;
  }
  const vlr = f64x2.splat(lr);
  v128.store(dst, f64x2.sub(v128.load(dst), f64x2.mul(vlr, a0)));
  v128.store(dst, f64x2.sub(v128.load(dst, 16), f64x2.mul(vlr, a1)), 16);
  v128.store(dst, f64x2.sub(v128.load(dst, 32), f64x2.mul(vlr, a2)), 32);
  v128.store(dst, f64x2.sub(v128.load(dst, 48), f64x2.mul(vlr, a3)), 48);
}

export function sum2(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, step: bool, lr: f64): void {
  let a0 = f64x2.splat(0), a1 = a0;
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const bp = b + <usize>load<i32>(rows + (<usize>q << 2));
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(bp)));
    a1 = f64x2.add(a1, f64x2.mul(x, v128.load(bp, 16)));
  }
  if (!step) {
    v128.store(dst, a0);
    v128.store(dst, a1, 16);
    return;
  }
  const vlr = f64x2.splat(lr);
  v128.store(dst, f64x2.sub(v128.load(dst), f64x2.mul(vlr, a0)));
  v128.store(dst, f64x2.sub(v128.load(dst, 16), f64x2.mul(vlr, a1)), 16);
}

export function sum1(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, step: bool, lr: f64): void {
  let a0 = f64x2.splat(0);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const bp = b + <usize>load<i32>(rows + (<usize>q << 2));
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(bp)));
  }
  if (!step) {
    v128.store(dst, a0);
    return;
  }
  const vlr = f64x2.splat(lr);
  v128.store(dst, f64x2.sub(v128.load(dst), f64x2.mul(vlr, a0)));
}

export function step10(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, lr: f64): void {
  const vlr = f64x2.splat(lr);
  const d0 = v128.load(delta);
  const d1 = v128.load(delta, 16);
  const d2 = v128.load(delta, 32);
  const d3 = v128.load(delta, 48);
  const d4 = v128.load(delta, 64);
  const d5 = v128.load(delta, 80);
  const d6 = v128.load(delta, 96);
  const d7 = v128.load(delta, 112);
  const d8 = v128.load(delta, 128);
  const d9 = v128.load(delta, 144);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const wp = w + <usize>load<i32>(rows + (<usize>q << 2));
    v128.store(wp, f64x2.sub(v128.load(wp), f64x2.mul(vlr, f64x2.mul(x, d0))));
    v128.store(wp, f64x2.sub(v128.load(wp, 16), f64x2.mul(vlr, f64x2.mul(x, d1))), 16);
    v128.store(wp, f64x2.sub(v128.load(wp, 32), f64x2.mul(vlr, f64x2.mul(x, d2))), 32);
    v128.store(wp, f64x2.sub(v128.load(wp, 48), f64x2.mul(vlr, f64x2.mul(x, d3))), 48);
    v128.store(wp, f64x2.sub(v128.load(wp, 64), f64x2.mul(vlr, f64x2.mul(x, d4))), 64);
    v128.store(wp, f64x2.sub(v128.load(wp, 80), f64x2.mul(vlr, f64x2.mul(x, d5))), 80);
    v128.store(wp, f64x2.sub(v128.load(wp, 96), f64x2.mul(vlr, f64x2.mul(x, d6))), 96);
    v128.store(wp, f64x2.sub(v128.load(wp, 112), f64x2.mul(vlr, f64x2.mul(x, d7))), 112);
    v128.store(wp, f64x2.sub(v128.load(wp, 128), f64x2.mul(vlr, f64x2.mul(x, d8))), 128);
    v128.store(wp, f64x2.sub(v128.load(wp, 144), f64x2.mul(vlr, f64x2.mul(x, d9))), 144);
  }
}

export function step8(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, lr: f64): void {
  const vlr = f64x2.splat(lr);
  const d0 = v128.load(delta);
  const d1 = v128.load(delta, 16);
  const d2 = v128.load(delta, 32);
  const d3 = v128.load(delta, 48);
  const d4 = v128.load(delta, 64);
  const d5 = v128.load(delta, 80);
  const d6 = v128.load(delta, 96);
  const d7 = v128.load(delta, 112);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const wp = w + <usize>load<i32>(rows + (<usize>q << 2));
    v128.store(wp, f64x2.sub(v128.load(wp), f64x2.mul(vlr, f64x2.mul(x, d0))));
    v128.store(wp, f64x2.sub(v128.load(wp, 16), f64x2.mul(vlr, f64x2.mul(x, d1))), 16);
    v128.store(wp, f64x2.sub(v128.load(wp, 32), f64x2.mul(vlr, f64x2.mul(x, d2))), 32);
    v128.store(wp, f64x2.sub(v128.load(wp, 48), f64x2.mul(vlr, f64x2.mul(x, d3))), 48);
    v128.store(wp, f64x2.sub(v128.load(wp, 64), f64x2.mul(vlr, f64x2.mul(x, d4))), 64);
    v128.store(wp, f64x2.sub(v128.load(wp, 80), f64x2.mul(vlr, f64x2.mul(x, d5))), 80);
    v128.store(wp, f64x2.sub(v128.load(wp, 96), f64x2.mul(vlr, f64x2.mul(x, d6))), 96);
    v128.store(wp, f64x2.sub(v128.load(wp, 112), f64x2.mul(vlr, f64x2.mul(x, d7))), 112);
  }
}

export function step4(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, lr: f64): void {
  const vlr = f64x2.splat(lr);
  const d0 = v128.load(delta);
  const d1 = v128.load(delta, 16);
  const d2 = v128.load(delta, 32);
  const d3 = v128.load(delta, 48);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const wp = w + <usize>load<i32>(rows + (<usize>q << 2));
    v128.store(wp, f64x2.sub(v128.load(wp), f64x2.mul(vlr, f64x2.mul(x, d0))));
    v128.store(wp, f64x2.sub(v128.load(wp, 16), f64x2.mul(vlr, f64x2.mul(x, d1))), 16);
    v128.store(wp, f64x2.sub(v128.load(wp, 32), f64x2.mul(vlr, f64x2.mul(x, d2))), 32);
    v128.store(wp, f64x2.sub(v128.load(wp, 48), f64x2.mul(vlr, f64x2.mul(x, d3))), 48);
  }
}

export function step2(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, lr: f64): void {
  const vlr = f64x2.splat(lr);
  const d0 = v128.load(delta);
  const d1 = v128.load(delta, 16);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const wp = w + <usize>load<i32>(rows + (<usize>q << 2));
    v128.store(wp, f64x2.sub(v128.load(wp), f64x2.mul(vlr, f64x2.mul(x, d0))));
    v128.store(wp, f64x2.sub(v128.load(wp, 16), f64x2.mul(vlr, f64x2.mul(x, d1))), 16);
  }
}

export function step1(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, lr: f64): void {
  const vlr = f64x2.splat(lr);
  const d0 = v128.load(delta);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const wp = w + <usize>load<i32>(rows + (<usize>q << 2));
    v128.store(wp, f64x2.sub(v128.load(wp), f64x2.mul(vlr, f64x2.mul(x, d0))));
  }
}


// stepListV: as stepV, on the V vectors at the byte offsets list[V] (i32) within each row: the live ones of a dropped-out row.
export function stepList8(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, list: usize, lr: f64): void {
  const vlr = f64x2.splat(lr);
  const o0 = <usize>load<i32>(list);
  const o1 = <usize>load<i32>(list, 4);
  const o2 = <usize>load<i32>(list, 8);
  const o3 = <usize>load<i32>(list, 12);
  const o4 = <usize>load<i32>(list, 16);
  const o5 = <usize>load<i32>(list, 20);
  const o6 = <usize>load<i32>(list, 24);
  const o7 = <usize>load<i32>(list, 28);
  const d0 = v128.load(delta + o0);
  const d1 = v128.load(delta + o1);
  const d2 = v128.load(delta + o2);
  const d3 = v128.load(delta + o3);
  const d4 = v128.load(delta + o4);
  const d5 = v128.load(delta + o5);
  const d6 = v128.load(delta + o6);
  const d7 = v128.load(delta + o7);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const wp = w + <usize>load<i32>(rows + (<usize>q << 2));
    v128.store(wp + o0, f64x2.sub(v128.load(wp + o0), f64x2.mul(vlr, f64x2.mul(x, d0))));
    v128.store(wp + o1, f64x2.sub(v128.load(wp + o1), f64x2.mul(vlr, f64x2.mul(x, d1))));
    v128.store(wp + o2, f64x2.sub(v128.load(wp + o2), f64x2.mul(vlr, f64x2.mul(x, d2))));
    v128.store(wp + o3, f64x2.sub(v128.load(wp + o3), f64x2.mul(vlr, f64x2.mul(x, d3))));
    v128.store(wp + o4, f64x2.sub(v128.load(wp + o4), f64x2.mul(vlr, f64x2.mul(x, d4))));
    v128.store(wp + o5, f64x2.sub(v128.load(wp + o5), f64x2.mul(vlr, f64x2.mul(x, d5))));
    v128.store(wp + o6, f64x2.sub(v128.load(wp + o6), f64x2.mul(vlr, f64x2.mul(x, d6))));
    v128.store(wp + o7, f64x2.sub(v128.load(wp + o7), f64x2.mul(vlr, f64x2.mul(x, d7))));
  }
}

export function stepList4(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, list: usize, lr: f64): void {
  const vlr = f64x2.splat(lr);
  const o0 = <usize>load<i32>(list);
  const o1 = <usize>load<i32>(list, 4);
  const o2 = <usize>load<i32>(list, 8);
  const o3 = <usize>load<i32>(list, 12);
  const d0 = v128.load(delta + o0);
  const d1 = v128.load(delta + o1);
  const d2 = v128.load(delta + o2);
  const d3 = v128.load(delta + o3);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const wp = w + <usize>load<i32>(rows + (<usize>q << 2));
    v128.store(wp + o0, f64x2.sub(v128.load(wp + o0), f64x2.mul(vlr, f64x2.mul(x, d0))));
    v128.store(wp + o1, f64x2.sub(v128.load(wp + o1), f64x2.mul(vlr, f64x2.mul(x, d1))));
    v128.store(wp + o2, f64x2.sub(v128.load(wp + o2), f64x2.mul(vlr, f64x2.mul(x, d2))));
    v128.store(wp + o3, f64x2.sub(v128.load(wp + o3), f64x2.mul(vlr, f64x2.mul(x, d3))));
  }
}

export function stepList2(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, list: usize, lr: f64): void {
  const vlr = f64x2.splat(lr);
  const o0 = <usize>load<i32>(list);
  const o1 = <usize>load<i32>(list, 4);
  const d0 = v128.load(delta + o0);
  const d1 = v128.load(delta + o1);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const wp = w + <usize>load<i32>(rows + (<usize>q << 2));
    v128.store(wp + o0, f64x2.sub(v128.load(wp + o0), f64x2.mul(vlr, f64x2.mul(x, d0))));
    v128.store(wp + o1, f64x2.sub(v128.load(wp + o1), f64x2.mul(vlr, f64x2.mul(x, d1))));
  }
}

export function stepList1(w: usize, rows: usize, vals: usize, s: i32, e: i32, delta: usize, list: usize, lr: f64): void {
  const vlr = f64x2.splat(lr);
  const o0 = <usize>load<i32>(list);
  const d0 = v128.load(delta + o0);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const wp = w + <usize>load<i32>(rows + (<usize>q << 2));
    v128.store(wp + o0, f64x2.sub(v128.load(wp + o0), f64x2.mul(vlr, f64x2.mul(x, d0))));
  }
}


// sumListV: as sumV with step false, on the V vectors at the byte offsets list[V] (i32) within each row only: the
// live pairs of a dropped-out row's pre-activation; dst's vectors at those offsets = the sums.
export function sumList8(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, list: usize): void {
  const o0 = <usize>load<i32>(list);
  const o1 = <usize>load<i32>(list, 4);
  const o2 = <usize>load<i32>(list, 8);
  const o3 = <usize>load<i32>(list, 12);
  const o4 = <usize>load<i32>(list, 16);
  const o5 = <usize>load<i32>(list, 20);
  const o6 = <usize>load<i32>(list, 24);
  const o7 = <usize>load<i32>(list, 28);
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const bp = b + <usize>load<i32>(rows + (<usize>q << 2));
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(bp + o0)));
    a1 = f64x2.add(a1, f64x2.mul(x, v128.load(bp + o1)));
    a2 = f64x2.add(a2, f64x2.mul(x, v128.load(bp + o2)));
    a3 = f64x2.add(a3, f64x2.mul(x, v128.load(bp + o3)));
    a4 = f64x2.add(a4, f64x2.mul(x, v128.load(bp + o4)));
    a5 = f64x2.add(a5, f64x2.mul(x, v128.load(bp + o5)));
    a6 = f64x2.add(a6, f64x2.mul(x, v128.load(bp + o6)));
    a7 = f64x2.add(a7, f64x2.mul(x, v128.load(bp + o7)));
  }
  v128.store(dst + o0, a0);
  v128.store(dst + o1, a1);
  v128.store(dst + o2, a2);
  v128.store(dst + o3, a3);
  v128.store(dst + o4, a4);
  v128.store(dst + o5, a5);
  v128.store(dst + o6, a6);
  v128.store(dst + o7, a7);
}

export function sumList4(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, list: usize): void {
  const o0 = <usize>load<i32>(list);
  const o1 = <usize>load<i32>(list, 4);
  const o2 = <usize>load<i32>(list, 8);
  const o3 = <usize>load<i32>(list, 12);
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const bp = b + <usize>load<i32>(rows + (<usize>q << 2));
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(bp + o0)));
    a1 = f64x2.add(a1, f64x2.mul(x, v128.load(bp + o1)));
    a2 = f64x2.add(a2, f64x2.mul(x, v128.load(bp + o2)));
    a3 = f64x2.add(a3, f64x2.mul(x, v128.load(bp + o3)));
  }
  v128.store(dst + o0, a0);
  v128.store(dst + o1, a1);
  v128.store(dst + o2, a2);
  v128.store(dst + o3, a3);
}

export function sumList2(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, list: usize): void {
  const o0 = <usize>load<i32>(list);
  const o1 = <usize>load<i32>(list, 4);
  let a0 = f64x2.splat(0), a1 = a0;
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const bp = b + <usize>load<i32>(rows + (<usize>q << 2));
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(bp + o0)));
    a1 = f64x2.add(a1, f64x2.mul(x, v128.load(bp + o1)));
  }
  v128.store(dst + o0, a0);
  v128.store(dst + o1, a1);
}

export function sumList1(dst: usize, b: usize, rows: usize, vals: usize, s: i32, e: i32, list: usize): void {
  const o0 = <usize>load<i32>(list);
  let a0 = f64x2.splat(0);
  for (let q = s; q < e; q++) {
    const x = v128.load64_splat(vals + (<usize>q << 3));
    const bp = b + <usize>load<i32>(rows + (<usize>q << 2));
    a0 = f64x2.add(a0, f64x2.mul(x, v128.load(bp + o0)));
  }
  v128.store(dst + o0, a0);
}
