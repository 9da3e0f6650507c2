/**
 * The book's network on its float64 WebAssembly kernels (assembly/book.ts, book-simd.wasm): the same numbers
 * as BookNet on the reference backend, bit for bit (fast-net.test.ts checks it on random inputs), from the
 * same initial weights and the same generator. A whole epoch of per-example steps is one call; images are
 * kept in the module's memory as lists of their nonzero pixels, made once. Training runs on the calling
 * thread; where memory can be shared and there are two logical processors, a test thread (eval-thread.ts)
 * runs test passes beside the training (testInBackground, on a copy of the weights) or shares one chunk by
 * chunk (test). Needs WebAssembly SIMD.
 */
import { pixelsOf, type ImageSet } from '../data/dataset.js';
import { DataError } from '../errors.js';
import { currentPlatform } from '../backend/wasm/current-platform.js';
import { CONTROL_BYTES, TestThread, testChunks, type TestKernels } from './eval-thread.js';
import type { Rng } from '../rng/mt19937.js';
import { EVAL_CHUNK, type Evaluation } from '../train/evaluate.js';
import { BOOK_CLASSES, BOOK_PIXELS, type BookQuirks } from './book-model.js';

/** The module's exports (assembly/book.ts); pointers are byte offsets into its memory, flags 0 or 1. */
interface BookKernels extends TestKernels {
  trainExamplesScratchBytes(hp: number): number;
  trainExamples(
    loss: number, w01: number, w12: number, hp: number, h: number, starts: number, rows: number, vals: number, labels: number,
    masks: number, scratch: number, first: number, count: number, lr: number, gradScale: number, maskBackScale: number,
    reluDerivFromPre: number, xMax: number, wMax: number,
  ): number;
  trainBatchScratchBytes(hp: number, rows: number, pixels: number): number;
  trainBatch(
    loss: number, w01: number, w12: number, hp: number, h: number, pixels: number, starts: number, offs: number, pixRows: number, vals: number,
    labels: number, masks: number, scratch: number, first: number, rows: number, lr: number, gradScale: number,
    maskBackScale: number, reluDerivFromPre: number, inLoop: number, lrMid: number,
  ): number;
  testPassScratchBytes(hp: number): number;
  testPass(out: number, w01: number, w12: number, hp: number, starts: number, rows: number, vals: number, labels: number, count: number, chunk: number, scratch: number): void;
  countNonzero(bytes: number, n: number): number;
  compressImages(starts: number, offs: number, vals: number, bytes: number, count: number, cols: number, divisor: number): void;
  scaleOffsets(dst: number, src: number, n: number, factor: number): void;
  randintMasks(masks: number, key: number, pos: number, rows: number, h: number, hp: number, scale: number): number;
  maxAbs(v: number, n: number): number;
}

const compiled = new Map<boolean, Promise<WebAssembly.Module>>();

/** The module, built for shared memory (a test thread beside) or not. */
function bookModule(shared: boolean): Promise<WebAssembly.Module> {
  let m = compiled.get(shared);
  if (!m) {
    m = currentPlatform().then((p) => p.loadModule(new URL(`../backend/wasm/book-simd${shared ? '-shared' : ''}.wasm`, import.meta.url)));
    compiled.set(shared, m);
  }
  return m;
}

/** A test pass under way on the test thread. */
export interface PendingTest {
  /** Whether result() would return at once. */
  ready(): boolean;
  /** The pass's numbers (waiting for them if need be). */
  result(): Evaluation;
}

export interface FastBookNetConfig {
  /** Hidden units. */
  hidden: number;
  /** Dropout after the ReLU, drawn as numpy's randint(2), x2. */
  dropout: boolean;
  /** The engine's learning rate (BookNet's: alpha * batchSize / 2). */
  lr: number;
  quirks: Readonly<BookQuirks>;
  /** The initial weights laid out as BookNet's paramData: W01 [784, hidden], then W12 [hidden, 10]. */
  weights: Readonly<ArrayLike<number>>;
  /** The generator the dropout masks draw from, as BookNet's Dropout layer draws them (BookNet's own rng). */
  rng: Rng;
  /** Training images (stepped through in order, never shuffled). */
  train: ImageSet;
  /** The set test() evaluates. */
  test: ImageSet;
  /** Examples per step. */
  batchSize: number;
  /** 2 (the default): a test thread where it can run; 1: none. */
  threads?: number;
}

/** One epoch's sums, as the Trainer keeps them. */
export interface EpochSums {
  lossSum: number;
  correct: number;
  seen: number;
  /** Why the epoch stopped early (the error or a weight was not a finite number), else null. */
  diverged: string | null;
}

/** Nonzero-pixel lists of an image set in the module's memory. */
interface Lists {
  count: number;
  starts: number;
  offs: number;
  vals: number;
  labels: number;
  /** The largest image value. */
  xMax: number;
  /** Entries in offs and vals (the nonzero pixels). */
  nonzeros: number;
}

/** A network's lists: the instance's, with offs times the network's row bytes (where each pixel's W01 row starts). */
interface NetLists extends Lists {
  rows: number;
}

const PAGE = 65536;
const KEY_WORDS = 624;

/**
 * A module instance with the nonzero-pixel lists of one training and one test set (made once: the book's
 * data preparation, as numpy's `/ 255`), and the memory above them, which each net allocates from `mark` up.
 */
interface Instance {
  k: BookKernels;
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  top: number;
  mark: number;
  train: Lists;
  test: Lists;
  /** The image and label bytes the lists were made from. */
  source: readonly Uint8Array[];
  inUse: boolean;
  /** The test thread (shared memory only), and its control block. */
  thread: TestThread | null;
  control: number;
  /** The threads asked for (1 or 2): a net reuses an instance made for as many. */
  threadsAsked: number;
  /** The lists' row offsets for each row width (bytes) asked for so far, kept below mark. */
  rows: Map<number, { train: number; test: number }>;
}

/**
 * The last instance given back, kept for the next net on the same images (a bench's runs, a test's
 * experiments): building the test set's lists is about as much work as an iteration of overfit.
 */
let spare: Instance | null = null;

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;

async function instanceFor(train: ImageSet, test: ImageSet, threads: number): Promise<Instance> {
  const source = [train.images, train.labels, test.images, test.labels];
  if (spare && !spare.inUse && spare.source.every((b, i) => sameBytes(b, source[i]!)) && spare.threadsAsked === Math.min(threads, 2)) {
    spare.inUse = true;
    return spare;
  }
  if (spare && !spare.inUse) spare.thread?.stop(); // replaced below: its worker would only wait
  const platform = await currentPlatform();
  const shared = threads > 1 && platform.canShareMemory() && platform.hardwareThreads() >= 2;
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 16384, shared });
  const module = await bookModule(shared);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const k = instance.exports as unknown as BookKernels;
  const none: Lists = { count: 0, starts: 0, offs: 0, vals: 0, labels: 0, xMax: 0, nonzeros: 0 };
  // The module keeps no data of its own; start clear of address 0 all the same.
  const inst: Instance = { k, memory, alloc, top: 4096, mark: 0, train: none, test: none, source, inUse: true, thread: null, control: 0, threadsAsked: Math.min(threads, 2), rows: new Map() };
  function alloc(bytes: number): number {
    const ptr = (inst.top + 15) & ~15;
    inst.top = ptr + Math.max(bytes, 16);
    const need = Math.ceil(inst.top / PAGE) - memory.buffer.byteLength / PAGE;
    if (need > 0) memory.grow(need);
    return ptr;
  }
  const bytes = inst.alloc(Math.max(train.images.length, test.images.length));
  const lists = (set: ImageSet): Lists => {
    new Uint8Array(memory.buffer, bytes, set.images.length).set(set.images);
    const n = k.countNonzero(bytes, set.images.length);
    const l = { count: set.count, starts: inst.alloc(4 * (set.count + 1)), offs: inst.alloc(4 * (n + 1)), vals: inst.alloc(8 * (n + 1)), labels: inst.alloc(set.count), xMax: 0, nonzeros: n };
    k.compressImages(l.starts, l.offs, l.vals, bytes, set.count, BOOK_PIXELS, 255);
    new Uint8Array(memory.buffer, l.labels, set.count).set(set.labels);
    l.xMax = k.maxAbs(l.vals, n);
    return l;
  };
  inst.train = lists(train);
  inst.test = lists(test);
  if (shared) {
    inst.control = inst.alloc(CONTROL_BYTES);
    inst.thread = TestThread.start(platform, module, memory, inst.control);
  }
  inst.mark = inst.top;
  spare = inst;
  return inst;
}

/** The instance's lists' row offsets for rows of rowBytes (made once per width, then kept with the lists). */
function rowOffsets(inst: Instance, rowBytes: number): { train: number; test: number } {
  let r = inst.rows.get(rowBytes);
  if (!r) {
    const scaled = (l: Lists) => {
      const at = inst.alloc(4 * l.nonzeros);
      inst.k.scaleOffsets(at, l.offs, l.nonzeros, rowBytes);
      return at;
    };
    r = { train: scaled(inst.train), test: scaled(inst.test) };
    inst.rows.set(rowBytes, r);
    inst.mark = inst.top; // (create() allocates from mark, called before anything of a network's)
  }
  return r;
}

export class FastBookNet {
  private readonly k: BookKernels;
  private readonly memory: WebAssembly.Memory;
  private inFlight: { ready(): boolean; result(): Evaluation } | null = null;
  /** max |W01 weight| (NaN if one is NaN), kept up to date by create() and each epoch: trainExamples' wMax. */
  private w01Max = NaN;

  private constructor(
    private readonly inst: Instance,
    private readonly config: Readonly<FastBookNetConfig>,
    private readonly hp: number,
    private readonly at: {
      w01: number; w12: number; loss: number; key: number; masks: number; scratch: number; testScratch: number;
      train: NetLists; test: NetLists;
      /** For the test thread: copies of the weights, its scratch, the chunks' errors of its part and of ours. */
      w01Copy: number; w12Copy: number; threadScratch: number; partsThread: number; partsHere: number;
    },
  ) {
    this.k = inst.k;
    this.memory = inst.memory;
  }

  static async create(config: FastBookNetConfig): Promise<FastBookNet> {
    const { hidden, train, test } = config;
    for (const [set, what] of [[train, 'training images'], [test, 'test images']] as const) {
      if (pixelsOf(set) !== BOOK_PIXELS) throw new DataError(`${what}: the book's network takes ${BOOK_PIXELS} pixels, the images have ${pixelsOf(set)}`);
    }
    if (config.weights.length !== BOOK_PIXELS * hidden + hidden * BOOK_CLASSES) throw new RangeError(`FastBookNet: ${config.weights.length} weights do not fit 784-${hidden}-10`);
    const hp = hidden + (hidden & 1);
    const rowBytes = hp * 8;
    const inst = await instanceFor(train, test, config.threads ?? 2);
    inst.top = inst.mark;
    const rowsAt = rowOffsets(inst, rowBytes);
    const { k, alloc } = inst;
    const w01 = alloc(BOOK_PIXELS * rowBytes);
    const w12 = alloc(hp * BOOK_CLASSES * 8);
    const loss = alloc(16);
    const key = alloc(KEY_WORDS * 4);
    const masks = config.dropout ? alloc(train.count * rowBytes) : 0;
    const rows = Math.min(config.batchSize, train.count);
    const scratch = alloc(rows === 1 ? k.trainExamplesScratchBytes(hp) : k.trainBatchScratchBytes(hp, rows, BOOK_PIXELS));
    const testScratch = alloc(k.testPassScratchBytes(hp));
    const chunks = Math.ceil(test.count / EVAL_CHUNK) + 1;
    const threaded = inst.thread !== null;
    const w01Copy = threaded ? alloc(BOOK_PIXELS * rowBytes) : 0;
    const w12Copy = threaded ? alloc(hp * BOOK_CLASSES * 8) : 0;
    const threadScratch = threaded ? alloc(k.testPassScratchBytes(hp)) : 0;
    const partsThread = alloc(chunks * 8);
    const partsHere = alloc(chunks * 8);
    const instanceMemory = inst.memory;
    new Uint8Array(instanceMemory.buffer, w01, inst.top - w01).fill(0);
    // The weights, each row padded to hp doubles (the pad column stays 0). Copied with set(), not an element
    // loop: create() runs once a network, often with its code not yet (or no longer) compiled.
    const m = new Float64Array(instanceMemory.buffer);
    const src = config.weights;
    const part = (from: number, n: number): ArrayLike<number> =>
      ArrayBuffer.isView(src) ? (src as unknown as Float64Array).subarray(from, from + n) : Array.prototype.slice.call(src, from, from + n);
    if (hp === hidden) m.set(part(0, BOOK_PIXELS * hidden), w01 / 8);
    else for (let p = 0; p < BOOK_PIXELS; p++) m.set(part(p * hidden, hidden), w01 / 8 + p * hp);
    m.set(part(BOOK_PIXELS * hidden, hidden * BOOK_CLASSES), w12 / 8);
    const net = new FastBookNet(inst, config, hp, {
      w01, w12, loss, key, masks, scratch, testScratch, train: { ...inst.train, rows: rowsAt.train }, test: { ...inst.test, rows: rowsAt.test }, w01Copy, w12Copy, threadScratch, partsThread, partsHere,
    });
    net.w01Max = k.maxAbs(w01, BOOK_PIXELS * hp);
    return net;
  }

  /** Whether a test thread is up (test() splits the pass with it, testInBackground() runs on it). */
  get testThreadReady(): boolean {
    return this.inst.thread?.ready ?? false;
  }

  /** Gives the module instance (with its image lists) back for the next net on the same images; this net is done. */
  dispose(): void {
    this.settle();
    this.inst.inUse = false;
    if (this.inst !== spare) this.inst.thread?.stop();
  }

  /** One epoch over the training images in order; stops at a step whose error is not finite (as the Trainer). */
  trainEpoch(): EpochSums {
    const { k, at, hp, config } = this;
    const { hidden, quirks, lr } = config;
    const count = at.train.count;
    const f64 = new Float64Array(this.memory.buffer);
    f64[at.loss / 8] = 0;
    if (config.dropout) this.drawMasks(count);
    const maskBackScale = quirks.dropoutBackwardWithoutScale ? 0.5 : 1;
    const fromPre = quirks.reluDerivOnOutput ? 0 : 1;
    const t = at.train;
    let correct = 0;
    let seen = 0;
    let diverged: string | null = null;
    if (config.batchSize === 1) {
      // With dropout, W01's largest weight lets the kernel leave the dropped pairs out of the forward pass (see trainExamples).
      const r = k.trainExamples(at.loss, at.w01, at.w12, hp, hidden, t.starts, t.rows, t.vals, t.labels, at.masks, at.scratch, 0, count, lr, 1, maskBackScale, fromPre, t.xMax, this.w01Max);
      if (r >= 0) {
        correct = r;
        seen = count;
      } else {
        seen = -1 - r;
        diverged = 'loss is not finite';
      }
    } else {
      for (let start = 0; start < count; start += config.batchSize) {
        const rows = Math.min(config.batchSize, count - start);
        // As BookNet: the in-loop update in closed form when a batch has more than one row.
        const inLoop = quirks.updateInsideExampleLoop && rows > 1;
        const lrMid = ((rows - 1) / (2 * rows)) * lr;
        const masks = at.masks ? at.masks + start * hp * 8 : 0;
        const r = k.trainBatch(at.loss, at.w01, at.w12, hp, hidden, BOOK_PIXELS, t.starts, t.offs, t.rows, t.vals, t.labels, masks, at.scratch, start, rows, lr, 1 / rows, maskBackScale, fromPre, inLoop ? 1 : 0, lrMid);
        if (r < 0) {
          diverged = 'loss is not finite';
          break;
        }
        correct += r;
        seen += rows;
      }
    }
    const finite = this.weightsFinite(); // (always: it also refreshes w01Max)
    if (diverged === null && !finite) diverged = 'a weight is not a finite number';
    return { lossSum: new Float64Array(this.memory.buffer)[at.loss / 8]!, correct, seen, diverged };
  }

  /**
   * Mean squared error and accuracy over the test set, in eval mode (no dropout): evaluate()'s numbers. With
   * the test thread free, the two threads take the EVAL_CHUNK chunks one at a time from a shared counter (a
   * thread the machine keeps busy takes fewer); the chunks' errors are then added in order from 0,
   * evaluate()'s chain.
   */
  test(): Evaluation {
    const { k, at, hp } = this;
    const t = at.test;
    this.settle();
    const thread = this.inst.thread;
    if (!thread?.ready || t.count <= EVAL_CHUNK) {
      k.testPass(at.loss, at.w01, at.w12, hp, t.starts, t.rows, t.vals, t.labels, t.count, EVAL_CHUNK, at.testScratch);
      const f64 = new Float64Array(this.memory.buffer);
      return { loss: f64[at.loss / 8]! / t.count, acc: f64[at.loss / 8 + 1]! / t.count };
    }
    thread.runChunks(this.partArgs(at.partsHere, at.w01, at.w12, 0, t.count, at.threadScratch));
    const here = testChunks(k, this.partArgs(at.partsHere, at.w01, at.w12, 0, t.count, at.testScratch), () => thread.claim());
    const there = thread.wait();
    return this.evaluation([[at.partsHere, t.count]], here + there);
  }

  /**
   * A test pass of the weights as they are now, on the test thread (on a copy of the weights) while this
   * thread goes on training; without a test thread, test() at once. One at a time: a new one (or test())
   * first waits for the one before. Waiting for it (result()), this thread takes the chunks still untaken.
   */
  testInBackground(): PendingTest {
    const thread = this.inst.thread;
    if (!thread?.ready) {
      const r = this.test();
      return { ready: () => true, result: () => r };
    }
    this.settle();
    const { at, hp } = this;
    const t = at.test;
    const u8 = new Uint8Array(this.memory.buffer);
    u8.copyWithin(at.w01Copy, at.w01, at.w01 + BOOK_PIXELS * hp * 8);
    u8.copyWithin(at.w12Copy, at.w12, at.w12 + hp * BOOK_CLASSES * 8);
    thread.runChunks(this.partArgs(at.partsThread, at.w01Copy, at.w12Copy, 0, t.count, at.threadScratch));
    let r: Evaluation | null = null;
    const pending = {
      ready: () => r !== null || thread.idle(),
      result: () => {
        if (r === null) {
          // Chunks the test thread has not taken yet (the machine kept it busy) are tested here meanwhile.
          const here = testChunks(this.k, this.partArgs(at.partsThread, at.w01Copy, at.w12Copy, 0, t.count, at.testScratch), () => thread.claim());
          r = this.evaluation([[at.partsThread, t.count]], here + thread.wait());
          if (this.inFlight === pending) this.inFlight = null;
        }
        return r;
      },
    };
    this.inFlight = pending;
    return pending;
  }

  /** Waits for the test pass under way on the test thread, if any (keeping its result for its caller). */
  private settle(): void {
    this.inFlight?.result();
    this.inFlight = null;
  }

  private partArgs(parts: number, w01: number, w12: number, from: number, to: number, scratch: number) {
    const t = this.at.test;
    return { parts, w01, w12, hp: this.hp, starts: t.starts, rows: t.rows, vals: t.vals, labels: t.labels, from, to, chunk: EVAL_CHUNK, scratch };
  }

  /** The error summed over the parts' chunks in order from 0 (ranges of images, in order), and the accuracy. */
  private evaluation(ranges: ReadonlyArray<readonly [parts: number, images: number]>, correct: number): Evaluation {
    const f64 = new Float64Array(this.memory.buffer);
    let total = 0;
    for (const [parts, images] of ranges) {
      for (let c = 0, n = Math.ceil(images / EVAL_CHUNK); c < n; c++) total += f64[parts / 8 + c]!;
    }
    const count = this.at.test.count;
    return { loss: total / count, acc: correct / count };
  }

  /** The weights laid out as BookNet's paramData (W01 [784, hidden], then W12 [hidden, 10]). */
  getWeights(): Float64Array {
    const { hidden } = this.config;
    const { hp, at } = this;
    const m = new Float64Array(this.memory.buffer);
    const out = new Float64Array(BOOK_PIXELS * hidden + hidden * BOOK_CLASSES);
    if (hp === hidden) out.set(m.subarray(at.w01 / 8, at.w01 / 8 + BOOK_PIXELS * hidden));
    else for (let p = 0; p < BOOK_PIXELS; p++) out.set(m.subarray(at.w01 / 8 + p * hp, at.w01 / 8 + p * hp + hidden), p * hidden);
    out.set(m.subarray(at.w12 / 8, at.w12 / 8 + hidden * BOOK_CLASSES), BOOK_PIXELS * hidden);
    return out;
  }

  /** The epoch's masks [count, hp], drawn from the generator's live state as the Dropout layer draws them. */
  private drawMasks(count: number): void {
    const { k, at, hp, config } = this;
    config.rng.drawWith((key, pos) => {
      const words = new Uint32Array(this.memory.buffer, at.key, KEY_WORDS);
      words.set(key);
      const next = k.randintMasks(at.masks, at.key, pos, count, config.hidden, hp, 2);
      key.set(words);
      return next;
    });
  }

  /** Whether every weight is a finite number; keeps W01's largest magnitude for the next epoch. */
  private weightsFinite(): boolean {
    const { k, at, hp } = this;
    this.w01Max = k.maxAbs(at.w01, BOOK_PIXELS * hp);
    return Number.isFinite(this.w01Max) && Number.isFinite(k.maxAbs(at.w12, hp * BOOK_CLASSES));
  }
}
