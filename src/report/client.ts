/**
 * The report page's script (inlined into report.html with the viz modules and uPlot, so the file opens
 * offline). Reads the runs from the JSON block #reglab-runs and draws everything; exposes
 * window.reglabReport = { runs, charts } so tests and readers' scripts can check what is drawn.
 */
import type UPlot from 'uplot';
import { compareRows } from '../viz/compare.js';
import { curveData, curveLegend, curveOptions, runColour, setRunVisible, sharedRange, type CurveRun, type Quantity, type XAxis, type XScale } from '../viz/curves.js';
import { bytesFromBase64, drawDigit, drawWeightGrid } from '../viz/images.js';
import type { RunRecord } from './record.js';

declare const uPlot: typeof UPlot;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function pct(v: number | undefined): string {
  return v === undefined || v === null ? '–' : `${(v * 100).toFixed(2)}%`;
}

function swatch(i: number): HTMLElement {
  const s = el('span', { class: 'swatch' });
  s.style.background = runColour(i);
  return s;
}

const STOP_WORDS: Record<string, string> = {
  completed: 'all epochs',
  'early-stopping': 'early stopping',
  diverged: 'diverged',
  interrupted: 'interrupted',
  stopped: 'stopped by hand',
};

function summary(runs: RunRecord[]): HTMLElement {
  const head = el('tr', {}, ...['run', 'epochs', 'train acc (last epoch, as trained)', 'final test acc', 'best test acc (epoch)', 'early stopping', 'stopped because'].map((h) => el('th', {}, h)));
  const rows = runs.map((r, i) => {
    const last = r.history[r.history.length - 1];
    const best = r.history.find((h) => h.epoch === r.bestTestEpoch);
    return el(
      'tr',
      {},
      el('td', {}, swatch(i), r.name),
      el('td', { class: 'num' }, String(last?.epoch ?? 0)),
      el('td', { class: 'num' }, pct(last?.trainAcc)),
      el('td', { class: 'num' }, pct(r.final?.testAcc ?? last?.testAcc)),
      el('td', { class: 'num' }, best ? `${pct(best.testAcc)} (${best.epoch})` : '–'),
      el('td', { class: 'num' }, r.earlyStoppingEpoch ? `best epoch ${r.earlyStoppingEpoch}${r.earlyStoppedAt ? `, stopped at ${r.earlyStoppedAt}` : ''}` : '–'),
      el('td', {}, r.stopMessage ?? STOP_WORDS[r.stopReason] ?? r.stopReason),
    );
  });
  return el('table', { class: 'summary' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

/** The x axes a reader can pick; the first two count epochs, the others training examples seen. */
const X_CHOICES: { value: string; text: string; x: XAxis; scale: XScale }[] = [
  { value: 'epoch', text: 'epoch', x: 'epoch', scale: 'linear' },
  { value: 'epoch-log', text: 'epoch, log scale', x: 'epoch', scale: 'log' },
  { value: 'examples', text: 'training examples seen', x: 'examples', scale: 'linear' },
  { value: 'examples-log', text: 'training examples seen, log scale', x: 'examples', scale: 'log' },
];

/** The report's runs as the curves see them: examples per epoch from each run's training-set size. */
function curveRuns(runs: RunRecord[]): CurveRun[] {
  return runs.map((r) => ({ ...r, ...(typeof r.config['trainSize'] === 'number' ? { examplesPerEpoch: r.config['trainSize'] } : {}) }));
}

/** Log epochs by default when one run is four times as long as another (the short runs would be squeezed). */
function defaultXChoice(runs: readonly CurveRun[]): string {
  const lengths = runs.map((r) => r.history.at(-1)?.epoch ?? 0).filter((n) => n > 0);
  return lengths.length && Math.max(...lengths) >= 4 * Math.min(...lengths) ? 'epoch-log' : 'epoch';
}

/** One quantity's chart of every run, with its x-axis choice, legend and hidden runs; rebuilt on a new axis. */
function bigChart(runs: CurveRun[], q: Quantity, host: HTMLElement, charts: Record<Quantity, UPlot | null>): HTMLElement {
  const hidden = new Set<number>();
  const select = el('select', { 'data-testid': `x-axis-${q}`, 'aria-label': 'x axis' });
  for (const c of X_CHOICES) select.append(new Option(c.text, c.value));
  select.value = defaultXChoice(runs);
  const draw = () => {
    const choice = X_CHOICES.find((c) => c.value === select.value)!;
    charts[q]?.destroy();
    host.replaceChildren();
    const cd = curveData(runs, q, choice.x);
    const width = Math.max(600, Math.min(1200, host.clientWidth || 1100));
    const opts = curveOptions(uPlot, runs, q, cd, { width, height: 420, fontSize: 15, xScale: choice.scale, title: q === 'acc' ? 'Accuracy (shaded: train – test gap)' : 'Loss (shaded: test – train gap)' });
    const u = new uPlot(opts, cd.data as UPlot.AlignedData, host);
    charts[q] = u;
    for (const run of hidden) setRunVisible(u, runs, cd, run, false);
    host.append(curveLegend(runs, 15, (run, visible) => {
      if (visible) hidden.delete(run);
      else hidden.add(run);
      setRunVisible(u, runs, cd, run, visible);
    }, hidden));
  };
  select.addEventListener('change', draw);
  draw();
  return el('label', { class: 'x-axis' }, 'x axis: ', select);
}

/**
 * Small multiples: one small chart per run for each quantity, every run on its own epochs (so a 40-epoch
 * run is as wide as a 300-epoch one) and all on one shared y scale (so heights compare across runs).
 */
function runByRun(runs: CurveRun[]): { section: HTMLElement; small: Record<Quantity, UPlot[]> } {
  const small: Record<Quantity, UPlot[]> = { acc: [], loss: [] };
  const grid = el('div', { class: 'small-multiples', 'data-testid': 'curves-runs' });
  const section = el('section', { id: 'run-by-run' }, el('h2', {}, 'Run by run'), el('p', { class: 'note' }, 'One chart per run, each on its own epochs; every accuracy chart on the same scale, and every loss chart. Shaded: the gap. Dashed vertical line: the epoch early stopping kept. Ringed dot: best test accuracy.'), grid);
  const ranges = { acc: sharedRange(runs, 'acc'), loss: sharedRange(runs, 'loss') };
  runs.forEach((run, i) => {
    const card = el('figure', { class: 'run-card', 'data-run': run.name }, el('figcaption', {}, swatch(i), run.name));
    grid.append(card);
    for (const q of ['acc', 'loss'] as const) {
      const host = el('div', { class: 'small-chart', 'data-quantity': q });
      card.append(host);
      const cd = curveData([run], q);
      const opts = curveOptions(uPlot, [run], q, cd, { width: 370, height: q === 'acc' ? 230 : 170, fontSize: 12, yRange: ranges[q], colours: [runColour(i)] });
      small[q].push(new uPlot(opts, cd.data as UPlot.AlignedData, host));
    }
  });
  return { section, small };
}

function compareTable(runs: RunRecord[]): HTMLElement {
  const rows = compareRows(runs);
  const head = el('tr', {}, ...['run', 'settings that differ from the first run', 'best test acc (epoch)', 'final test acc', 'final train acc', 'gap', 'test loss'].map((h) => el('th', {}, h)));
  const body = rows.map((r, i) =>
    el(
      'tr',
      { 'data-run': r.name },
      el('td', {}, swatch(i), r.name),
      el('td', { class: 'changed' }, i === 0 ? '(the first run)' : r.changed.length ? r.changed.map((c) => `${c.key} ${c.value}`).join(', ') : '(the same settings)'),
      el('td', { class: 'num', 'data-value': String(r.bestTestAcc ?? '') }, r.bestTestAcc === null ? '–' : `${pct(r.bestTestAcc)} (${r.bestTestEpoch})`),
      el('td', { class: 'num', 'data-value': String(r.finalTestAcc ?? '') }, r.finalTestAcc === null ? '–' : pct(r.finalTestAcc)),
      el('td', { class: 'num', 'data-value': String(r.finalTrainAcc ?? '') }, r.finalTrainAcc === null ? '–' : pct(r.finalTrainAcc) + (r.trainAccInEvalMode ? '' : '*')),
      el('td', { class: 'num', 'data-value': String(r.gap ?? '') }, r.gap === null ? '–' : `${(r.gap * 100).toFixed(2)} pts`),
      el('td', { class: 'num', 'data-value': String(r.testLoss ?? '') }, r.testLoss === null ? '–' : r.testLoss.toFixed(4)),
    ),
  );
  const note = rows.some((r) => !r.trainAccInEvalMode && r.finalTrainAcc !== null) ? ' *: as trained (the final epoch\'s running accuracy, with dropout), not measured in eval mode.' : '';
  return el('div', {}, el('table', { class: 'summary compare', 'data-testid': 'runs-table' }, el('thead', {}, head), el('tbody', {}, ...body)), el('p', { class: 'note' }, `Final: the model as training ends (early stopping: its restored best epoch); train accuracy in eval mode (no dropout); gap = final train − final test.${note}`));
}

function savePngButton(host: HTMLElement, name: string): HTMLElement {
  const b = el('button', { type: 'button', class: 'save' }, 'Save PNG');
  b.addEventListener('click', () => {
    const canvas = host.querySelector('canvas');
    if (!canvas) return;
    const a = el('a', { href: canvas.toDataURL('image/png'), download: `${name}.png` });
    a.click();
  });
  return b;
}

function weightsSection(runs: RunRecord[]): HTMLElement {
  const figs = runs.flatMap((r, i) => {
    if (!r.weights) return [];
    const canvas = el('canvas', { class: 'weights', 'data-run': r.name });
    const caption = el('figcaption', {}, swatch(i), `${r.name}: ${r.weights.units === r.weights.totalUnits ? `all ${r.weights.units}` : `${r.weights.units} of ${r.weights.totalUnits}`} hidden units`);
    return [{ fig: el('figure', {}, canvas, caption), canvas, run: r }];
  });
  const draw = (view: 'weights' | 'change') => {
    for (const { canvas, run } of figs) {
      const w = (view === 'change' ? run.weightChange : undefined) ?? run.weights!;
      drawWeightGrid(canvas, new Int8Array(bytesFromBase64(w.data).buffer), w.units, w.units, w.height, w.width, Math.min(10, w.units), 2);
      canvas.dataset['view'] = w === run.weights ? 'weights' : 'change';
    }
  };
  const hasChange = runs.some((r) => r.weightChange);
  const radio = (value: 'weights' | 'change', text: string, checked: boolean) => {
    const input = el('input', { type: 'radio', name: 'weight-view', value, id: `weight-view-${value}` });
    input.checked = checked;
    input.addEventListener('change', () => draw(value));
    return el('label', { class: 'radio' }, input, text);
  };
  draw(hasChange ? 'change' : 'weights');
  const controls = hasChange ? [el('div', { class: 'weight-view' }, radio('change', 'what training changed (weights minus their initial values)', true), radio('weights', 'the weights themselves', false))] : [];
  return el('div', {}, ...controls, el('div', { class: 'side-by-side' }, ...figs.map((f) => f.fig)));
}

function confusionTable(r: RunRecord): HTMLElement {
  const m = r.confusion!;
  const max = Math.max(1, ...m.flatMap((row, i) => row.filter((_, j) => j !== i)));
  const head = el('tr', {}, el('th', { class: 'corner' }, 'true \\ predicted'), ...m.map((_, j) => el('th', {}, String(j))));
  const rows = m.map((row, i) =>
    el(
      'tr',
      {},
      el('th', {}, String(i)),
      ...row.map((n, j) => {
        const td = el('td', { class: i === j ? 'diag' : 'off' }, String(n));
        if (i !== j && n > 0) td.style.background = `rgba(214, 47, 47, ${0.1 + 0.8 * (n / max)})`;
        return td;
      }),
    ),
  );
  return el('table', { class: 'confusion' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

function misclassifiedStrip(r: RunRecord, h: number, w: number): HTMLElement {
  const items = (r.misclassified ?? []).map((m) => {
    const c = el('canvas');
    drawDigit(c, bytesFromBase64(m.pixels), h, w, 2);
    return el('figure', { class: 'digit', title: `test #${m.index}: a ${m.label}, read as ${m.predicted} (p=${m.confidence.toFixed(2)})` }, c, el('figcaption', {}, `${m.label}→${m.predicted}`));
  });
  return el('div', { class: 'strip' }, ...items);
}

function main(): void {
  const runs = JSON.parse(document.getElementById('reglab-runs')!.textContent!) as RunRecord[];
  const root = document.getElementById('report')!;
  const about = runs.filter((r) => r.description).map((r) => el('li', {}, swatch(runs.indexOf(r)), el('b', {}, r.name), `: ${r.description}`));
  root.append(el('section', {}, el('h2', {}, 'Runs'), summary(runs), ...(about.length ? [el('ul', { class: 'about' }, ...about)] : [])));

  root.append(el('section', { id: 'compare' }, el('h2', {}, 'Compared with the first run'), compareTable(runs)));

  const charts: Record<Quantity, UPlot | null> = { acc: null, loss: null };
  const curves = curveRuns(runs);
  for (const q of ['acc', 'loss'] as const) {
    const host = el('div', { class: 'chart', id: `${q}-chart`, 'data-testid': `curves-${q}` });
    const sec = el('section', { id: `${q}-section` }, el('h2', {}, q === 'acc' ? 'Accuracy by epoch' : 'Loss by epoch'));
    root.append(sec);
    const axisControl = bigChart(curves, q, host, charts);
    sec.append(axisControl, host);
    sec.append(el('p', { class: 'note' }, 'Dashed: train (with dropout, as trained). Dotted: validation. Solid: test. Vertical dashed line: the epoch early stopping kept. Ringed dot: best test accuracy. Click a run in the legend to hide or show it; pick the x axis above the chart (a log scale spreads out the first epochs, where the runs part). '), savePngButton(host, `${q}-curves`));
  }
  const { section: multiples, small } = runByRun(curves);
  root.append(multiples);

  const withWeights = runs.filter((r) => r.weights);
  if (withWeights.length) {
    root.append(el('section', { id: 'weights-section' }, el('h2', {}, 'First-layer weights, one 28×28 picture per hidden unit'), el('p', { class: 'note' }, 'Red: ink there excites the unit; blue: inhibits it. Each picture is scaled to its own largest value. At the start the weights are uniform noise, so what training changed shows what each unit has learned to look for (with L2, it also shows that noise being decayed away: compare the weights themselves).'), weightsSection(runs)));
  }
  const sec = el('section', {}, el('h2', {}, 'Test errors'));
  runs.forEach((r, i) => {
    if (!r.confusion) return;
    const h = r.weights?.height ?? 28;
    const w = r.weights?.width ?? 28;
    sec.append(
      el('h3', {}, swatch(i), `${r.name}: test accuracy ${pct(r.final?.testAcc)} on ${r.final?.testCount ?? '?'} images`),
      el('div', { class: 'errors' }, confusionTable(r), el('div', {}, el('p', { class: 'note' }, `The first ${r.misclassified?.length ?? 0} misclassified test digits (true→predicted):`), misclassifiedStrip(r, h, w))),
    );
  });
  if (sec.children.length > 1) root.append(sec);

  const cfg = el('section', {}, el('h2', {}, 'Configurations (everything needed to rerun)'));
  runs.forEach((r, i) => {
    cfg.append(el('h3', {}, swatch(i), r.name), ...(r.description ? [el('p', {}, r.description)] : []));
    if (r.command) cfg.append(el('pre', { class: 'cmd' }, r.command));
    cfg.append(el('pre', { class: 'config' }, JSON.stringify(r.config, null, 2)));
  });
  root.append(cfg);
  (window as unknown as { reglabReport: unknown }).reglabReport = { runs, charts, small };
  document.body.dataset['ready'] = 'true';
}

main();
