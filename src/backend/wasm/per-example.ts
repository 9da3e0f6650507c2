/**
 * The fast backend's Backend.perExampleSgd: writes the net's description and a call's examples into one block
 * of scratch and runs assembly/per-example.ts (plain SGD) or assembly/per-example-reg32.ts (momentum, L2: the
 * arithmetic of per-example-reg-ref.ts, bit for bit) on the calling thread (threads handing off steps of a few
 * microseconds cost more than they give). The block is grown on demand and given back when a bigger one
 * replaces it, so a stepper holds no memory of its own.
 */
import { checkPerExampleBatch, checkPerExampleNet, type PerExampleBatch, type PerExampleNet, type PerExampleStepper } from '../per-example.js';
import { REG_KIND, regWeightKind, scalePeriod } from '../per-example-reg-ref.js';
import { adamNet, wasmPerExampleAdam } from './per-example-adam.js';
import { HEADER, LAYER, describeNet } from './per-example-desc.js';
import { readResults, stageCall, type PerExampleParts } from './per-example-call.js';

/** Bytes of a layer's rule block (assembly/per-example-reg32.ts), after the layers, when some rule is 'sgd-reg'. */
const RULE = 136;
const align = (n: number) => (n + 15) & ~15;

/** Makes the backend's perExampleSgd from its parts: one scratch block shared by all its steppers. */
export function wasmPerExample(parts: PerExampleParts): (net: PerExampleNet) => PerExampleStepper | null {
  const { kernels: k, heap } = parts;
  let block: Uint8Array = heap.u8(0);
  const scratch = (bytes: number): number => {
    if (block.length < bytes) {
      heap.release(block, 'wasm backend per-example scratch');
      block = heap.u8(Math.max(bytes, 2 * block.length));
    }
    return block.byteOffset;
  };

  return (net) => {
    checkPerExampleNet(net);
    // Adam's rules: their own kernel (per-example-adam.ts); mixed with others: not taken.
    const adam = adamNet(net);
    if (adam !== false) return adam ? wasmPerExampleAdam(parts, net, scratch) : null;
    const { layers } = net;
    const kinds = layers.map((l, i) => regWeightKind(l.weightRule, i));
    if (kinds.some((k) => k === null)) return null;
    // Plain SGD everywhere: perExampleSgd; else perExampleSgdReg with a rule block per layer.
    const reg = layers.some((l) => l.weightRule.kind !== 'sgd' || l.bias?.rule.kind === 'sgd-reg');
    const maxIn = Math.max(...layers.map((l) => l.inSize));
    const maxOut = Math.max(...layers.map((l) => l.outSize));
    const maxT = Math.max(0, ...layers.slice(1).map((l) => l.inSize * l.outSize));
    // Offsets in the block: the description, shared buffers, per-layer buffers, then a call's examples.
    let at = align(HEADER + (LAYER + (reg ? RULE : 0)) * layers.length);
    const take = (bytes: number) => ((at += align(bytes)), at - align(bytes));
    const dx = take(4 * maxIn), wt = take(4 * maxT), dOffs = take(4 * (maxOut + 4)), dVals = take(4 * (maxOut + 4)), dCnt = take(4);
    const own = layers.map((l, i) => ({
      y: take(4 * l.outSize), d: take(4 * l.outSize), offs: take(4 * (l.inSize + 4)), vals: take(4 * (l.inSize + 4)), cnt: take(4),
      // perExampleSgd's lr * d (float32) and, above the first layer, its transposed copy of W.
      ld: take(4 * (l.outSize + 4)), wt: i > 0 && !reg ? take(4 * l.inSize * l.outSize) : 0,
    }));
    const rowList = reg ? take(4 * (layers[0]!.inSize + 4)) : 0;
    // The regularised kernel's scratch: 32 bytes of float64, then 32 bytes per row of the first layer's list
    // (or a layer's outputs twice, or the first layer's second sums and rates).
    const coef = reg ? take(32 + Math.max(32 * (layers[0]!.inSize + 4), 8 * (maxOut + 4))) : 0;
    const w0 = layers[0]!.weightRule;
    const period = kinds[0] === REG_KIND.scaled && w0.kind === 'sgd-reg' ? scalePeriod(w0.rows!.powers!) : 0;
    const fixed = at;

    return {
      steps(batch: PerExampleBatch): number {
        checkPerExampleBatch(net, batch);
        const { count } = batch;
        if (count === 0) return 0;
        const call = stageCall(parts, scratch, fixed, batch, 0, count, layers[0]!.inSize);
        const { base } = call;
        const buf = heap.memory.buffer;
        const i32 = new Int32Array(buf, base, fixed >> 2);
        const f64 = new Float64Array(buf, base, fixed >> 3);
        describeNet(i32, f64, base, net, call.src, { dx, wt, dOffs, dVals, dCnt }, own, parts.ptr);
        if (reg) {
          // The optimizer's step count, from a matrix it tracks by rows (every rule block carries it).
          const tracked = layers.find((l) => l.weightRule.kind === 'sgd-reg' && l.weightRule.rows)?.weightRule;
          const now = tracked?.kind === 'sgd-reg' && tracked.rows ? tracked.rows.now() : 0;
          layers.forEach((l, i) => {
            const o = (HEADER + LAYER * layers.length + RULE * i) >> 2;
            const w = l.weightRule;
            const b = l.bias?.rule;
            i32.fill(0, o, o + (RULE >> 2));
            i32[o] = kinds[i]!;
            if (w.kind === 'sgd-reg') {
              const n = l.inSize * l.outSize;
              i32[o + 1] = w.velocity ? parts.ptr(w.velocity, n, `perExampleSgd layer ${i} velocity`) : 0;
              i32[o + 3] = w.rows ? parts.f64Ptr(w.rows.rowStep, l.inSize, `perExampleSgd layer ${i} row steps`) : 0;
              f64[(o >> 1) + 2] = w.momentum;
              f64[(o >> 1) + 3] = w.l2;
              if (w.rows?.lazy) {
                const powers = w.rows.powers!;
                i32[o + 10] = parts.f64Ptr(powers, powers.length, `perExampleSgd layer ${i} powers`);
                i32[o + 11] = powers.length >> 2;
              }
            }
            f64[(o >> 1) + 6] = now;
            if (b?.kind === 'sgd-reg') {
              i32[o + 2] = b.velocity ? parts.ptr(b.velocity, l.outSize, `perExampleSgd layer ${i} bias velocity`) : 0;
              f64[(o >> 1) + 4] = b.momentum;
              f64[(o >> 1) + 8] = b.l2;
            }
            i32[o + 14] = base + rowList;
            i32[o + 18] = i === 0 ? period : 0;
            i32[o + 19] = base + coef + 32;
            const modal = w.kind === 'sgd-reg' && kinds[i] === REG_KIND.modal ? w.rows!.modal! : null;
            if (modal) {
              const { r1, r2, h1, h2, c1, c2 } = modal.map;
              f64.set([r1, r2, h1, h2, c1, c2], (o >> 1) + 10);
              i32[o + 32] = parts.f64Ptr(modal.flag, 1, `perExampleSgd layer ${i} eigenbasis flag`);
            }
          });
        }
        const run = reg ? k.perExampleSgdReg : k.perExampleSgd;
        const done = run(base, call.idx, call.labels, count, call.losses, call.correct);
        readResults(heap, call, batch, 0, count, done);
        return done;
      },
    };
  };
}
