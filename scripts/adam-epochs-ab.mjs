/**
 * Per-example epochs (1,000 images, batch 1, 784-100-10, the fast backend) of builds side by side in one process:
 * for each DIST (a build's dist directory: this one's, a copy of another branch's), plain SGD and --optimizer adam,
 * one epoch of each in turn, every build in turn (A B A B). Prints per build: adam / plain as the ratio of the
 * medians (epochs 3..N), the median of each round's ratio (adjacent epochs: steadier on a loaded machine) with its
 * quartiles, the ratio of the minimums; then each build's Adam epoch against the first build's (the median of the
 * rounds' ratios, and its quartiles). Usage: node scripts/adam-epochs-ab.mjs EPOCHS DIST [DIST ...] (a copy outside
 * the repository needs a node_modules beside its dist: a link to this one's).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { perExampleSetup } from './per-example-setup.mjs';
const E = Number(process.argv[2]);
const dists = process.argv.slice(3);
const q = (a, f) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * f))]; };
const med = (a) => q(a, 0.5);
const spread = (a) => `${med(a).toFixed(3)} [${q(a, 0.25).toFixed(3)}-${q(a, 0.75).toFixed(3)}]`;
const min = (a) => Math.min(...a);
const sets = [];
for (const d of dists) {
  const dist = pathToFileURL(resolve(d)).href;
  const { trainer } = await perExampleSetup(dist, E);
  sets.push({ d, plain: trainer(), adam: trainer({ optimizer: 'adam' }), s: { plain: [], adam: [] } });
}
for (let e = 0; e < E; e++) for (const s of sets) for (const k of ['plain', 'adam']) {
  const l = s[k].runEpoch();
  if (e >= 2) s.s[k].push(l.seconds * 1000);
}
for (const s of sets) {
  const paired = s.s.adam.map((m, i) => m / s.s.plain[i]);
  console.log(`${s.d}: plain ${med(s.s.plain).toFixed(2)} adam ${med(s.s.adam).toFixed(2)} ms ratio ${(med(s.s.adam) / med(s.s.plain)).toFixed(3)} paired ${spread(paired)} min ${(min(s.s.adam) / min(s.s.plain)).toFixed(3)} loss ${s.adam.history.at(-1).trainLoss}`);
}
for (const s of sets.slice(1)) console.log(`adam ${s.d} / ${sets[0].d} ${spread(s.s.adam.map((m, i) => m / sets[0].s.adam[i]))}`);
