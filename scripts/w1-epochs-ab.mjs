/**
 * W1 epochs (full MNIST, batch 100, dropout 0.5, then the 10,000 test images; src/bench/workloads.ts) of builds
 * side by side in one process: every build in turn (A B A B), a rest after each epoch as the bench takes. Prints
 * each epoch's times, then per build the median and spread of epochs 2..N, the median of each round's ratio to the
 * first build, and a hash of the weights and the test accuracy (equal hashes: the same bits).
 * Rounds in which other programs kept under a tenth of a core busy are counted apart ("calm rounds": their median
 * and paired ratio). With HASH=1 the weights' hash is printed after every epoch. With QUIET=1 each round waits (up to 20 s) for a rest in which other programs use under a fifth of a core.
 * Usage: node scripts/w1-epochs-ab.mjs EPOCHS PAUSE_MS DIST[@THREADS] [DIST[@THREADS] ...] (a copy outside the repository needs a
 * node_modules beside its dist: a link to this one's).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
const E = Number(process.argv[2]);
const pause = Number(process.argv[3]);
const dists = process.argv.slice(4);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const sets = [];
for (const d of dists) {
  const [dir, threads] = d.split('@');
  const dist = pathToFileURL(resolve(dir)).href;
  const { createBackend } = await import(`${dist}/backend/create.js`);
  const { loadDataset } = await import(`${dist}/data/files.js`);
  const { sliceSet } = await import(`${dist}/data/dataset.js`);
  const { Model, mlpSpec } = await import(`${dist}/nn/model.js`);
  const { Trainer } = await import(`${dist}/train/trainer.js`);
  const { evaluate } = await import(`${dist}/train/evaluate.js`);
  const backend = await createBackend('wasm', threads ? { threads: Number(threads) } : {});
  const data = loadDataset();
  const spec = mlpSpec({ inputSize: 784, hidden: [100], classes: 10, dropout: 0.5, bias: false });
  const model = new Model(spec, { backend, seed: 1 });
  const trainer = new Trainer(model, sliceSet(data.train, 0, 60000), { epochs: 1e9, batchSize: 100, lr: 0.01 });
  const test = sliceSet(data.test, 0, 10000);
  sets.push({ d, model, epoch: () => { trainer.runEpoch(); return evaluate(model, test).acc; }, t: [], acc: [] });
}
const hash = (m) => createHash('sha256').update(new Uint8Array(m.paramData.buffer, m.paramData.byteOffset, m.paramData.byteLength)).digest('hex').slice(0, 16);
const rest = (ms = pause) => new Promise((r) => setTimeout(r, ms));
/** Busy and total jiffies of all cores (/proc/stat's first line). */
const jiffies = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
};
/** Waits for 300 ms in which the machine's cores were busy for less than a fifth of one (we are idle meanwhile). */
const quiet = async () => {
  const cores = Number(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm).length);
  for (let tries = 0; tries < 60; tries++) {
    const a = jiffies();
    await rest(300);
    const b = jiffies();
    if ((b.busy - a.busy) / (b.total - a.total) * cores < 0.2) return;
  }
};
/** Rounds in which other programs used under a tenth of a core beside us (their busy time: all cores' less ours). */
const calm = [];
for (let e = 0; e < E; e++) {
  const line = [];
  if (process.env.QUIET) await quiet();
  const j0 = jiffies(), u0 = process.cpuUsage(), w0 = performance.now();
  for (const s of sets) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    s.acc.push(s.epoch());
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    s.t.push(ms);
    line.push(`${s.d} ${ms.toFixed(0)} (cpu ${((c.user + c.system) / 1000).toFixed(0)})${process.env.HASH ? ' ' + hash(s.model) : ''}`);
    await rest();
  }
  const j1 = jiffies(), u = process.cpuUsage(u0), wall = performance.now() - w0;
  const cores = (j1.total - j0.total) / (wall / 10); // jiffies are 10 ms
  const others = ((j1.busy - j0.busy) * 10 - (u.user + u.system) / 1000) / wall;
  if (others < 0.1) calm.push(e);
  console.log(`epoch ${e}: ${line.join('  ')}  others ${others.toFixed(2)} of ${cores.toFixed(1)} cores`);
}
for (const s of sets) {
  const t = s.t.slice(1);
  const h = hash(s.model);
  const paired = sets[0] === s ? '' : ` paired/${sets[0].d} ${med(t.map((x, i) => x / sets[0].t[i + 1])).toFixed(3)}`;
  const c = calm.filter((e) => e > 0);
  const calmPaired = sets[0] === s || c.length === 0 ? '' : ` calm rounds ${c.length}: median ${med(c.map((e) => s.t[e])).toFixed(1)} paired ${med(c.map((e) => s.t[e] / sets[0].t[e])).toFixed(3)}`;
  console.log(`${s.d}: first ${s.t[0].toFixed(0)} median ${med(t).toFixed(1)} min ${Math.min(...t).toFixed(0)} max ${Math.max(...t).toFixed(0)}${paired} acc ${s.acc.join(',')} weights ${h}${calmPaired}`);
}
process.exit(0);
