/**
 * The sweep's report.html: one self-contained page in the run report's style. The heatmap (the ranking metric
 * over learning rate x batch size), the parallel-coordinates plot (every trial) and the ranked table are SVG and
 * HTML written here, so they show without a script; the learning curves of the best five trials are uPlot
 * charts drawn by the inlined page script (sweep-client.ts) from a JSON block. Pure: no file system.
 */
import { RUN_DEFAULTS } from '../experiments/run.js';
import type { TrialResult } from '../sweep/types.js';
import type { MetricName } from '../train/callbacks.js';
import { escapeHtml as esc, pageStart, REPORT_CSS, scriptJson, scriptText, type ReportAssets } from './html.js';

export interface SweepReport {
  title?: string;
  /** A line under the title (space, scheduler, date). */
  subtitle?: string;
  metric: MetricName;
  /** The varied settings, in the space's order, and whether each is drawn on a log scale (log, pow2). */
  axes: { name: string; log: boolean }[];
  /** The settings every trial shares (where a trial's learning rate or batch size comes from when not varied). */
  shared: Readonly<Record<string, unknown>>;
  /** Every trial, ranked best first, with its history. */
  results: readonly TrialResult[];
}

/** The learning curves block the page script reads. */
export interface SweepCurves {
  runs: { name: string; history: TrialResult['history'] }[];
}

const lowerBetter = (m: MetricName) => m.endsWith('Loss');
const fmtMetric = (m: MetricName, v: number) => (m.endsWith('Acc') ? `${(100 * v).toFixed(2)}%` : v.toFixed(4));
const fmtNum = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(3))) : x.toExponential(1));

/** Colour for t in [0, 1] (0 worst, 1 best): viridis, five stops. */
export function scaleColour(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i]!.map((a, k) => Math.round(a + f * (stops[i + 1]![k]! - a)));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** 0 for the worst value, 1 for the best. */
function goodness(metric: MetricName, values: readonly number[]) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return (v: number) => (hi === lo ? 1 : lowerBetter(metric) ? (hi - v) / (hi - lo) : (v - lo) / (hi - lo));
}

interface Bins {
  labels: string[];
  index(v: number): number;
}

/** Each distinct value its own bin when there are few, else `n` log-spaced bins (linear when a value is <= 0). */
function binsOf(values: readonly number[], n: number): Bins {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length <= n) return { labels: distinct.map(fmtNum), index: (v) => distinct.indexOf(v) };
  const lo = distinct[0]!;
  const hi = distinct[distinct.length - 1]!;
  const log = lo > 0;
  const f = (v: number) => (log ? Math.log(v) : v);
  const edge = (i: number) => (log ? Math.exp(f(lo) + ((f(hi) - f(lo)) * i) / n) : lo + ((hi - lo) * i) / n);
  return {
    labels: Array.from({ length: n }, (_, i) => `${fmtNum(edge(i))}–${fmtNum(edge(i + 1))}`),
    index: (v) => Math.min(n - 1, Math.floor(((f(v) - f(lo)) / (f(hi) - f(lo))) * n)),
  };
}

function settingOf(r: TrialResult, shared: SweepReport['shared'], name: 'lr' | 'batchSize'): number {
  return Number(r.params[name] ?? shared[name] ?? RUN_DEFAULTS[name]);
}

/** The heatmap: the best ranking metric of the trials in each (learning rate, batch size) cell. */
export function heatmapSvg(rep: SweepReport): string {
  const rows = rep.results.filter((r) => r.value !== null);
  if (rows.length === 0) return '<p class="note">No trial measured the ranking metric.</p>';
  const xb = binsOf(rows.map((r) => settingOf(r, rep.shared, 'lr')), 8);
  const yb = binsOf(rows.map((r) => settingOf(r, rep.shared, 'batchSize')), 10);
  const cells = new Map<string, { best: number; n: number; trial: number }>();
  const lower = lowerBetter(rep.metric);
  for (const r of rows) {
    const key = `${xb.index(settingOf(r, rep.shared, 'lr'))},${yb.index(settingOf(r, rep.shared, 'batchSize'))}`;
    const c = cells.get(key);
    if (!c) cells.set(key, { best: r.value!, n: 1, trial: r.trial });
    else {
      c.n++;
      if (lower ? r.value! < c.best : r.value! > c.best) Object.assign(c, { best: r.value!, trial: r.trial });
    }
  }
  const good = goodness(rep.metric, [...cells.values()].map((c) => c.best));
  const cw = 104;
  const ch = 46;
  const left = 96;
  const top = 16;
  const w = left + cw * xb.labels.length + 10;
  const h = top + ch * yb.labels.length + 64;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(rep.metric)} over learning rate and batch size" font-family="system-ui, sans-serif" font-size="13">`];
  yb.labels.forEach((label, yi) => {
    const y = top + ch * (yb.labels.length - 1 - yi);
    out.push(`<text x="${left - 8}" y="${y + ch / 2 + 4}" text-anchor="end">${esc(label)}</text>`);
    xb.labels.forEach((_, xi) => {
      const x = left + cw * xi;
      const c = cells.get(`${xi},${yi}`);
      if (!c) {
        out.push(`<rect x="${x}" y="${y}" width="${cw - 2}" height="${ch - 2}" fill="#f0f0f0"/>`);
        return;
      }
      const t = good(c.best);
      out.push(
        `<g data-trial="${c.trial}"><title>best trial #${c.trial} of ${c.n}: ${esc(rep.metric)} ${esc(fmtMetric(rep.metric, c.best))}</title>` +
          `<rect x="${x}" y="${y}" width="${cw - 2}" height="${ch - 2}" fill="${scaleColour(t)}"/>` +
          `<text x="${x + cw / 2 - 1}" y="${y + ch / 2 + 1}" text-anchor="middle" fill="${t > 0.6 ? '#111' : '#fff'}">${esc(fmtMetric(rep.metric, c.best))}</text>` +
          `<text x="${x + cw / 2 - 1}" y="${y + ch / 2 + 15}" text-anchor="middle" font-size="11" fill="${t > 0.6 ? '#333' : '#ddd'}">${c.n} trial${c.n > 1 ? 's' : ''}</text></g>`,
      );
    });
  });
  xb.labels.forEach((label, xi) => out.push(`<text x="${left + cw * xi + cw / 2}" y="${top + ch * yb.labels.length + 16}" text-anchor="middle" font-size="12">${esc(label)}</text>`));
  out.push(`<text x="${left + (cw * xb.labels.length) / 2}" y="${h - 14}" text-anchor="middle" font-weight="600">learning rate (lr)</text>`);
  out.push(`<text x="14" y="${top + (ch * yb.labels.length) / 2}" text-anchor="middle" font-weight="600" transform="rotate(-90 14 ${top + (ch * yb.labels.length) / 2})">batch size</text>`);
  out.push('</svg>');
  return out.join('');
}

/** The parallel-coordinates plot: one axis per varied setting and one for the metric, one line per trial. */
export function parallelSvg(rep: SweepReport): string {
  const rows = rep.results.filter((r) => r.value !== null);
  if (rows.length === 0) return '<p class="note">No trial measured the ranking metric.</p>';
  const axes = [...rep.axes.map((a) => ({ name: a.name, log: a.log, metric: false })), { name: rep.metric, log: false, metric: true }];
  const w = Math.max(700, 170 * axes.length);
  const h = 440;
  const top = 34;
  const bottom = h - 40;
  const x = (i: number) => 70 + ((w - 140) * i) / Math.max(1, axes.length - 1);
  const scales = axes.map((a) => {
    const vals = rows.map((r) => (a.metric ? r.value! : r.params[a.name]!));
    if (vals.some((v) => typeof v !== 'number')) {
      const cats = [...new Set(vals.map(String))].sort();
      return { pos: (v: unknown) => bottom - ((bottom - top) * (cats.indexOf(String(v)) + 0.5)) / cats.length, ticks: cats.map((c, i) => ({ y: bottom - ((bottom - top) * (i + 0.5)) / cats.length, label: c })) };
    }
    const nums = vals as number[];
    const log = a.log && Math.min(...nums) > 0;
    const f = (v: number) => (log ? Math.log(v) : v);
    let lo = f(Math.min(...nums));
    let hi = f(Math.max(...nums));
    if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
    // The metric's axis puts the best at the top: for losses, the lowest.
    const flip = a.metric && lowerBetter(rep.metric);
    const pos = (v: unknown) => {
      const t = (f(v as number) - lo) / (hi - lo);
      return bottom - (bottom - top) * (flip ? 1 - t : t);
    };
    const ticks = [0, 0.5, 1].map((t) => {
      const v = log ? Math.exp(lo + t * (hi - lo)) : lo + t * (hi - lo);
      return { y: pos(v), label: a.metric ? fmtMetric(rep.metric, v) : fmtNum(v) };
    });
    return { pos, ticks };
  });
  const good = goodness(rep.metric, rows.map((r) => r.value!));
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="every trial's settings and ${esc(rep.metric)}" font-family="system-ui, sans-serif" font-size="13">`];
  // Worst first, so the best lines lie on top.
  for (const r of [...rows].reverse()) {
    const pts = axes.map((a, i) => `${x(i).toFixed(1)},${scales[i]!.pos(a.metric ? r.value! : r.params[a.name]).toFixed(1)}`).join(' ');
    const best = r === rows[0];
    const tip = `trial #${r.trial} (${r.status}, ${r.epochs} epochs): ${Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ')}; ${rep.metric} ${fmtMetric(rep.metric, r.value!)}`;
    out.push(
      `<polyline data-trial="${r.trial}" points="${pts}" fill="none" stroke="${scaleColour(good(r.value!))}" stroke-width="${best ? 4 : 2}" stroke-opacity="${best ? 1 : 0.75}"${r.status === 'pruned' ? ' stroke-dasharray="5 4"' : ''}><title>${esc(tip)}</title></polyline>`,
    );
  }
  axes.forEach((a, i) => {
    out.push(`<line x1="${x(i)}" y1="${top}" x2="${x(i)}" y2="${bottom}" stroke="#222" stroke-width="1.5"/>`);
    out.push(`<text x="${x(i)}" y="${top - 14}" text-anchor="middle" font-weight="600">${esc(a.name)}${a.log ? ' (log)' : ''}</text>`);
    for (const t of scales[i]!.ticks) out.push(`<text x="${x(i) + 6}" y="${t.y + 4}" font-size="12" paint-order="stroke" stroke="#fff" stroke-width="3">${esc(t.label)}</text>`);
  });
  out.push(`<text x="${w / 2}" y="${h - 10}" text-anchor="middle" class="note" font-size="13">solid: trained all epochs; dashed: pruned; colour: ${esc(rep.metric)} (yellow best); thick: the best trial</text>`);
  out.push('</svg>');
  return out.join('');
}

/** The ranked table of every trial. */
export function rankedTableHtml(rep: SweepReport): string {
  const names = rep.axes.map((a) => a.name);
  const head = ['rank', 'trial', 'status', 'epochs', `${rep.metric} (best epoch)`, ...names, 'seconds', 'worker'].map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rep.results
    .map((r, i) => {
      const cells = [
        String(i + 1),
        `#${r.trial}`,
        r.status + (r.error ? `: ${r.error}` : ''),
        String(r.epochs),
        r.value === null ? '–' : `${fmtMetric(rep.metric, r.value)} (${r.bestEpoch})`,
        ...names.map((n) => (r.params[n] === undefined ? '–' : String(r.params[n]))),
        r.seconds.toFixed(1),
        r.worker,
      ];
      return `<tr data-trial="${r.trial}">${cells.map((c, k) => `<td${k === 2 ? '' : ' class="num"'}>${esc(c)}</td>`).join('')}</tr><tr class="cmd"><td></td><td colspan="${cells.length - 1}"><code>${esc(r.command)}</code></td></tr>`;
    })
    .join('');
  return `<table class="summary" data-testid="sweep-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const SWEEP_CSS = `
.heatmap svg, .parallel svg { max-width: 100%; height: auto; }
tr.cmd td { border-bottom: 1px solid var(--line); padding-top: 0; }
tr.cmd code { font-size: 12px; color: var(--muted); }
table.summary tr[data-trial] td { border-bottom: none; }
`;

export function renderSweepHtml(rep: SweepReport, assets: ReportAssets): string {
  const title = rep.title ?? 'reglab sweep';
  const curves: SweepCurves = { runs: rep.results.filter((r) => r.history.length > 0).slice(0, 5).map((r) => ({ name: `#${r.trial}`, history: r.history })) };
  const counts = (s: string) => rep.results.filter((r) => r.status === s).length;
  return `${pageStart(title, rep.subtitle, assets, REPORT_CSS + SWEEP_CSS)}
<main id="report">
<section><h2>${esc(rep.metric)} over learning rate × batch size</h2><div class="heatmap" data-testid="sweep-heatmap">${heatmapSvg(rep)}</div>
<p class="note">Each cell: the best ${esc(rep.metric)} of the trials whose settings fall in it (yellow best, purple worst; grey: no trial). ${rep.results.length} trials: ${counts('completed')} completed, ${counts('pruned')} pruned, ${counts('failed')} failed.</p></section>
<section><h2>Every trial</h2><div class="parallel" data-testid="sweep-parallel">${parallelSvg(rep)}</div></section>
<section><h2>Learning curves of the best five</h2><div id="sweep-curves"></div></section>
<section><h2>Trials, best first</h2><p class="note">Each trial's command reruns it alone, to the same numbers.</p>${rankedTableHtml(rep)}</section>
</main>
<script type="application/json" id="reglab-sweep">${scriptJson(curves)}</script>
<script>${scriptText(assets.uplotJs)}</script>
<script type="module">${scriptText(assets.clientJs)}</script>
</body>
</html>
`;
}
