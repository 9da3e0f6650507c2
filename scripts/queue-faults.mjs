/**
 * The distributed sweep's fault check (npm run build first; needs redis-server): a throwaway Redis, three
 * `reglab worker` processes, a 15-trial `reglab sweep --queue`; one worker is killed with SIGKILL while it trains a
 * trial; then the same sweep on the local pool. Prints whether every trial arrived exactly once and equals the
 * local pool's, bit for bit (apart from seconds and worker). Usage: node scripts/queue-faults.mjs
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startRedis } from '../dist/testing/redis.js';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
const { Queue } = createRequire(import.meta.url)('bullmq');
import { readFileSync, existsSync, rmSync } from 'node:fs';
const M = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const r = await startRedis();
const SW = ['--space', 'lr=1e-3..0.5:log,batch-size=8..256:pow2,dropout=0..0.6', '--trials', '15', '--seed', '1', '--train-size', '2000', '--val-size', '500', '--test-size', '500', '--epochs', '3'];
const outs = ['', '', ''];
const ws = [0, 1, 2].map((i) => { const c = spawn(process.execPath, [M, 'worker', '--queue', r.url, '--concurrency', '1', '--lease', '5'], { stdio: ['ignore', 'pipe', 'inherit'] }); c.stdout.on('data', (d) => (outs[i] += d)); return c; });
await new Promise((res) => setTimeout(res, 3000));
const tmp = mkdtempSync(join(tmpdir(), 'reglab-queue-faults-'));
const Q = join(tmp, 'queue'), L = join(tmp, 'local');
rmSync(Q, { recursive: true, force: true }); rmSync(L, { recursive: true, force: true });
const t0 = Date.now();
const sweep = spawn(process.execPath, [M, 'sweep', '--queue', r.url, ...SW, '--out', Q, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
let killed = false;
const queue = new Queue('reglab-trials', { connection: { host: '127.0.0.1', port: r.port } });
let victim = null;
const iv = setInterval(async () => {
  if (killed) return;
  const n = existsSync(Q + '/trials.jsonl') ? readFileSync(Q + '/trials.jsonl', 'utf8').trim().split('\n').filter(Boolean).length : 0;
  if (n < 3) return;
  const active = await queue.getActive();
  const mine = active.find((j) => j.processedBy === `vm:${ws[0].pid}` && typeof j.progress === 'object' && j.progress.epoch >= 1);
  if (!killed && mine) { killed = true; victim = mine.id; ws[0].kill('SIGKILL'); console.log(`SIGKILL worker ${ws[0].pid} while it trained ${mine.id} (epoch ${mine.progress.epoch} of 3 done), ${n} trials recorded, at ${((Date.now() - t0) / 1000).toFixed(1)} s; its output so far:\n${outs[0]}`); }
}, 50);
await new Promise((res) => sweep.on('exit', res));
clearInterval(iv);
const vj = victim && await queue.getJob(victim); console.log('victim job', victim, 'stalledCounter', vj?.stalledCounter, 'attemptsMade', vj?.attemptsMade, 'finished by', vj?.processedBy);
await queue.close();
console.log('queue sweep exit', sweep.exitCode, 'wall', ((Date.now() - t0) / 1000).toFixed(1), 's');
for (const w of ws) w.kill('SIGTERM');
await Promise.all(ws.map((w) => new Promise((res) => (w.exitCode !== null || w.signalCode ? res() : w.on('exit', res)))));
await r.stop();
const t1 = Date.now();
const l = spawnSync(process.execPath, [M, 'sweep', '--workers', '2', ...SW, '--out', L, '--json'], { encoding: 'utf8' });
console.log('local sweep exit', l.status, 'wall', ((Date.now() - t1) / 1000).toFixed(1), 's');
const read = (d) => readFileSync(d + '/trials.jsonl', 'utf8').trim().split('\n').map((x) => JSON.parse(x));
const q = read(Q), lo = read(L);
const strip = ({ seconds, worker, ...x }) => x;
const ids = q.map((x) => x.trial);
console.log('queue lines', q.length, 'distinct trials', new Set(ids).size, 'local lines', lo.length);
const lm = new Map(lo.map((x) => [x.trial, JSON.stringify(strip(x))]));
let same = 0; for (const x of q) if (lm.get(x.trial) === JSON.stringify(strip(x))) same++;
let mSame = 0; for (let t = 0; t < 15; t++) { const f = (d) => readFileSync(`${d}/trials/${t}.metrics.jsonl`, 'utf8').trim().split('\n').map((s) => { const { seconds, ...y } = JSON.parse(s); return JSON.stringify(y); }).join('\n'); if (f(Q) === f(L)) mSame++; }
console.log('trials.jsonl lines equal to the local pool (without seconds/worker):', same, 'of', q.length, '; metrics files equal:', mSame, 'of 15');
const runs = new Map(); for (const o of outs) for (const m of o.matchAll(/^trial (\d+): (\w+)/gm)) runs.set(m[1], (runs.get(m[1]) ?? 0) + 1);
console.log('trial lines printed per trial by the workers:', JSON.stringify([...runs.entries()].sort((a, b) => a[0] - b[0])));
console.log('workers in results:', JSON.stringify([...new Set(q.map((x) => x.worker))]), 'statuses', JSON.stringify(q.map((x) => x.status)));
rmSync(tmp, { recursive: true, force: true });
