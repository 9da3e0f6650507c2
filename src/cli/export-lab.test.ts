/**
 * reglab export-lab as a teacher uses it: export the site, put it on a plain static server (no isolation
 * headers, under a sub-path, as GitHub Pages serves /repo/lab/), open it in Chromium, train on the page's
 * defaults, and get the numbers of `reglab train --threads 1` with the page's shown command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { labThreads } from '../lab/backend.js';
import { labModules, labSiteFiles } from '../lab/site.js';
import { pageErrors, launchChromium, skipUnlessChromium, type Session } from '../testing/browser.js';
import type { EpochLogs } from '../train/callbacks.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const reglab = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json' };

/** A plain static server: files under `prefix`, a MIME type by extension, no other headers. */
function staticServer(root: string, prefix: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === prefix.slice(0, -1)) return void res.writeHead(301, { Location: prefix }).end();
    if (!path.startsWith(prefix)) return void res.writeHead(404).end();
    let file = normalize(join(root, path.slice(prefix.length)));
    if (file !== root && !file.startsWith(root + sep)) return void res.writeHead(404).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`, server })));
}

const metricsOf = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EpochLogs);
const strip = (h: readonly EpochLogs[]) => h.map(({ seconds: _s, ...rest }) => rest);

describe('the site', () => {
  test("is the page's modules, their workers and the kernels, nothing else of dist/", () => {
    const modules = labModules();
    for (const m of ['lab/main.js', 'lab/worker.js', 'lab/config.js', 'backend/wasm/worker.js', 'backend/wasm/pool.js', 'viz/curves.js']) assert.ok(modules.includes(m), m);
    for (const m of modules) assert.doesNotMatch(m, /^(cli|report|tools|testing|bench)\/|\.test\.js$/, m);
    const paths = labSiteFiles().map((f) => f.path);
    assert.ok(paths.includes('index.html') && paths.includes('vendor/uPlot.iife.min.js') && paths.includes('mnist/train-images-idx3-ubyte'));
    assert.ok(paths.some((p) => /^dist\/backend\/wasm\/kernels-.*\.wasm$/.test(p)));
  });
  test('threads only where memory can be shared', () => {
    assert.equal(labThreads(8, false), 1);
    assert.equal(labThreads(8, true), 4);
    assert.equal(labThreads(2, true), 1);
    assert.equal(labThreads(3, true), 2);
  });
});

describe('reglab export-lab DIR', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'reglab-export-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a bad DIR: one line, exit 2, nothing written', () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    mkdirSync(join(dir, 'full'));
    writeFileSync(join(dir, 'full', 'notes.txt'), 'mine');
    const before = readdirSync(dir).sort();
    for (const [args, msg] of [
      [[join(dir, 'a-file')], /exists and is not a folder/],
      [[join(dir, 'full')], /is not empty and is not an earlier export/],
      [[join(dir, 'a-file', 'site')], /is not a folder/],
      [[], /give the folder/],
      [['a', 'b'], /expected one folder/],
    ] as [string[], RegExp][]) {
      const r = reglab('export-lab', ...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, msg);
    }
    assert.deepEqual(readdirSync(dir).sort(), before);
    assert.deepEqual(readdirSync(join(dir, 'full')), ['notes.txt']);
  });

  test('writes the whole site, and replaces an earlier export', () => {
    const site = join(dir, 'site');
    for (let i = 0; i < 2; i++) {
      const r = reglab('export-lab', site);
      assert.equal(r.status, 0, r.stderr);
    }
    for (const f of labSiteFiles()) assert.equal(statSync(join(site, f.path)).size, statSync(f.file).size, f.path);
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temporary folders left');
  });

  test("an earlier export holding the user's own files is refused, not replaced: nothing of theirs is lost", () => {
    const site = join(dir, 'own');
    assert.equal(reglab('export-lab', site).status, 0);
    writeFileSync(join(site, 'CNAME'), 'lab.example.org\n');
    mkdirSync(join(site, 'worksheets'));
    writeFileSync(join(site, 'worksheets', 'week1.html'), '<p>mine</p>');
    const r = reglab('export-lab', site);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^reglab export-lab: .*own: is an earlier export that also holds files it did not write \(CNAME and 1 more\): move them out first/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(readFileSync(join(site, 'CNAME'), 'utf8'), 'lab.example.org\n');
    assert.equal(readFileSync(join(site, 'worksheets', 'week1.html'), 'utf8'), '<p>mine</p>');
    assert.ok(existsSync(join(site, 'index.html')), 'the earlier export is left as it was');
    // A file manager's metadata is not the user's work: replaced with the export.
    rmSync(join(site, 'CNAME'));
    rmSync(join(site, 'worksheets'), { recursive: true });
    writeFileSync(join(site, '.DS_Store'), 'x');
    writeFileSync(join(site, 'dist', 'Thumbs.db'), 'x');
    assert.equal(reglab('export-lab', site).status, 0);
  });

  test('what an export killed mid-way left beside DIR is tidied by the next export', () => {
    const gone = Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
    // Killed while copying: its half-written temporary folder.
    mkdirSync(join(dir, `.half.export-${gone}.tmp`, 'dist'), { recursive: true });
    assert.equal(reglab('export-lab', join(dir, 'half')).status, 0);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.half.')), []);
    // Killed between moving the earlier export aside and moving the new one in: the earlier one is put back.
    const aside = join(dir, `.swap.old-${gone}.tmp`);
    mkdirSync(aside);
    writeFileSync(join(aside, 'reglab-lab.json'), JSON.stringify({ generator: 'reglab export-lab', files: ['index.html'] }));
    writeFileSync(join(aside, 'index.html'), 'earlier');
    assert.equal(reglab('export-lab', join(dir, 'swap')).status, 0);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.swap.')), []);
    assert.notEqual(readFileSync(join(dir, 'swap', 'index.html'), 'utf8'), 'earlier', 'replaced by the new export');
  });
});

describe('the exported lab on a plain static server, in Chromium', { skip: skipUnlessChromium() }, () => {
  let dir: string;
  let server: Server;
  let url: string;
  let session: Session;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reglab-export-'));
    const r = reglab('export-lab', join(dir, 'lab'));
    assert.equal(r.status, 0, r.stderr);
    ({ server, url } = await staticServer(join(dir, 'lab'), '/school/reglab/lab/'));
    session = await launchChromium({ width: 1500, height: 1000 });
  });
  after(async () => {
    await session?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  test("trains on the defaults to >= 0.85 on one thread, with the numbers of reglab train --threads 1", { timeout: 120_000 }, async () => {
    const page = await session.context.newPage();
    const errors: string[] = [];
    pageErrors(page, errors);
    const res = await page.goto(url);
    assert.equal(res?.headers()['cross-origin-embedder-policy'], undefined);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    await page.getByTestId('train').click();
    await page.waitForFunction(() => (window as any).reglabLab.runs.at(-1)?.status === 'done', null, { timeout: 110_000 });
    assert.match((await page.getByTestId('data-status').textContent())!, /wasm, float32 backend, 1 thread: the page is not cross-origin isolated/);
    const acc = Number(await page.getByTestId('test-acc').getAttribute('data-value'));
    assert.ok(acc >= 0.85, `test accuracy ${acc}`);
    const inPage: EpochLogs[] = await page.evaluate(() => (window as any).reglabLab.runs.at(-1).history);
    assert.deepEqual(errors, []);

    // The page's shown command on one thread, and on two (the thread count never changes a number).
    const command = (await page.getByTestId('cli-command').textContent())!;
    const args = command.replace(/^reglab /, '').split(' ');
    const cli: Record<string, EpochLogs[]> = {};
    for (const threads of ['1', '2']) {
      const metrics = join(dir, `metrics-${threads}.jsonl`);
      const r = reglab(...args, '--threads', threads, '--metrics', metrics, '--json');
      assert.equal(r.status, 0, r.stderr);
      cli[threads] = metricsOf(metrics);
    }
    assert.deepEqual(strip(cli['2']!), strip(cli['1']!), '--threads 2 gives the numbers of --threads 1');
    // The page against the command line: every number equal, bit for bit, losses included (their exp, log
    // and pow are the engine's own code, libm.ts, not Math's: Chromium's Math differs from Node's).
    const one = strip(cli['1']!);
    assert.equal(inPage.length, one.length);
    strip(inPage).forEach((h, i) => {
      const c = one[i]!;
      for (const k of ['epoch', 'trainAcc', 'valAcc', 'testAcc', 'trainLoss', 'valLoss', 'testLoss'] as const) assert.ok(Object.is(h[k], c[k]), `epoch ${i + 1} ${k}: ${h[k]} vs ${c[k]}`);
    });
    assert.deepEqual(strip(inPage), one);
    assert.equal(inPage.length, 20);
    await page.close();
  });
});
