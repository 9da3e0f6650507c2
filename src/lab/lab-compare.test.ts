import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { skipUnlessChromium } from '../testing/browser.js';
import type { EpochLogs } from '../train/callbacks.js';
import { labSession } from '../testing/lab-session.js';

/** Settings small enough for a few seconds' run; with early stopping it stops at epoch 7, keeping epoch 5. */
const SMALL = { trainSize: '600', testSize: '1000', valSize: '500', hidden: '100', batchSize: '10', lr: '0.2', epochs: '30', patience: '2', seed: '1' };

async function runWith(page: Page, settings: Record<string, string>, earlyStopping = false): Promise<void> {
  for (const [k, v] of Object.entries(settings)) await page.getByTestId(`field-${k}`).fill(v);
  const es = page.getByTestId('field-earlyStopping');
  if (earlyStopping) await es.check();
  else await es.uncheck();
  const before = await page.evaluate(() => (window as any).reglabLab.runs.length);
  await page.getByTestId('train').click();
  await page.waitForFunction((n) => (window as any).reglabLab.runs.length > n && (window as any).reglabLab.runs.at(-1).status === 'done', before, { timeout: 90_000 });
}

async function drawSeven(page: Page): Promise<void> {
  await page.getByTestId('draw').scrollIntoViewIfNeeded();
  const box = (await page.getByTestId('draw').boundingBox())!;
  const at = (x: number, y: number): [number, number] => [box.x + box.width * x, box.y + box.height * y];
  await page.mouse.move(...at(0.28, 0.22));
  await page.mouse.down();
  await page.mouse.move(...at(0.72, 0.22), { steps: 8 });
  await page.mouse.move(...at(0.45, 0.82), { steps: 10 });
  await page.mouse.up();
  await page.waitForFunction(() => /^[0-9]$/.test(document.querySelector('[data-testid=prediction]')!.textContent ?? ''));
}

/** The table's rows as numbers, from each cell's data-value. */
async function tableRows(page: Page): Promise<{ name: string; best: number; bestEpoch: number; finalTest: number; finalTrain: number; gap: number; testLoss: number; differs: string }[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('[data-testid=runs-table] tbody tr')).map((tr) => {
      const v = (col: string) => Number((tr.querySelector(`[data-col=${col}]`) as HTMLElement).dataset['value']);
      return {
        name: (tr.querySelector('[data-testid=run-name]') as HTMLInputElement).value,
        best: v('best-test'),
        bestEpoch: Number((tr.querySelector('[data-col=best-test]') as HTMLElement).dataset['epoch']),
        finalTest: v('final-test'),
        finalTrain: v('final-train'),
        gap: v('gap'),
        testLoss: v('test-loss'),
        differs: tr.children[2]!.textContent ?? '',
      };
    }),
  );
}

describe('the lab compares runs, scrubs epochs and looks inside (Chromium)', { skip: skipUnlessChromium() }, () => {
  const lab = labSession({ width: 1400, height: 1000 });
  let page: Page;
  const errors: string[] = [];
  before(async () => {
    page = await lab.page(errors);
    await page.goto(lab.url);
    await page.waitForSelector('body[data-ready="true"]');
  });

  test('the scrubber at the early-stopping epoch reads a drawn digit as the restored model does', async () => {
    await runWith(page, SMALL, true);
    const run = await page.evaluate(() => {
      const r = (window as any).reglabLab.runs.at(-1);
      return { es: r.earlyStoppingEpoch as number, epochs: r.history.length as number, stop: r.stopReason as string, history: r.history as EpochLogs[] };
    });
    assert.equal(run.stop, 'early-stopping');
    assert.ok(run.es >= 1 && run.es < run.epochs, `early stopping kept epoch ${run.es} of ${run.epochs}`);
    assert.equal(await page.getByTestId('scrubber').getAttribute('max'), String(run.epochs));
    assert.equal(await page.locator('#scrub-marks .early-stop').getAttribute('data-epoch'), String(run.es));
    await drawSeven(page);
    const restored: number[] = await page.evaluate(() => (window as any).reglabLab.lastReading);
    // The hidden layer of the drawn digit, as a grid.
    assert.equal(await page.getByTestId('hidden').getAttribute('data-units'), '100');
    assert.ok(Number(await page.getByTestId('hidden').getAttribute('data-active')) > 0);

    await page.getByTestId('scrubber').fill(String(run.epochs));
    const last: number[] = await page.evaluate(() => (window as any).reglabLab.lastReading);
    assert.notDeepEqual(last, restored, 'the last epoch is another model');
    await page.getByTestId('scrubber').fill(String(run.es));
    const atEs: number[] = await page.evaluate(() => (window as any).reglabLab.lastReading);
    assert.deepEqual(atEs, restored);

    // The confusion matrix at that epoch agrees with the epoch's test accuracy, and a cell shows its digits.
    await page.waitForFunction((e) => document.querySelector('#confusion')!.getAttribute('data-epoch') === `epoch ${e}`, run.es);
    const diag = await page.evaluate(() => Array.from(document.querySelectorAll('#confusion td.diag')).reduce((s, td) => s + Number(td.textContent), 0));
    assert.equal(diag / 1000, run.history[run.es - 1]!.testAcc);
    const cell = page.locator('#confusion td button').first();
    const count = Number(await cell.textContent());
    await cell.click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=examples] canvas').length > 0);
    assert.equal(await page.locator('[data-testid=examples] canvas').count(), Math.min(24, count));
    const perClass = await page.evaluate(() => Array.from(document.querySelectorAll('[data-testid=per-class] span')).map((s) => Number((s as HTMLElement).dataset['value'])));
    assert.equal(perClass.length, 10);
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    assert.deepEqual(errors, []);
  });

  test('two pinned runs: the table holds their numbers, they survive a reload, export and import', async () => {
    await page.getByTestId('preset').selectOption('quick');
    await runWith(page, { ...SMALL, epochs: '4' });
    await runWith(page, { ...SMALL, epochs: '4', dropout: '0.3' });
    const histories: EpochLogs[][] = await page.evaluate(() => (window as any).reglabLab.runs.slice(-2).map((r: any) => r.history));
    // Pin the last two (the early-stopping run of the test before stays unpinned).
    const pins = page.getByTestId('pin');
    assert.equal(await pins.count(), 3);
    await pins.nth(1).check();
    // Renaming a run that is not the selected one: focusing its name selects it, and the text typed stays.
    await page.getByTestId('run-name').nth(1).fill('no dropout');
    await page.getByTestId('run-name').nth(1).press('Enter');
    await page.getByTestId('run-name').nth(2).fill('with dropout <img src=x onerror="window.pwned=1">');
    await page.getByTestId('run-name').nth(2).press('Enter');
    await pins.nth(2).check();

    const expected = histories.map((h) => {
      const best = h.reduce((b, e) => (e.testAcc! > b.testAcc! ? e : b));
      const last = h.at(-1)!;
      return { best: best.testAcc!, bestEpoch: best.epoch, finalTest: last.testAcc!, finalTrain: last.trainAcc, gap: last.trainAcc - last.testAcc!, testLoss: last.testLoss! };
    });
    const check = (rows: Awaited<ReturnType<typeof tableRows>>) => {
      assert.equal(rows.length, 2);
      rows.forEach((r, i) => {
        const { name: _n, differs: _d, ...numbers } = r;
        assert.deepEqual(numbers, expected[i]);
      });
      assert.equal(rows[0]!.name, 'no dropout');
      assert.equal(rows[1]!.name, 'with dropout <img src=x onerror="window.pwned=1">');
      assert.equal(rows[0]!.differs, '—', 'the first run differs from nothing');
      assert.equal(rows[1]!.differs, 'Dropout rate 0.3');
    };
    const all = await tableRows(page);
    assert.equal(all.length, 3);
    // Relative to the first row (the early-stopping run), the second differs in epochs and early stopping.
    assert.match(all[1]!.differs, /Epochs 4/);

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    check(await tableRows(page));
    assert.equal(await page.evaluate(() => (window as any).pwned), undefined, 'a name is text, never markup');
    const chartRuns: string[] = await page.evaluate(() => (window as any).reglabLab.charts.acc.series.filter((s: { label: string }) => s.label.endsWith(' test')).map((s: { label: string }) => s.label));
    assert.equal(chartRuns.length, 2, 'the pinned runs are overlaid on the chart');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-runs').click()]);
    const file = await download.path();
    const text = readFileSync(file, 'utf8');
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal((await tableRows(page)).length, 0);
    await page.getByTestId('import-file').setInputFiles({ name: 'runs.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=runs-table] tbody tr').length === 2);
    check(await tableRows(page));
    // An imported model reads digits as the one exported.
    await drawSeven(page);
    assert.match((await page.getByTestId('prediction').textContent())!, /^[0-9]$/);

    const bad = JSON.parse(text);
    bad.runs[1].config.dropout = '<b>1</b>';
    await page.getByTestId('import-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('[data-testid=error]')!.hidden);
    assert.equal(await page.getByTestId('error').textContent(), "runs file, run 2: Dropout rate: must be a number, got '<b>1</b>'");
    assert.equal((await tableRows(page)).length, 2, 'a bad file adds nothing');
    assert.deepEqual(errors, []);
  });
});
