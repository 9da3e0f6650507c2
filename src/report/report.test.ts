import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { refBackend } from '../backend/ref.js';
import { sliceSet } from '../data/dataset.js';
import { loadDataset } from '../data/files.js';
import { Model, mlpSpec } from '../nn/model.js';
import { EarlyStopping } from '../train/early-stopping.js';
import { fit } from '../train/trainer.js';
import { pageErrors, launchChromium, skipUnlessChromium, type Session } from '../testing/browser.js';
import { recordRun, type RunRecord } from './record.js';
import { joinModules, writeReport } from './write.js';

const data = loadDataset();
const train = sliceSet(data.train, 0, 600);
const val = sliceSet(data.train, 50000, 300);
const testSet = sliceSet(data.test, 0, 500);

function run(name: string, dropout: number): RunRecord {
  const config = { trainSize: 600, hidden: 24, dropout, lr: 0.05, batchSize: 20, epochs: 6, seed: 3 };
  const model = new Model(mlpSpec({ inputSize: 784, hidden: [24], classes: 10, dropout }), { backend: refBackend(), seed: 3 });
  const earlyStopping = new EarlyStopping({ patience: 2 });
  const result = fit(model, train, { epochs: 6, batchSize: 20, lr: 0.05, validation: val, test: testSet, callbacks: [earlyStopping] });
  return recordRun({ name, config, model, result, test: testSet, train, earlyStopping, maxUnits: 24, maxMisclassified: 10 });
}

const runs = [run('plain', 0), run('dropout', 0.5)];

describe('recordRun', () => {
  test('keeps the history, the confusion matrix covers the test set, weights are 784 x units', () => {
    const r = runs[0]!;
    assert.ok(r.history.length >= 1 && r.history.length <= 6);
    assert.equal(r.confusion!.flat().reduce((a, b) => a + b, 0), testSet.count);
    const diag = r.confusion!.reduce((n, row, i) => n + row[i]!, 0);
    assert.equal(diag / testSet.count, r.final!.testAcc);
    assert.equal(Buffer.from(r.weights!.data, 'base64').length, 784 * 24);
    assert.equal(Buffer.from(r.weightChange!.data, 'base64').length, 784 * 24);
    assert.notEqual(r.weightChange!.data, r.weights!.data);
    for (const m of r.misclassified!) assert.notEqual(m.label, m.predicted);
    assert.equal(r.misclassified!.length, 10);
    assert.ok(r.bestTestEpoch! >= 1 && r.earlyStoppingEpoch! >= 1);
  });
});

describe('joinModules', () => {
  test('strips our imports and exports, refuses what it cannot inline', () => {
    assert.equal(joinModules(["import { a } from './a.js';\nexport function f() {}\nexport {};\n"]).trim(), 'function f() {}');
    assert.throws(() => joinModules(['export default 3;\n']), /cannot inline/);
  });
});

describe('report.html in Chromium', { skip: skipUnlessChromium() }, () => {
  let session: Session;
  let dir: string;
  before(async () => {
    session = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'reglab-report-'));
  });
  after(async () => {
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('is written atomically and self-contained', () => {
    const path = writeReport(dir, runs, { title: 'test report' });
    assert.deepEqual(readdirSync(dir), ['report.html']);
    const html = readFileSync(path, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'no external scripts or stylesheets');
  });

  test('charts hold every run point, weights and errors are drawn, no script errors', async () => {
    const page = await session.context.newPage();
    const errors: string[] = [];
    pageErrors(page, errors);
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10000 });
    assert.deepEqual(errors, []);
    const drawn = await page.evaluate(() => {
      const r = (window as any).reglabReport;
      return {
        acc: r.charts.acc.data.map((c: ArrayLike<number | null>) => Array.from(c)),
        loss: r.charts.loss.data.map((c: ArrayLike<number | null>) => Array.from(c)),
        labels: r.charts.acc.series.map((s: { label: string }) => s.label),
        views: Array.from(document.querySelectorAll('canvas.weights')).map((c) => (c as HTMLCanvasElement).dataset['view']),
        weightCanvases: Array.from(document.querySelectorAll("canvas.weights")).map((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]),
        digits: document.querySelectorAll('.strip canvas').length,
        confusionCells: document.querySelectorAll('table.confusion td').length,
      };
    });
    assert.deepEqual(drawn.labels, ['epoch', 'plain train', 'plain val', 'plain test', 'dropout train', 'dropout val', 'dropout test']);
    const maxEpoch = Math.max(...runs.map((r) => r.history.length));
    assert.deepEqual(drawn.acc[0], Array.from({ length: maxEpoch }, (_, i) => i + 1));
    runs.forEach((r, ri) => {
      r.history.forEach((h, e) => {
        assert.equal(drawn.acc[1 + 3 * ri][e], h.trainAcc);
        assert.equal(drawn.acc[2 + 3 * ri][e], h.valAcc);
        assert.equal(drawn.acc[3 + 3 * ri][e], h.testAcc);
        assert.equal(drawn.loss[3 + 3 * ri][e], h.testLoss);
      });
    });
    // 24 units in 10 columns of 28 + 1 weights, 3 rows, 2 pixels per weight.
    assert.deepEqual(drawn.weightCanvases, [[582, 176], [582, 176]]);
    assert.deepEqual(drawn.views, ['change', 'change']);
    assert.equal(drawn.digits, 20);
    assert.equal(drawn.confusionCells, 200);

    // A click on a run in the legend hides its three lines; another brings them back.
    await page.click('#acc-chart .curve-legend [data-run="0"]');
    const shown = () => page.evaluate(() => (window as any).reglabReport.charts.acc.series.map((s: { show: boolean }) => s.show));
    assert.deepEqual(await shown(), [true, false, false, false, true, true, true]);
    await page.click('#acc-chart .curve-legend [data-run="0"]');
    assert.deepEqual(await shown(), [true, true, true, true, true, true, true]);

    // The compare table: each run's numbers are its metrics (the final model's, as recorded).
    const table = await page.evaluate(() =>
      Array.from(document.querySelectorAll('[data-testid=runs-table] tbody tr')).map((tr) => ({
        run: (tr as HTMLElement).dataset['run'],
        values: Array.from(tr.querySelectorAll('td[data-value]')).map((td) => Number((td as HTMLElement).dataset['value'])),
        changed: tr.querySelector('td.changed')!.textContent,
      })),
    );
    assert.deepEqual(table.map((t) => t.run), ['plain', 'dropout']);
    runs.forEach((r, i) => {
      const best = r.history.find((h) => h.epoch === r.bestTestEpoch)!;
      assert.deepEqual(table[i]!.values, [best.testAcc, r.final!.testAcc, r.final!.trainAcc, r.final!.trainAcc! - r.final!.testAcc, r.final!.testLoss]);
    });
    assert.equal(table[1]!.changed, 'dropout 0.5');

    // Run by run: one accuracy and one loss chart per run, on one shared y scale each.
    const small = await page.evaluate(() => {
      const s = (window as any).reglabReport.small;
      return { acc: s.acc.map((u: any) => [u.scales.y.min, u.scales.y.max]), loss: s.loss.length, epochs: s.acc.map((u: any) => u.data[0].length) };
    });
    assert.equal(small.acc.length, 2);
    assert.deepEqual(small.acc[0], small.acc[1]);
    assert.ok(small.acc[0][0] >= 0 && small.acc[0][1] <= 1 && small.acc[0][0] < small.acc[0][1], String(small.acc[0]));
    assert.equal(small.loss, 2);
    assert.deepEqual(small.epochs, runs.map((r) => r.history.length));

    // The x axis switched to examples seen: the same points, at epoch x training images.
    await page.selectOption('[data-testid=x-axis-acc]', 'examples-log');
    const xs = await page.evaluate(() => Array.from((window as any).reglabReport.charts.acc.data[0] as number[]));
    assert.deepEqual(xs, Array.from({ length: maxEpoch }, (_, i) => (i + 1) * 600));
    assert.equal(await page.evaluate(() => (window as any).reglabReport.charts.acc.scales.x.distr), 3);
    await page.click('#acc-chart .curve-legend [data-run="1"]');
    assert.deepEqual(await shown(), [true, true, true, true, false, false, false], 'the legend works on the new chart');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
