/**
 * The README's pictures and the lab's done-when check (dev only: drives Chromium with playwright-core).
 *
 *   node dist/tools/docs-images.js report FILE [--out docs] [--runs a,b,c]
 *     re-renders a report.html from the runs it embeds (with this build's page script), then saves the
 *     accuracy, loss, weights, errors, compare-table and run-by-run panels as PNGs (--runs keeps only those
 *     runs on the two big charts, on the epoch axis), and the accuracy chart of every run on a log epoch axis.
 *   node dist/tools/docs-images.js lab [--out docs] [--target 0.85]
 *     serves the lab, presses Train on the defaults, measures how long test accuracy takes to reach the
 *     target and times script calls into the page until the run ends; draws a digit and saves a screenshot
 *     (lab.png). Then trains the same run with dropout 0.5 and early stopping, pins and names both, and saves
 *     the compare table (lab-compare.png), the curves with the scrubber at the early-stopping epoch
 *     (lab-scrubber.png), the drawn digit's hidden layer beside its input and probabilities at that epoch
 *     (lab-inside.png) and that epoch's confusion matrix and per-class accuracy (lab-confusion.png); then
 *     lab-dropout.png (below).
 *   node dist/tools/docs-images.js lab-dropout [--out docs]
 *     dropout in slow motion: a drawn 7's hidden layer beside the mask of a dropout run's first epoch.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { startLabServer } from '../lab/server.js';
import type { RunRecord } from '../report/record.js';
import { writeReport } from '../report/write.js';
import { launchChromium } from '../testing/browser.js';

function runsOf(html: string): RunRecord[] {
  const m = html.match(/<script type="application\/json" id="reglab-runs">([\s\S]*?)<\/script>/);
  if (!m) throw new Error('no runs in that report');
  return JSON.parse(m[1]!) as RunRecord[];
}

async function reportImages(file: string, out: string, keep: string[] | null): Promise<void> {
  const html = readFileSync(file, 'utf8');
  const title = html.match(/<h1>(.*?)<\/h1>/)?.[1] ?? 'reglab report';
  const dir = join(tmpdir(), `reglab-docs-${process.pid}`);
  const path = writeReport(dir, runsOf(html), { title: title.replace(/&amp;/g, '&') });
  const s = await launchChromium({ width: 1300, height: 900 });
  try {
    const page = await s.context.newPage();
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector('body[data-ready="true"]');
    // The chapter's three runs on the epoch axis, as the README has shown them.
    for (const q of ['acc', 'loss']) await page.selectOption(`[data-testid=x-axis-${q}]`, 'epoch');
    if (keep) {
      const names: string[] = await page.evaluate(() => (window as any).reglabReport.runs.map((r: RunRecord) => r.name));
      for (const q of ['acc', 'loss']) {
        for (let i = 0; i < names.length; i++) if (!keep.includes(names[i]!)) await page.click(`#${q}-chart .curve-legend [data-run="${i}"]`);
      }
    }
    const shots: [string, string][] = [['report-accuracy.png', '#acc-section'], ['report-loss.png', '#loss-section'], ['report-weights.png', '#weights-section'], ['report-compare.png', '#compare'], ['report-runs.png', '#run-by-run']];
    for (const [name, sel] of shots) await page.locator(sel).screenshot({ path: join(out, name) });
    const errors = await page.$('.errors');
    await errors!.screenshot({ path: join(out, 'report-errors.png') });
    // Every run, on a log epoch axis (the report's default when one run is four times another's length).
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.selectOption('[data-testid=x-axis-acc]', 'epoch-log');
    await page.locator('#acc-section').screenshot({ path: join(out, 'report-accuracy-log.png') });
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function drawSeven(page: Page): Promise<void> {
  const box = (await page.getByTestId('draw').boundingBox())!;
  const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
  await page.mouse.move(...at(0.28, 0.22));
  await page.mouse.down();
  await page.mouse.move(...at(0.72, 0.22), { steps: 8 });
  await page.mouse.move(...at(0.45, 0.82), { steps: 10 });
  await page.mouse.up();
}

async function labImages(out: string, target: number): Promise<void> {
  const lab = await startLabServer(0);
  const s = await launchChromium({ width: 1600, height: 960 });
  try {
    const page = await s.context.newPage();
    await page.goto(lab.url);
    await page.waitForSelector('body[data-ready="true"]');
    let idle = 0;
    for (let i = 0; i < 20; i++) {
      const c0 = performance.now();
      await page.evaluate(() => document.querySelector('[data-testid=epoch]')!.textContent);
      idle = Math.max(idle, performance.now() - c0);
    }
    process.stdout.write(`before training, the slowest of 20 script calls took ${idle.toFixed(0)} ms (the harness's own overhead)\n`);
    // The page's own view: the longest its main thread was busy (a 10 ms timer's worst lateness).
    await page.evaluate(() => {
      const w = window as any;
      w.__maxLag = 0;
      let last = performance.now();
      const tick = () => {
        const now = performance.now();
        w.__maxLag = Math.max(w.__maxLag, now - last - 10);
        last = now;
        w.__lagTimer = setTimeout(tick, 10);
      };
      tick();
    });
    const t0 = Date.now();
    await page.getByTestId('train').click();
    let reached: number | null = null;
    let maxCall = 0;
    let calls = 0;
    while (Date.now() - t0 < 180_000) {
      const c0 = performance.now();
      const [epoch, acc, done] = await page.evaluate(() => [
        Number(document.querySelector('[data-testid=epoch]')!.textContent),
        Number((document.querySelector('[data-testid=test-acc]') as HTMLElement).dataset['value'] || 0),
        (window as any).reglabLab.runs.at(-1)?.status === 'done' ? 1 : 0,
      ]);
      maxCall = Math.max(maxCall, performance.now() - c0);
      calls++;
      if (reached === null && acc >= target) {
        reached = (Date.now() - t0) / 1000;
        process.stdout.write(`test accuracy ${acc} >= ${target} at epoch ${epoch}, ${reached.toFixed(1)} s after pressing Train\n`);
      }
      if (done) {
        process.stdout.write(`the run ended after ${epoch} epochs, ${((Date.now() - t0) / 1000).toFixed(1)} s after pressing Train, test accuracy ${acc}\n`);
        break;
      }
      await page.waitForTimeout(100);
    }
    process.stdout.write(`${calls} script calls into the page while it trained: slowest answered in ${maxCall.toFixed(0)} ms\n`);
    const lag = await page.evaluate(() => (clearTimeout((window as any).__lagTimer), (window as any).__maxLag as number));
    process.stdout.write(`the page's main thread was never busy for more than ${lag.toFixed(0)} ms at a time while it trained\n`);
    if (reached === null) process.stdout.write(`test accuracy did not reach ${target} within 180 s\n`);
    await drawSeven(page);
    await page.waitForFunction(() => /^[0-9]$/.test(document.querySelector('[data-testid=prediction]')!.textContent ?? ''));
    process.stdout.write(`drawn 7 read as ${await page.getByTestId('prediction').textContent()}\n`);
    await page.screenshot({ path: join(out, 'lab.png') });
    await classroomImages(page, out);
  } finally {
    await s.close();
    await lab.close();
  }
}

/** The compare table, the scrubber and the inside view, after a second run beside the first. */
async function classroomImages(page: Page, out: string): Promise<void> {
  await page.locator('#clear-pad').click();
  await page.getByTestId('field-dropout').fill('0.5');
  await page.getByTestId('field-epochs').fill('40');
  await page.getByTestId('field-earlyStopping').check();
  await page.getByTestId('train').click();
  await page.waitForFunction(() => (window as any).reglabLab.runs.length === 2 && (window as any).reglabLab.runs[1].status === 'done', null, { timeout: 300_000 });
  const names = ['no dropout', 'dropout, early stop'];
  for (let i = 0; i < 2; i++) {
    await page.getByTestId('pin').nth(i).check();
    await page.getByTestId('run-name').nth(i).fill(names[i]!);
    await page.getByTestId('run-name').nth(i).press('Enter');
  }
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.getByTestId('runs-table').scrollIntoViewIfNeeded();
  await page.locator('#compare').screenshot({ path: join(out, 'lab-compare.png') });
  const es: number = await page.evaluate(() => (window as any).reglabLab.runs[1].earlyStoppingEpoch);
  await page.getByTestId('run-name').nth(1).focus(); // selects the run for the scrubber
  await page.getByTestId('scrubber').fill(String(es));
  await page.waitForFunction((e) => document.querySelector('#confusion')!.getAttribute('data-epoch') === `epoch ${e}`, es);
  process.stdout.write(`the scrubber at the early-stopping epoch ${es} of ${await page.getByTestId('scrubber').getAttribute('max')}\n`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('#centre').screenshot({ path: join(out, 'lab-scrubber.png') });
  await page.getByTestId('draw').scrollIntoViewIfNeeded();
  await drawSeven(page);
  await page.waitForFunction(() => /^[0-9]$/.test(document.querySelector('[data-testid=prediction]')!.textContent ?? ''));
  await page.locator('#pad-panel, #hidden-panel').first().scrollIntoViewIfNeeded();
  const pad = (await page.locator('#pad-panel').boundingBox())!;
  const hidden = (await page.locator('#hidden-panel').boundingBox())!;
  const x = Math.min(pad.x, hidden.x);
  const y = Math.min(pad.y, hidden.y);
  await page.screenshot({ path: join(out, 'lab-inside.png'), clip: { x, y, width: Math.max(pad.x + pad.width, hidden.x + hidden.width) - x, height: Math.max(pad.y + pad.height, hidden.y + hidden.height) - y } });
  // The most frequent mistake's cell, clicked: its test digits.
  const worst: number = await page.evaluate(() => {
    const cells = Array.from(document.querySelectorAll('#confusion td:not(.diag) button'));
    let best = 0;
    cells.forEach((b, i) => Number(b.textContent) > Number(cells[best]!.textContent) && (best = i));
    return best;
  });
  await page.locator('#confusion td:not(.diag) button').nth(worst).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=examples] canvas').length > 0);
  await page.locator('#inside').scrollIntoViewIfNeeded();
  await page.locator('#inside').screenshot({ path: join(out, 'lab-confusion.png') });
}

/**
 * Dropout in slow motion (lab-dropout.png): a lesson link's run at one epoch a second, a drawn 7's hidden layer
 * beside the mask of epoch 1's last training step.
 */
async function dropoutImage(out: string): Promise<void> {
  const lab = await startLabServer(0);
  const s = await launchChromium({ width: 1600, height: 960 });
  try {
    const page = await s.context.newPage();
    await page.goto(`${lab.url}#train-size=2000&test-size=1000&val-size=0&dropout=0.5&epochs=3&seed=1&pace=slow`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByTestId('train').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=dropout-mask]')!.getAttribute('data-epoch') === '1', null, { timeout: 120_000 });
    await page.getByTestId('pause').click();
    await drawSeven(page);
    await page.waitForFunction(() => /^[0-9]$/.test(document.querySelector('[data-testid=prediction]')!.textContent ?? ''));
    process.stdout.write(`${await page.getByTestId('dropout-note').textContent()}\n`);
    await page.locator('#hidden-panel').scrollIntoViewIfNeeded();
    await page.locator('#hidden-panel').screenshot({ path: join(out, 'lab-dropout.png') });
  } finally {
    await s.close();
    await lab.close();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, runs: { type: 'string' }, target: { type: 'string' } } });
  const out = values.out ?? 'docs';
  mkdirSync(out, { recursive: true });
  const [what, file] = positionals;
  if (what === 'report' && file) await reportImages(file, out, values.runs ? values.runs.split(',') : null);
  else if (what === 'lab') {
    await labImages(out, Number(values.target ?? 0.85));
    await dropoutImage(out);
  } else if (what === 'lab-dropout') await dropoutImage(out);
  else {
    process.stderr.write('usage: docs-images.js report FILE [--out DIR] [--runs a,b] | lab [--out DIR] [--target 0.85] | lab-dropout [--out DIR]\n');
    process.exitCode = 2;
    return;
  }
  
}

await main();
