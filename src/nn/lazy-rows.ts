/**
 * SGD's momentum and L2 weight decay applied lazily, row by row, to a dense layer's weight matrix W[in, out]
 * whose input gradient is not needed (the first layer). A row whose input column is zero in a batch has a zero
 * gradient there; its step is then a fixed linear map of the row's weight and velocity, the same for every
 * element and every step (g' = l2 * w; v = momentum * v + g'; w -= lr * v):
 *
 *   (w, v) <- M (w, v),   M = [[1 - lr * l2, -lr * momentum], [l2, momentum]]   (without momentum: w <- (1 - lr * l2) w)
 *
 * so k such steps are M^k. Each row keeps the step count it is current at (rowStep); before the forward pass
 * reads a row (its input is nonzero) it is brought up to date with M^k in one pass, and after the backward pass
 * it takes the dense step from its gradient; rows with zero input are not touched. sync() brings every row up
 * to date (the trainer calls it at each epoch's end, before anything reads the weights).
 *
 * Exactness: in exact arithmetic the rows equal the dense update's at every step where they are read, and all
 * rows after sync(). In floating point the k steps of decay are rounded once (M^k, from a float64 table built by
 * repeated multiplication, applied in a double, rounded to the buffer's type) instead of k times, so results
 * differ from the dense update's in the last bits: in float64 by ~1e-13 relative after thousands of steps, in
 * float32 by what k float32 roundings add (each at most half an ulp); lazy-rows.test.ts bounds both. The
 * rows' steps, the table and sync() depend on nothing but the step counts and the data: the run is
 * deterministic bit for bit (1 or 2 threads: the row kernels run on the calling thread), reading the weights
 * mid-epoch (Model.getWeights: brought up to date in a copy) changes nothing, and a checkpoint stores rowStep
 * and the rows as stored beside the weights as they are (Sgd's state), so a state resumes exactly.
 *
 * The per-example step (backend/per-example-reg-ref.ts) may instead hold a matrix with momentum in the
 * zero-gradient step's eigenbasis (backend/modal-map.ts: `modal` [1], the buffers holding P and Q, every
 * rowStep the step its two scales are 1 at); sync(), current(), prepare() and a dense step bring it back to
 * (w, v) first (fromModal's arithmetic by the backend's rowsDecay: float64, each value rounded once), and a
 * checkpoint flags it (Sgd's state).
 */
import type { Backend, FloatArray } from '../backend/backend.js';
import { fromModalCoefficients, modalScales, type ModalMap } from '../backend/modal-map.js';
import type { PerExampleRows } from '../backend/per-example.js';
import type { Param } from './layer.js';

/** Table entries kept of M^k (k beyond it is computed from the table's last power): 4 doubles each. */
export const TABLE_STEPS = 4096;

/** Powers of the 2x2 map M of k zero-gradient SGD steps (row-major a, b, c, d), built by repeated multiplication. */
export class StepPowers {
  private table: Float64Array;
  private known = 1; // powers 0 .. known-1 are in the table
  private readonly m: readonly [number, number, number, number];

  constructor(lr: number, momentum: number, l2: number) {
    this.m = [1 - lr * l2, -lr * momentum, l2, momentum];
    this.table = new Float64Array(4 * 64);
    this.table.set([1, 0, 0, 1]);
  }

  /**
   * The table holding M^0 .. M^k at 4k .. 4k+3 (grown as needed), or null when k is beyond the entries kept
   * (power() computes those). The array is replaced when the table grows: ask again after a larger k.
   */
  tableUpTo(k: number): Float64Array | null {
    if (k >= TABLE_STEPS) return null;
    this.grow(k);
    return this.table;
  }

  /** Writes M^k into out[at .. at+3]. */
  power(k: number, out: Float64Array, at: number): void {
    if (k < TABLE_STEPS) {
      this.grow(k);
      out[at] = this.table[4 * k]!;
      out[at + 1] = this.table[4 * k + 1]!;
      out[at + 2] = this.table[4 * k + 2]!;
      out[at + 3] = this.table[4 * k + 3]!;
      return;
    }
    // M^k = (M^(T-1))^q · M^r, T-1 = the table's last power, multiplied in that fixed order.
    const last = TABLE_STEPS - 1;
    this.grow(last);
    const t = this.table;
    const L = [t[4 * last]!, t[4 * last + 1]!, t[4 * last + 2]!, t[4 * last + 3]!] as const;
    const r = k % last;
    let a = t[4 * r]!, b = t[4 * r + 1]!, c = t[4 * r + 2]!, d = t[4 * r + 3]!;
    for (let q = Math.floor(k / last); q > 0; q--) {
      const na = L[0] * a + L[1] * c, nb = L[0] * b + L[1] * d;
      const nc = L[2] * a + L[3] * c, nd = L[2] * b + L[3] * d;
      a = na; b = nb; c = nc; d = nd;
    }
    out[at] = a; out[at + 1] = b; out[at + 2] = c; out[at + 3] = d;
  }

  private grow(k: number): void {
    if (k < this.known) return;
    if (4 * (k + 1) > this.table.length) {
      const bigger = new Float64Array(Math.max(4 * (k + 1), 2 * this.table.length));
      bigger.set(this.table);
      this.table = bigger;
    }
    const [ma, mb, mc, md] = this.m;
    const t = this.table;
    for (let n = this.known; n <= k; n++) {
      const p = 4 * (n - 1);
      t[4 * n] = ma * t[p]! + mb * t[p + 2]!;
      t[4 * n + 1] = ma * t[p + 1]! + mb * t[p + 3]!;
      t[4 * n + 2] = mc * t[p]! + md * t[p + 2]!;
      t[4 * n + 3] = mc * t[p + 1]! + md * t[p + 3]!;
    }
    this.known = k + 1;
  }
}

/** The rows of x[rows, inSize] whose column has a nonzero value, ascending, into list; returns how many. */
export function nonzeroColumns(x: Readonly<FloatArray>, rows: number, inSize: number, list: Int32Array): number {
  let n = 0;
  if (rows === 1) {
    for (let i = 0; i < inSize; i++) if (x[i] !== 0) list[n++] = i;
    return n;
  }
  for (let i = 0; i < inSize; i++) {
    for (let r = 0; r < rows; r++) {
      if (x[r * inSize + i] !== 0) {
        list[n++] = i;
        break;
      }
    }
  }
  return n;
}

/** One weight matrix's lazy rows: the step count each row is current at, and the rows of the batch in progress. */
export class LazyRows {
  readonly inSize: number;
  readonly outSize: number;
  /** The step count each row of W (and of its velocity) is current at (in the backend's memory: see perExample()). */
  readonly rowStep: Float64Array;
  /** The rows read by the batch in progress (nonzero input), count of them. */
  readonly list: Int32Array;
  count = 0;
  private readonly coef: Float64Array;
  /** The rows a catch-up pass decays. */
  private readonly pass: Int32Array;
  /** The backend buffer list, pass, coef and rowStep are views of. */
  private readonly block: FloatArray;
  /**
   * [1] while the matrix is held in its eigenbasis by the per-example step (backend/modal-map.ts: W's buffer
   * holds P, the velocity's Q, every rowStep the step the scales are 1 at), [0] else; in the backend's memory.
   */
  readonly modal: Float64Array;
  /** The whole power table in the backend's memory (for the per-example step), made on first use. */
  private powerBlock: FloatArray | null = null;
  private powerTable: Float64Array | null = null;

  /** Gives the lists' buffers back to the backend. */
  dispose(): void {
    this.backend.free?.(this.block);
    if (this.powerBlock) this.backend.free?.(this.powerBlock);
    this.powerBlock = this.powerTable = null;
  }

  constructor(
    private readonly backend: Backend,
    readonly param: Param,
    readonly velocity: FloatArray | null,
    private readonly powers: StepPowers,
    /** M's eigenbasis, when the per-example step may hold the matrix in it (with momentum), else null. */
    private readonly map: ModalMap | null = null,
  ) {
    this.inSize = param.shape[0]!;
    this.outSize = param.shape[1]!;
    // The row lists, maps and step counts the kernels read live in the backend's own buffers (no copies into
    // its scratch).
    const n = this.inSize;
    this.block = backend.alloc(2 * n + 8 * n + 2 * n + 8);
    const at = this.block.byteOffset + (this.block.byteOffset % 8 === 0 ? 0 : 4);
    this.list = new Int32Array(this.block.buffer, at, n);
    this.pass = new Int32Array(this.block.buffer, at + 4 * n, n);
    this.coef = new Float64Array(this.block.buffer, at + 8 * n, 4 * n);
    this.rowStep = new Float64Array(this.block.buffer, at + 40 * n, n);
    this.rowStep.fill(0);
    this.modal = new Float64Array(this.block.buffer, at + 48 * n, 1);
    this.modal[0] = 0;
  }

  /** Whether the matrix is held in its eigenbasis (P, Q: modal). */
  get isModal(): boolean {
    return this.modal[0] === 1;
  }

  /** Marks the matrix as held in its eigenbasis or not (a restored state's). */
  setModal(on: boolean): void {
    if (on && !this.map) throw new RangeError('lazy rows: this matrix has no eigenbasis');
    this.modal[0] = on ? 1 : 0;
  }

  /**
   * The rows as a per-example step reads and writes them (Backend.perExampleSgd): lazy, stepped as prepare()
   * and step() step them (the first layer's matrix); else every row stepped at every step, all kept current.
   * now() is the optimizer's step count.
   */
  perExample(lazy: boolean, now: () => number): PerExampleRows {
    let powers: Float64Array | null = null;
    if (lazy) {
      if (!this.powerTable) {
        const table = this.powers.tableUpTo(TABLE_STEPS - 1)!;
        const perDouble = 8 / this.param.value.BYTES_PER_ELEMENT;
        this.powerBlock = this.backend.alloc(perDouble * (4 * TABLE_STEPS) + 1);
        const at = this.powerBlock.byteOffset + (this.powerBlock.byteOffset % 8 === 0 ? 0 : 4);
        this.powerTable = new Float64Array(this.powerBlock.buffer, at, 4 * TABLE_STEPS);
        this.powerTable.set(table.subarray(0, 4 * TABLE_STEPS));
      }
      powers = this.powerTable;
    }
    return { lazy, rowStep: this.rowStep, powers, now, modal: lazy && this.map ? { flag: this.modal, map: this.map } : null };
  }

  /** Sets every row current at step (a fresh optimizer, a restored state without rowStep, a dense step). */
  setAll(step: number): void {
    this.rowStep.fill(step);
    this.modal[0] = 0;
  }

  /** Brings the rows of x's nonzero columns up to date at step `now` (they are read next) and remembers them. */
  prepare(x: Readonly<FloatArray>, rows: number, now: number): void {
    if (this.isModal) this.sync(now);
    this.count = nonzeroColumns(x, rows, this.inSize, this.list);
    this.catchUp(this.list, this.count, now);
  }

  /**
   * (P, Q) in w, v at the scales of now - rowStep steps back to (w, v): fromModal's arithmetic, by the backend's
   * row kernel (rowsDecay, every row, fromModalCoefficients: on the fast backend about a quarter of the
   * JavaScript loop's time at every epoch's end, 0.09 ms instead of 0.38 for 784 x 100).
   */
  private fromModal(w: FloatArray, v: FloatArray, now: number): void {
    const [s1, s2] = modalScales(this.map!, now - this.rowStep[0]!);
    const c = fromModalCoefficients(this.map!, s1, s2);
    const n = this.inSize;
    for (let i = 0; i < n; i++) {
      this.pass[i] = i;
      this.coef.set(c, 4 * i);
    }
    this.backend.rowsDecay(w, v, this.pass, this.coef, n, this.outSize);
  }

  /** Brings every row up to date at step `now`. */
  sync(now: number): void {
    if (this.isModal) {
      // (P, Q) at the scales of now - rowStep steps back to (w, v): every row current at now.
      this.fromModal(this.param.value, this.velocity!, now);
      this.rowStep.fill(now);
      this.modal[0] = 0;
      this.count = 0;
      return;
    }
    let n = 0;
    for (let i = 0; i < this.inSize; i++) if (this.rowStep[i] !== now) this.list[n++] = i;
    this.catchUp(this.list, n, now);
    this.count = 0;
  }

  /** Whether some row is behind step `now`. */
  behind(now: number): boolean {
    return this.isModal || this.rowStep.some((s) => s !== now);
  }

  /** W's values at step `now` (a copy, the rows behind brought up to date; nothing changed), or null when none is behind. */
  current(now: number): Float64Array | null {
    return this.currentBoth(now)?.w ?? null;
  }

  /** W's and its velocity's values at step `now` (copies, as current()), or null when no row is behind. */
  currentBoth(now: number): { w: Float64Array; v: Float64Array | null } | null {
    if (this.isModal) {
      const w = this.backend.alloc(this.param.value.length);
      const v = this.backend.alloc(this.param.value.length);
      w.set(this.param.value);
      v.set(this.velocity!);
      this.fromModal(w, v, now);
      const out = { w: Float64Array.from(w), v: Float64Array.from(v) };
      this.backend.free?.(w);
      this.backend.free?.(v);
      return out;
    }
    let n = 0;
    const { coef, pass } = this;
    for (let i = 0; i < this.inSize; i++) {
      const k = now - this.rowStep[i]!;
      if (k === 0) continue;
      this.powers.power(k, coef, 4 * n);
      pass[n++] = i;
    }
    if (n === 0) return null;
    const size = this.param.value.length;
    const w = this.backend.alloc(size);
    w.set(this.param.value);
    const v = this.velocity ? this.backend.alloc(size) : null;
    if (v) v.set(this.velocity!);
    this.backend.rowsDecay(w, v, pass, coef, n, this.outSize);
    const out = { w: Float64Array.from(w), v: v ? Float64Array.from(v) : null };
    this.backend.free?.(w);
    if (v) this.backend.free?.(v);
    return out;
  }

  /** The prepared rows' step (number `now`) from x and dy. */
  step(x: Readonly<FloatArray>, dy: Readonly<FloatArray>, rows: number, now: number, lr: number, momentum: number, l2: number): void {
    const { list, count } = this;
    this.backend.rowsSgdStep(this.param.value, this.velocity, x, dy, list, count, lr, momentum, l2, this.inSize, rows, this.outSize);
    for (let q = 0; q < count; q++) this.rowStep[list[q]!] = now;
  }

  private catchUp(list: Readonly<Int32Array>, count: number, now: number): void {
    const { coef, pass, rowStep, powers } = this;
    // The whole table, read in place (power() only for counts beyond it): its entries are the same whenever
    // they are built.
    const table = powers.tableUpTo(TABLE_STEPS - 1)!;
    let n = 0;
    for (let q = 0; q < count; q++) {
      const i = list[q]!;
      const k = now - rowStep[i]!;
      if (k === 0) continue; // already current: its map is the identity
      const at = 4 * n;
      if (k < TABLE_STEPS) {
        const t = 4 * k;
        coef[at] = table[t]!;
        coef[at + 1] = table[t + 1]!;
        coef[at + 2] = table[t + 2]!;
        coef[at + 3] = table[t + 3]!;
      } else powers.power(k, coef, at);
      pass[n++] = i;
      rowStep[i] = now;
    }
    if (n > 0) this.backend.rowsDecay(this.param.value, this.velocity, pass, coef, n, this.outSize);
  }
}
