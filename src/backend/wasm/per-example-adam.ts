/**
 * The fast backend's per-example step with Adam rules (assembly/per-example-adam.ts): writes the net's
 * description (assembly/per-example.ts's layout, then the Adam block) and a call's examples into the
 * backend's per-example scratch, and runs the kernel on the calling thread, one call per block of steps (a
 * batch that crosses a block's end is cut there: each call reads its block's tables). The lazy rows' state
 * lives in the optimizer's buffers (nn/adam-rows.ts); the stepper gives it its kernel's sync.
 */
import type { FloatArray } from '../backend.js';
import type { PerExampleAdamRule } from '../per-example-adam.js';
import { checkPerExampleBatch, type PerExampleBatch, type PerExampleNet, type PerExampleStepper } from '../per-example.js';
import { TABLES } from '../../nn/adam-rows.js';
import { HEADER, LAYER, describeNet, type ImageSource } from './per-example-desc.js';
import { readResults, stageCall, type PerExampleParts } from './per-example-call.js';

const ADAM = 64;
const PER_LAYER = 20;
const align = (n: number) => (n + 15) & ~15;


/** Whether the net is stepped by Adam (every rule 'adam'); null when some rule is and others are not. */
export function adamNet(net: PerExampleNet): boolean | null {
  const kinds = net.layers.flatMap((l) => [l.weightRule.kind, ...(l.bias ? [l.bias.rule.kind] : [])]);
  const adam = kinds.filter((k) => k === 'adam').length;
  return adam === 0 ? false : adam === kinds.length ? true : null;
}

/** The stepper for a net whose rules are all Adam's, or null when the kernel does not take it. */
export function wasmPerExampleAdam(parts: PerExampleParts, net: PerExampleNet, scratch: (bytes: number) => number): PerExampleStepper | null {
  const { kernels: k, heap } = parts;
  const { layers } = net;
  const rules = layers.map((l) => l.weightRule as PerExampleAdamRule);
  const biasRules = layers.map((l) => (l.bias ? (l.bias.rule as PerExampleAdamRule) : null));
  const r0 = rules[0]!;
  const rows = r0.rows;
  if (!rows || rules.slice(1).some((r) => r.rows)) return null;
  const same = (r: PerExampleAdamRule) => r.lr === r0.lr && r.beta1 === r0.beta1 && r.beta2 === r0.beta2 && r.eps === r0.eps;
  if (!rules.every(same) || !biasRules.every((r) => !r || same(r))) return null;
  const L = layers.length;
  const B = rows.block;
  const maxIn = Math.max(...layers.map((l) => l.inSize));
  const maxOut = Math.max(...layers.map((l) => l.outSize));
  const maxT = Math.max(0, ...layers.slice(1).map((l) => l.inSize * l.outSize));
  let at = align(HEADER + LAYER * L + ADAM + PER_LAYER * L);
  const take = (bytes: number) => ((at += align(bytes)), at - align(bytes));
  const dx = take(4 * maxIn), wt = take(4 * maxT), dOffs = take(4 * (maxOut + 4)), dVals = take(4 * (maxOut + 4)), dCnt = take(4);
  const own = layers.map((l, i) => ({
    y: take(4 * l.outSize), d: take(4 * l.outSize), offs: take(4 * (l.inSize + 4)), vals: take(4 * (l.inSize + 4)), cnt: take(4),
    ld: take(4 * (l.outSize + 4)), g: i > 0 ? take(4 * l.inSize * l.outSize) : 0,
  }));
  const rowList = take(4 * (layers[0]!.inSize + 4));
  // The kernel's cache of per-row coefficients: one entry of 48 bytes per step of the block.
  const coefs = take(48 * B);
  const fixed = at;

  /** Writes the description for the block T0 and the step count `now` into the scratch at base. */
  const describe = (base: number, T0: number, now: number, src: ImageSource) => {
    const buf = heap.memory.buffer;
    const i32 = new Int32Array(buf, base, fixed >> 2);
    const f64 = new Float64Array(buf, base, fixed >> 3);
    describeNet(i32, f64, base, net, src, { dx, wt, dOffs, dVals, dCnt }, own, parts.ptr);
    const a = HEADER + LAYER * L;
    f64[a >> 3] = r0.beta1;
    f64[(a >> 3) + 1] = r0.beta2;
    f64[(a >> 3) + 2] = r0.eps;
    f64[(a >> 3) + 3] = now;
    i32[(a >> 2) + 8] = B;
    i32[(a >> 2) + 9] = parts.f64Ptr(rows.tables(T0), TABLES * (B + 1), 'perExampleSgd Adam tables');
    i32[(a >> 2) + 10] = parts.ptr(rows.ring as unknown as FloatArray, B * layers[0]!.outSize, 'perExampleSgd Adam ring');
    i32[(a >> 2) + 11] = parts.f64Ptr(rows.at, layers[0]!.inSize, 'perExampleSgd Adam row steps');
    i32[(a >> 2) + 12] = parts.ptr(rows.px as unknown as FloatArray, layers[0]!.inSize, 'perExampleSgd Adam row pixels');
    i32[(a >> 2) + 13] = base + rowList;
    i32[(a >> 2) + 14] = T0;
    i32[(a >> 2) + 15] = base + coefs;
    layers.forEach((l, i) => {
      const o = (a + ADAM + PER_LAYER * i) >> 2;
      const n = l.inSize * l.outSize;
      i32[o] = parts.ptr(rules[i]!.m, n, `perExampleSgd layer ${i} first moment`);
      i32[o + 1] = parts.ptr(rules[i]!.v, n, `perExampleSgd layer ${i} second moment`);
      const br = biasRules[i];
      i32[o + 2] = br ? parts.ptr(br.m, l.outSize, `perExampleSgd layer ${i} bias first moment`) : 0;
      i32[o + 3] = br ? parts.ptr(br.v, l.outSize, `perExampleSgd layer ${i} bias second moment`) : 0;
      i32[o + 4] = own[i]!.g === 0 ? 0 : base + own[i]!.g;
    });
  };

  rows.syncWith((now) => {
    const base = scratch(fixed);
    const T0 = Math.floor((now - 1) / B) * B;
    describe(base, Math.max(0, T0), now, { images: 0, table: parts.pixelTable(255), lists: null });
    k.adamRowsSync(base, now);
  });

  return {
    steps(batch: PerExampleBatch): number {
      checkPerExampleBatch(net, batch);
      const { count } = batch;
      if (count === 0) return 0;
      const cols = layers[0]!.inSize;
      let done = 0;
      while (done < count) {
        const now = r0.now() + done;
        const T0 = Math.floor(now / B) * B;
        const n = Math.min(count - done, T0 + B - now);
        const call = stageCall(parts, scratch, fixed, batch, done, n, cols);
        describe(call.base, T0, now, call.src);
        const ran = k.perExampleAdam(call.base, call.idx, call.labels, n, call.losses, call.correct);
        readResults(heap, call, batch, done, n, ran);
        done += ran;
        if (ran < n) return done;
      }
      return count;
    },
  };
}
