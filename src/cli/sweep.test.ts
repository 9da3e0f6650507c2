/** `reglab sweep` as users run it: spawned, on real MNIST subsets. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, skipUnlessChromium, type Session } from '../testing/browser.js';
import { reglab } from './spawn.js';

const SPACE = 'lr=1e-2..0.5:log,batch-size=16..128:pow2,dropout=0..0.5';
const SHARED = ['--train-size', '600', '--val-size', '200', '--test-size', '200', '--hidden', '32', '--epochs', '3'];
const tmp = () => mkdtempSync(join(tmpdir(), 'reglab-sweep-'));
const jsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
/** A trials.jsonl line apart from what may differ between runs: its time and its thread. */
const same = (l: Record<string, unknown>) => ({ ...l, seconds: 0, worker: '' });
const noSeconds = (rows: Record<string, unknown>[]) => rows.map(({ seconds: _s, ...r }) => r);

describe('reglab sweep on the local pool', () => {
  const dir = tmp();
  const a = join(dir, 'a');
  let first: ReturnType<typeof reglab>;
  before(() => {
    first = reglab('sweep', '--space', SPACE, '--trials', '5', '--seed', '3', '--workers', '2', '--out', a, ...SHARED);
  });

  test('every trial once in trials.jsonl, with exactly its fields; a ranked table; the same again bit for bit', () => {
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^rank +trial +status +epochs +valAcc +best epoch +lr +batch-size +dropout +seconds$/m);
    assert.match(first.stdout, /5 trials: 5 completed, 0 pruned, 0 failed; 15 epochs trained/);
    const lines = jsonl(join(a, 'trials.jsonl'));
    assert.deepEqual(lines.map((l) => l.trial), [0, 1, 2, 3, 4]);
    assert.deepEqual(Object.keys(lines[0]!), ['trial', 'params', 'seed', 'status', 'epochs', 'bestEpoch', 'metric', 'value', 'metrics', 'seconds', 'worker', 'command']);
    for (const l of lines) assert.deepEqual(Object.keys(l.params as object), ['lr', 'batchSize', 'dropout']);
    const b = join(dir, 'b');
    const again = reglab('sweep', '--space', SPACE, '--trials', '5', '--seed', '3', '--workers', '1', '--out', b, ...SHARED, '--json');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(jsonl(join(b, 'trials.jsonl')).map(same), lines.map(same));
    const summary = JSON.parse(again.stdout) as { trials: number; best: { trial: number }; results: { trial: number; value: number }[] };
    assert.equal(summary.trials, 5);
    const ranked = [...lines].sort((x, y) => (y.value as number) - (x.value as number) || (x.trial as number) - (y.trial as number));
    assert.deepEqual(summary.results.map((r) => r.trial), ranked.map((l) => l.trial));
    assert.equal(summary.best.trial, ranked[0]!.trial);
  });

  test("the best trial's command, run alone with reglab train --metrics, reproduces its per-epoch metrics exactly", () => {
    const best = jsonl(join(a, 'trials.jsonl')).sort((x, y) => (y.value as number) - (x.value as number))[0]!;
    const args = (best.command as string).split(' ').slice(2);
    const m = join(dir, 'alone.jsonl');
    const r = reglab('train', ...args, '--metrics', m, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(noSeconds(jsonl(m)), noSeconds(jsonl(join(a, 'trials', `${best.trial}.metrics.jsonl`))));
  });

  test('resume runs only the trials not done; another sweep in the same folder is refused', () => {
    const more = reglab('sweep', '--space', SPACE, '--trials', '7', '--seed', '3', '--out', a, '--resume', ...SHARED);
    assert.equal(more.code, 0, more.stderr);
    assert.match(more.stderr, /resuming .*: 5 of 7 trials done/);
    assert.deepEqual([...more.stdout.matchAll(/^trial (\d+) /gm)].map((x) => Number(x[1])).sort(), [5, 6]);
    const lines = jsonl(join(a, 'trials.jsonl'));
    assert.deepEqual(lines.map((l) => l.trial), [0, 1, 2, 3, 4, 5, 6]);
    // The finished trials' lines are as they were (their times too: they did not run again).
    assert.deepEqual(lines.slice(0, 5), jsonl(join(dir, 'b', 'trials.jsonl')).map((l, i) => ({ ...l, seconds: lines[i]!.seconds, worker: lines[i]!.worker })));
    const other = reglab('sweep', '--space', SPACE, '--trials', '7', '--seed', '4', '--out', a, '--resume', ...SHARED);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /^reglab sweep: --out .* holds another sweep \(s[0-9a-f]{8}, this one is s[0-9a-f]{8}\)/);
    assert.equal(other.stderr.trim().split('\n').length, 1);
    // The same sweep on the other backend: refused, so that one sweep's numbers come from one backend.
    const refBackend = reglab('sweep', '--space', SPACE, '--trials', '7', '--seed', '3', '--out', a, '--resume', ...SHARED, '--backend', 'ref');
    assert.equal(refBackend.code, 2, refBackend.stderr);
    assert.match(refBackend.stderr, /^reglab sweep: --out .*: its trials trained on the wasm backend; resume it with --backend wasm \(this one is ref\)/);
    assert.equal(refBackend.stderr.trim().split('\n').length, 1);
    assert.equal(jsonl(join(a, 'trials.jsonl')).length, 7);
    const noResume = reglab('sweep', '--space', SPACE, '--trials', '7', '--seed', '3', '--out', a, ...SHARED);
    assert.equal(noResume.code, 2);
    assert.match(noResume.stderr, /already holds a sweep: add --resume/);
  });

  describe('report.html', { skip: skipUnlessChromium() }, () => {
    let session: Session;
    before(async () => {
      session = await launchChromium();
    });
    after(async () => {
      await session.close();
    });
    test('has the heatmap, the parallel coordinates and the table, offline, and draws the best five curves without errors', async () => {
      const html = readFileSync(join(a, 'report.html'), 'utf8');
      assert.match(html, /data-testid="sweep-heatmap"><svg /);
      assert.match(html, /data-testid="sweep-parallel"><svg /);
      assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'nothing loaded from elsewhere');
      assert.equal((html.match(/<polyline data-trial=/g) ?? []).length, 7, 'a line per trial');
      const page = await session.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('**', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
      await page.goto(pathToFileURL(join(a, 'report.html')).href);
      await page.waitForSelector('body[data-ready="true"]');
      assert.deepEqual(errors, []);
      assert.equal(await page.locator('[data-testid="sweep-heatmap"] rect').count() > 0, true);
      assert.equal(await page.locator('[data-testid="sweep-curves-acc"] canvas').count() > 0, true);
      assert.equal(await page.evaluate(() => (window as unknown as { reglabSweep: { runs: unknown[] } }).reglabSweep.runs.length), 5);
      await page.close();
    });
  });
});

test('asha: prunes, trains fewer epochs, and its --workers 1 sweep is the same every time', () => {
  const dir = tmp();
  const run = (name: string) => {
    const r = reglab('sweep', '--space', SPACE, '--trials', '6', '--scheduler', 'asha', '--workers', '1', '--out', join(dir, name), ...SHARED, '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { pruned: number; epochs: number; results: Record<string, unknown>[] };
  };
  const x = run('x');
  assert.ok(x.pruned > 0 && x.epochs < 18, `${x.pruned} pruned, ${x.epochs} epochs`);
  assert.deepEqual(run('y').results.map(same), x.results.map(same));
});

test('bad spaces and flags: one line on stderr, exit 2, nothing written', () => {
  const dir = tmp();
  const out = join(dir, 'out');
  const spaceFile = join(dir, 'space.json');
  writeFileSync(spaceFile, '{"lr": {"min": 0, "max": 1, "scale": "log"}}');
  const cases: [string[], RegExp][] = [
    [[], /--space is needed/],
    [['--space', 'lr=0.5..0.1:log'], /lr: range 0.5..0.1 has its low end above its high end/],
    [['--space', 'momentum=0..1'], /momentum: momentum must be in \[0, 1\)/],
    [['--space', 'batch-size=6..64:pow2'], /powers of two/],
    [['--space', 'wings=1..2'], /wings: not a setting/],
    [['--space', 'lr=0.1..0.5:exp'], /unknown scale/],
    [['--space-file', spaceFile], /lr: a :log range needs bounds > 0/],
    [['--space-file', join(dir, 'none.json')], /--space-file .*: cannot read \(ENOENT\)/],
    [['--space', 'lr=0.1..0.5', '--lr', '0.1'], /--lr is in the search space and given as a flag/],
    [['--space', 'lr=0.1..0.5', '--val-size', '0'], /--metric valAcc needs validation data: give --val-size N/],
    [['--space', 'lr=0.1..0.5', '--metric', 'testAcc', '--test-size', '0'], /--metric testAcc needs a test set/],
    [['--space', 'lr=0.1..0.5', '--metric', 'f1'], /--metric must be one of/],
    [['--space', 'lr=0.1..0.5', '--scheduler', 'hyperband'], /--scheduler must be one of random, asha/],
    [['--space', 'lr=0.1..0.5', '--eta', '3'], /--eta and --min-epochs need --scheduler asha/],
    [['--space', 'lr=0.1..0.5', '--scheduler', 'asha', '--min-epochs', '3'], /--min-epochs 3 must be below --epochs 3/],
    [['--space', 'lr=0.1..0.5', '--trials', '0'], /--trials must be between 1/],
    [['--space', 'lr=0.1..0.5', '--workers', 'many'], /--workers must be an integer/],
    [['--space', 'lr=0.1..0.5', '--metrics', 'm.jsonl'], /--metrics: a sweep writes each trial's outputs in --out DIR/],
    [['--space', 'lr=0.1..0.5', '--threads', '2'], /--threads: each trial runs on one thread/],
    [['--space', 'lr=0.1..0.5', '--resume'], /--resume needs --out DIR/],
    [['--space', 'lr=0.1..0.5', '--queue', 'redis://localhost:6379/x'], /redis:\/\/localhost:6379\/x: the path must be a database number/],
    [['--space', 'lr=0.1..0.5', '--bogus'], /Unknown option '--bogus'/],
    [['--space', 'batch-size=256..1024:pow2'], /trial \d+: --batch-size \d+ is larger than the training set \(--train-size 600\)/],
    [['--space', 'lr=0.1..0.5', '--out', spaceFile], /--out .*: exists and is not a folder/],
  ];
  for (const [args, re] of cases) {
    const r = reglab('sweep', ...SHARED, ...(args.includes('--out') || args.includes('--resume') ? [] : ['--out', out]), ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.ok(!existsSync(out), `${args.join(' ')}: nothing written`);
  }
});

test('--resume on an --out whose sweep.json is not a sweep manifest: refused as unreadable, the folder untouched', () => {
  const out = join(tmp(), 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'sweep.json'), '{"notes": "mine"}');
  const r = reglab('sweep', ...SHARED, '--space', 'lr=0.1..0.5', '--out', out, '--resume');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^reglab sweep: --out .*: sweep\.json is missing or unreadable, so this cannot be checked to be the same sweep\n$/);
  assert.deepEqual(readdirSync(out), ['sweep.json']);
  assert.equal(readFileSync(join(out, 'sweep.json'), 'utf8'), '{"notes": "mine"}');
});

test('two sweeps into one --out at once: the second is refused (exit 2, one line) and the first finishes whole; the folder is free after it', async () => {
  const { startReglab } = await import('./spawn.js');
  const dir = tmp();
  const out = join(dir, 'out');
  const args = ['sweep', '--space', SPACE, '--trials', '4', '--seed', '5', '--workers', '1', '--out', out, ...SHARED, '--json'];
  const first = startReglab(args, { timeout: 120_000 });
  let stdout = '';
  first.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const ended = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 600 && !existsSync(join(out, 'sweep.lock')); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(join(out, 'sweep.lock')), 'the first sweep holds its folder');
  first.kill('SIGSTOP'); // held still while the second tries (a short sweep could end first)
  const second = reglab(...args, '--resume');
  first.kill('SIGCONT');
  const code = await ended;
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`^reglab sweep: --out ${out.replace(/[/\\.]/g, '\\$&')} is in use by another reglab \\(pid ${first.pid}, since [^)]+\\): wait for it to finish, or name another folder\\n$`));
  assert.equal(code, 0);
  assert.equal(jsonl(join(out, 'trials.jsonl')).length, 4);
  assert.equal((JSON.parse(stdout) as { trials: number }).trials, 4);
  assert.equal(existsSync(join(out, 'sweep.lock')), false, 'released at the end');
  const resumed = reglab(...args, '--resume');
  assert.equal(resumed.code, 0, resumed.stderr);
});
