/**
 * The first epochs of a fresh per-example Adam run (1,000 images, batch 1, 784-100-10, the fast backend) for builds
 * side by side in one process: per round, for each DIST in turn, a new Trainer's epochs 1, 2 and 3; prints each
 * build's median epoch 1 / 2 / 3 over the rounds (the early blocks take other paths than the later ones).
 * Usage: node scripts/adam-first-epochs.mjs ROUNDS DIST [DIST ...]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { perExampleSetup } from './per-example-setup.mjs';
const R = Number(process.argv[2]);
const dists = process.argv.slice(3);
const sets = [];
for (const d of dists) sets.push({ d, ...(await perExampleSetup(pathToFileURL(resolve(d)).href, 3)), t: [[], [], []] });
for (let r = 0; r < R; r++) for (const s of sets) {
  const tr = s.trainer({ optimizer: 'adam' });
  for (let e = 0; e < 3; e++) s.t[e].push(tr.runEpoch().seconds * 1000);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const s of sets) console.log(`${s.d}: epochs 1 / 2 / 3 ${s.t.map((a) => med(a).toFixed(1)).join(' / ')} ms`);
