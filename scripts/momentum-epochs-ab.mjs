/**
 * Per-example epochs (1,000 images, batch 1, 784-100-10, the fast backend) of builds side by side in one process:
 * for each DIST (a build's dist directory: this one's, a copy of another branch's), plain SGD and --momentum 0.9,
 * one epoch of each in turn, every build in turn (A B A B). Prints per build: momentum / plain as the ratio of the
 * medians (epochs 3..N), the median of each round's ratio (adjacent epochs: steadier on a loaded machine), the
 * ratio of the minimums, the same paired ratio in wall time (the epoch's end, its sync, included); then each build's
 * momentum epoch against the first build's (the median of the rounds' ratios).
 * Usage: node scripts/momentum-epochs-ab.mjs EPOCHS DIST [DIST ...] (a copy outside the repository needs a
 * node_modules beside its dist: a link to this one's).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { perExampleSetup } from './per-example-setup.mjs';
const E = Number(process.argv[2]);
const dists = process.argv.slice(3);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const min = (a) => Math.min(...a);
const sets = [];
for (const d of dists) {
  const dist = pathToFileURL(resolve(d)).href;
  const { trainer } = await perExampleSetup(dist, E);
  sets.push({ d, plain: trainer(), mom: trainer({ momentum: 0.9 }), s: { plain: [], mom: [] }, w: { plain: [], mom: [] } });
}
for (let e = 0; e < E; e++) for (const s of sets) for (const k of ['plain', 'mom']) {
  const t0 = performance.now();
  const l = s[k].runEpoch();
  const wall = performance.now() - t0;
  if (e >= 2) { s.s[k].push(l.seconds * 1000); s.w[k].push(wall); }
}
for (const s of sets) {
  const paired = s.s.mom.map((m, i) => m / s.s.plain[i]);
  console.log(`${s.d}: plain ${med(s.s.plain).toFixed(2)} mom ${med(s.s.mom).toFixed(2)} ratio ${(med(s.s.mom) / med(s.s.plain)).toFixed(3)} paired ${med(paired).toFixed(3)} min ${(min(s.s.mom) / min(s.s.plain)).toFixed(3)} wallpaired ${med(s.w.mom.map((m, i) => m / s.w.plain[i])).toFixed(3)} loss ${s.mom.history.at(-1).trainLoss}`);
}
for (const s of sets.slice(1)) console.log(`mom ${s.d} / ${sets[0].d} ${med(s.s.mom.map((m, i) => m / sets[0].s.mom[i])).toFixed(3)}`);
