/**
 * The network's description for the per-example kernels (assembly/per-example.ts's layout: HEADER bytes, then
 * LAYER bytes per layer; a kernel's own blocks follow), written by every per-example writer the same way.
 */
import type { PerExampleNet } from '../per-example.js';
import type { FloatArray } from '../backend.js';

export const HEADER = 48;
export const LAYER = 64;

/** Offsets (from the scratch block's start) of the buffers every layer shares. */
export interface SharedScratch {
  dx: number;
  wt: number;
  dOffs: number;
  dVals: number;
  dCnt: number;
}

/** Offsets of a layer's own buffers; wt (its transposed W, above the first layer) 0 when it has none. */
export interface LayerScratch {
  y: number;
  d: number;
  offs: number;
  vals: number;
  cnt: number;
  ld: number;
  wt?: number;
}

/** Where the images and their pixel table are, and the set's cached lists of nonzero pixels (or null). */
export interface ImageSource {
  images: number;
  table: number;
  lists: { starts: number; entries: number } | null;
  /** The table's divisor when every entry is byte / divisor in float32 (the kernels then divide), else absent. */
  divisor?: number;
}

const f32Word = new Float32Array(1);
const f32WordBits = new Int32Array(f32Word.buffer);
const f32Bits = (x: number): number => ((f32Word[0] = x), f32WordBits[0]!);

/** Writes the header and the layer blocks of the description at base (i32, f64: views of the block). */
export function describeNet(
  i32: Int32Array, f64: Float64Array, base: number, net: PerExampleNet, src: ImageSource, shared: SharedScratch,
  own: readonly LayerScratch[], ptr: (view: Readonly<FloatArray>, count: number, what: string) => number,
): void {
  const { layers } = net;
  i32[0] = layers.length;
  i32[1] = src.images;
  i32[2] = src.table;
  i32[3] = base + shared.dx;
  i32[4] = base + shared.wt;
  i32[5] = base + shared.dOffs;
  i32[6] = base + shared.dVals;
  i32[7] = base + shared.dCnt;
  i32[8] = src.lists ? src.lists.starts : 0;
  i32[9] = src.lists ? src.lists.entries : 0;
  i32[11] = src.divisor ? f32Bits(src.divisor) : 0;
  layers.forEach((l, i) => {
    const o = (HEADER + LAYER * i) >> 2;
    const m = own[i]!;
    i32[o] = l.inSize;
    i32[o + 1] = l.outSize;
    i32[o + 2] = ptr(l.weights, l.inSize * l.outSize, `perExampleSgd layer ${i} weights`);
    i32[o + 3] = l.bias ? ptr(l.bias.value, l.outSize, `perExampleSgd layer ${i} bias`) : 0;
    i32[o + 4] = l.bias ? ptr(l.bias.grad, l.outSize, `perExampleSgd layer ${i} bias gradient`) : 0;
    i32[o + 5] = base + m.y;
    i32[o + 6] = base + m.d;
    i32[o + 7] = base + m.offs;
    i32[o + 8] = base + m.vals;
    i32[o + 9] = base + m.cnt;
    f64[(o >> 1) + 5] = l.weightRule.lr;
    f64[(o >> 1) + 6] = l.bias ? l.bias.rule.lr : 0;
    i32[o + 14] = base + m.ld;
    i32[o + 15] = m.wt ? base + m.wt : 0;
  });
}
