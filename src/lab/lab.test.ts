import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { reglab } from '../cli/spawn.js';
import { skipUnlessChromium } from '../testing/browser.js';
import type { EpochLogs } from '../train/callbacks.js';
import { LAB_DEFAULTS, labCommandLine, parseLabConfig, LabFieldError } from './config.js';
import { labSession } from '../testing/lab-session.js';
import { resolveLabPath } from './server.js';


describe('lab config', () => {
  test('defaults parse to themselves; form strings are converted', () => {
    assert.deepEqual(parseLabConfig({}), LAB_DEFAULTS);
    assert.equal(parseLabConfig({ lr: ' 0.5 ', earlyStopping: 'on' }).lr, 0.5);
  });
  test('a bad field names itself', () => {
    const bad: [Record<string, unknown>, string, RegExp][] = [
      [{ lr: 'fast' }, 'lr', /Learning rate: must be a number, got 'fast'/],
      [{ lr: '0' }, 'lr', /greater than 0/],
      [{ hidden: '2.5' }, 'hidden', /must be a comma-separated list of integers/],
      [{ dropout: '1' }, 'dropout', /must be in \[0, 1\)/],
      [{ trainSize: '' }, 'trainSize', /needs a value/],
      [{ trainSize: '59500', valSize: '1000' }, 'valSize', /exceed/],
      [{ trainSize: '10', batchSize: '32' }, 'batchSize', /larger than the training set/],
      [{ loss: 'hinge' }, 'loss', /one of ce, mse/],
    ];
    for (const [raw, field, msg] of bad) {
      assert.throws(() => parseLabConfig(raw), (e: unknown) => e instanceof LabFieldError && e.field === field && msg.test(e.message));
    }
  });
});

describe('lab server', () => {
  test('serves only its roots', () => {
    assert.equal(resolveLabPath('/dist/../package.json'), null);
    assert.equal(resolveLabPath('/dist/%2e%2e/package.json'), null);
    assert.equal(resolveLabPath('/dist/lab/lab.test.js'), null);
    assert.equal(resolveLabPath('/mnist/passwd'), null);
    assert.equal(resolveLabPath('/%E0%A4%A'), null);
    assert.match(resolveLabPath('/dist/lab/worker.js')!, /dist[/\\]lab[/\\]worker\.js$/);
    assert.match(resolveLabPath('/mnist/t10k-labels-idx1-ubyte')!, /t10k-labels-idx1-ubyte$/);
  });
});

describe('the web lab in Chromium', { skip: skipUnlessChromium() }, () => {
  const lab = labSession({ width: 1500, height: 1000 });
  let page: Page;
  const errors: string[] = [];
  before(async () => {
    page = await lab.page(errors);
  });

  const text = (id: string) => page.getByTestId(id).textContent();
  const epoch = async () => Number(await text('epoch'));

  test('is cross-origin isolated and loads without errors', async () => {
    const res = await page.goto(lab.url);
    assert.equal(res?.headers()['cross-origin-embedder-policy'], 'require-corp');
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    // Before any training the pad reads the drawing but has no model to ask.
    const box = (await page.getByTestId('draw').boundingBox())!;
    await page.mouse.move(box.x + 60, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + 150, box.y + 170, { steps: 5 });
    await page.mouse.up();
    assert.equal(await text('prediction'), 'Train a model first');
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    assert.equal(await text('prediction'), 'Draw a digit in the box');
    assert.deepEqual(errors, []);
  });

  test('a bad field value gives a clear message and starts nothing', async () => {
    await page.getByTestId('field-lr').fill('fast');
    await page.getByTestId('train').click();
    assert.match((await text('error'))!, /Learning rate: must be a number, got 'fast'/);
    assert.equal(await page.getByTestId('field-lr').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => (window as any).reglabLab.runs.length), 0);
    await page.getByTestId('preset').selectOption('quick');
    assert.equal(await page.getByTestId('error').isHidden(), true);
  });

  test('training on the defaults: epoch and test accuracy advance, pause holds, the pad predicts', async () => {
    // The defaults but more epochs, so that the run is still going when the test pauses it (the first
    // epochs' numbers do not depend on the number of epochs).
    await page.getByTestId('field-epochs').fill('500');
    await page.getByTestId('train').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=epoch]')!.textContent) >= 2, null, { timeout: 90_000 });
    const acc = Number(await page.getByTestId('test-acc').getAttribute('data-value'));
    assert.match((await text('data-status'))!, /wasm, float32 backend/, 'the page trains on the WebAssembly backend');
    assert.ok(acc >= 0.85, `test accuracy after 2 epochs on the defaults is ${acc}`);
    const curvePoints = await page.evaluate(() => (window as any).reglabLab.charts.acc.data.map((c: ArrayLike<number>) => Array.from(c)));
    assert.ok(curvePoints[0].length >= 2, 'the chart holds the epochs so far');

    await page.getByTestId('pause').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=pause]')!.textContent === 'Resume');
    const held = await epoch();
    const batchText = await page.locator('#batch-text').textContent();
    await page.waitForTimeout(1500);
    assert.equal(await epoch(), held);
    assert.equal(await page.locator('#batch-text').textContent(), batchText);

    await page.getByTestId('stop').click();
    await page.waitForFunction(() => !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled);

    // The pad reads a model trained to the end (a paused model depends on when the pause landed, so its
    // reading of a stroke would too): 3 epochs on the defaults, the same seed, so the same weights every time.
    await page.getByTestId('field-epochs').fill('3');
    await page.getByTestId('train').click();
    await page.waitForFunction(() => (window as any).reglabLab.runs.at(-1).status === 'done', null, { timeout: 90_000 });
    const box = (await page.getByTestId('draw').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.5, { steps: 6 });
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.85, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction(() => /^[0-9]$/.test(document.querySelector('[data-testid=prediction]')!.textContent ?? ''));
    assert.equal(await text('prediction'), '1', 'a vertical stroke reads as a 1');
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    assert.deepEqual(errors, []);
  });

  test('same seed and settings give the same numbers in the page as `reglab train` on the command line shown', async () => {
    const settings = { trainSize: '600', testSize: '500', valSize: '200', hidden: '24', epochs: '3', batchSize: '20', lr: '0.05', dropout: '0.3', seed: '7' };
    for (const [k, v] of Object.entries(settings)) await page.getByTestId(`field-${k}`).fill(v);
    await page.getByTestId('field-earlyStopping').check();
    // In slow motion (one epoch a second), which must not change a single number.
    await page.getByTestId('pace').selectOption('1000');
    await page.getByTestId('train').click();
    // The slow pace holds the run between epochs: it is seen running with one epoch done (a second long).
    await page.waitForFunction(() => {
      const run = (window as any).reglabLab.runs.at(-1);
      return run.status === 'running' && run.history.length === 1;
    }, null, { timeout: 60_000 });
    await page.waitForFunction(() => (window as any).reglabLab.runs.at(-1).status === 'done', null, { timeout: 60_000 });
    const inPage: EpochLogs[] = await page.evaluate(() => (window as any).reglabLab.runs.at(-1).history);
    const labels: string[] = await page.evaluate(() => (window as any).reglabLab.charts.acc.series.map((s: { label: string }) => s.label));
    assert.equal(labels.filter((l) => l.endsWith(' test')).length, 3, 'every run so far on the chart');

    const command = (await text('cli-command'))!;
    assert.equal(command, labCommandLine(parseLabConfig({ ...settings, earlyStopping: true })));
    const dir = mkdtempSync(join(tmpdir(), 'reglab-lab-'));
    const metrics = join(dir, 'metrics.jsonl');
    const args = command.replace(/^reglab /, '').split(' ');
    const cli = reglab(...args, '--metrics', metrics, '--json');
    assert.equal(cli.code, 0, cli.stderr);
    const fromCli = readFileSync(metrics, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EpochLogs);
    rmSync(dir, { recursive: true, force: true });
    const strip = (h: readonly EpochLogs[]) => h.map(({ seconds: _s, ...rest }) => rest);
    assert.equal(inPage.length, 3);
    assert.deepEqual(strip(inPage), strip(fromCli));
  });
});
