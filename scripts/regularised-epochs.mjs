/**
 * Per-example epochs side by side in one process (1,000 images, batch 1, 784-100-10, the fast backend):
 * plain SGD, --l2 0.003, --momentum 0.9 and --optimizer adam, one epoch of each in turn; prints each one's median
 * epoch (epochs 3..N) and its ratio to the plain one. Usage: node scripts/regularised-epochs.mjs [DIST_DIR] [EPOCHS]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { perExampleSetup } from './per-example-setup.mjs';

const dist = process.argv[2] ? pathToFileURL(resolve(process.argv[2])).href : new URL('../dist', import.meta.url).href;
const E = Number(process.argv[3] ?? 12);
const { backend, trainer } = await perExampleSetup(dist, E);
const configs = { plain: {}, l2: { l2: 0.003 }, momentum: { momentum: 0.9 }, adam: { optimizer: 'adam' } };
const trainers = Object.fromEntries(Object.entries(configs).map(([k, c]) => [k, trainer(c)]));
const secs = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
for (let e = 0; e < E; e++) for (const [k, t] of Object.entries(trainers)) { const l = t.runEpoch(); if (e >= 2) secs[k].push(l.seconds); }
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const p = med(secs.plain);
for (const k of Object.keys(configs)) console.log(`${k.padEnd(9)} ${(med(secs[k]) * 1000).toFixed(1)} ms/epoch  ${(med(secs[k]) / p).toFixed(2)}x plain`);
console.log('threads', backend.threads);
