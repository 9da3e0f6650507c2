/**
 * Learning curves as uPlot charts, shared by the HTML report and the web lab (browser code: no imports but
 * types, so the report can inline it). One chart per quantity (accuracy or loss); each run has one colour and
 * up to three lines: train dashed, validation dotted, test solid. The generalisation gap (train minus test,
 * or validation when there is no test) is shaded in the run's colour; the early-stopping epoch is a dashed
 * vertical line and the best test epoch a ringed dot.
 */
import type uPlot from 'uplot';
import type { EpochLogs } from '../train/callbacks.js';
import { placeLabels, type WantedLabel } from './labels.js';

/** The part of a run the curves need (a report's RunRecord and the lab's live runs both have it). */
export interface CurveRun {
  name: string;
  history: ReadonlyArray<Omit<EpochLogs, 'seconds'>>;
  /** The epoch early stopping picked (its best validation epoch), if it ran. */
  earlyStoppingEpoch?: number;
  /** The epoch with the highest test accuracy. */
  bestTestEpoch?: number;
  /** Training examples per epoch (the training-set size), for an x axis of examples seen. Default 1. */
  examplesPerEpoch?: number;
}

export type Quantity = 'acc' | 'loss';
/** What the x axis counts: epochs, or training examples seen (epoch x training-set size). */
export type XAxis = 'epoch' | 'examples';
export type XScale = 'linear' | 'log';

/** Where a run's epoch sits on an x axis. */
export function xValue(run: CurveRun, epoch: number, x: XAxis): number {
  return x === 'epoch' ? epoch : epoch * (run.examplesPerEpoch ?? 1);
}

/** Clear, distinct colours that survive a projector (and most colour-vision deficiencies). */
export const RUN_COLOURS = ['#1f6fd1', '#d62f2f', '#1a9a4a', '#8a3fd1', '#e07b00', '#0a9bb0', '#c2185b', '#5d6b00'];

export function runColour(i: number): string {
  return RUN_COLOURS[i % RUN_COLOURS.length]!;
}

function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

const SPLITS = [
  { key: 'train', label: 'train', dash: [10, 6], width: 2 },
  { key: 'val', label: 'val', dash: [2, 5], width: 2.5 },
  { key: 'test', label: 'test', dash: [] as number[], width: 3.5 },
] as const;

type SplitKey = (typeof SPLITS)[number]['key'];

function metricKey(split: SplitKey, q: Quantity): 'trainAcc' | 'trainLoss' | 'valAcc' | 'valLoss' | 'testAcc' | 'testLoss' {
  return `${split}${q === 'acc' ? 'Acc' : 'Loss'}` as const;
}

/**
 * uPlot's aligned data: the x values (epochs 1..max, or every run's examples seen, sorted), then one column
 * per (run, split) present, null where not measured.
 */
export interface CurveData {
  data: (number | null)[][];
  /** For each column after the first: which run and split it is. */
  columns: { run: number; split: SplitKey }[];
  /** What data[0] counts. */
  x: XAxis;
}

export function curveData(runs: readonly CurveRun[], q: Quantity, x: XAxis = 'epoch'): CurveData {
  let xs: number[];
  if (x === 'epoch') {
    const maxEpoch = Math.max(1, ...runs.map((r) => r.history.length ? r.history[r.history.length - 1]!.epoch : 0));
    xs = Array.from({ length: maxEpoch }, (_, i) => i + 1);
  } else {
    xs = [...new Set(runs.flatMap((r) => r.history.map((h) => xValue(r, h.epoch, x))))].sort((a, b) => a - b);
    if (xs.length === 0) xs = [1];
  }
  const row = new Map(xs.map((v, i) => [v, i]));
  const data: (number | null)[][] = [xs];
  const columns: CurveData['columns'] = [];
  runs.forEach((run, ri) => {
    for (const s of SPLITS) {
      const key = metricKey(s.key, q);
      if (!run.history.some((h) => h[key] !== undefined)) continue;
      const col: (number | null)[] = xs.map(() => null);
      for (const h of run.history) if (h[key] !== undefined) col[row.get(xValue(run, h.epoch, x))!] = h[key]!;
      data.push(col);
      columns.push({ run: ri, split: s.key });
    }
  });
  return { data, columns, x };
}

/** The value range of one quantity over runs (for small multiples on one shared y scale). */
export function sharedRange(runs: readonly CurveRun[], q: Quantity): [number, number] {
  const values = curveData(runs, q).data.slice(1).flat().filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return q === 'acc' ? [0, 1] : [0, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (q === 'acc') return [Math.max(0, Math.floor(lo * 20) / 20), Math.min(1, Math.ceil(hi * 20) / 20)];
  return [0, hi * 1.05];
}

/** 1,000 as 1k, 2,500,000 as 2.5M: the examples-seen axis. */
function shortCount(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(v);
}

export interface CurveOptions {
  width: number;
  height: number;
  /** Base font size in CSS pixels (bigger on a projector). Default 14. */
  fontSize?: number;
  title?: string;
  /** The x axis's scale. Default 'linear'. */
  xScale?: XScale;
  /** A fixed y range (small multiples share one); default: fitted to the data. */
  yRange?: [number, number];
  /** The colour of each run (by index); default runColour(i). */
  colours?: readonly string[];
}

/** uPlot options for the runs' curves of one quantity (call with the same runs as curveData). */
export function curveOptions(uPlotCtor: typeof uPlot, runs: readonly CurveRun[], q: Quantity, cd: CurveData, opts: CurveOptions): uPlot.Options {
  const font = opts.fontSize ?? 14;
  const colourOf = (i: number) => opts.colours?.[i] ?? runColour(i);
  const log = opts.xScale === 'log';
  const axisFont = `${font}px system-ui, sans-serif`;
  const series: uPlot.Series[] = [{ label: cd.x === 'epoch' ? 'epoch' : 'examples seen' }];
  for (const c of cd.columns) {
    const s = SPLITS.find((x) => x.key === c.split)!;
    const colour = colourOf(c.run);
    series.push({
      label: `${runs[c.run]!.name} ${s.label}`,
      stroke: colour,
      width: s.width,
      dash: [...s.dash],
      spanGaps: true,
      points: { show: (u: uPlot) => u.data[0].length <= 2, size: 7, fill: colour },
      value: (_u: uPlot, v: number | null) => (v == null ? '–' : q === 'acc' ? v.toFixed(4) : v.toFixed(4)),
    });
  }
  // The gap: between train and test (or val), in the run's colour.
  const bands: uPlot.Band[] = [];
  runs.forEach((_, ri) => {
    const idx = (split: SplitKey) => cd.columns.findIndex((c) => c.run === ri && c.split === split) + 1;
    const train = idx('train');
    const held = idx('test') || idx('val');
    if (!train || !held) return;
    // uPlot fills between [upper, lower]; train accuracy sits above test accuracy, train loss below test loss.
    bands.push({ series: q === 'acc' ? [train, held] : [held, train], fill: withAlpha(colourOf(ri), 0.16) });
  });
  const axis = (label: string): uPlot.Axis => ({
    label,
    font: axisFont,
    labelFont: `bold ${font}px system-ui, sans-serif`,
    stroke: '#222',
    grid: { stroke: '#e3e3e3', width: 1 },
    ticks: { stroke: '#bbb', width: 1 },
    size: font * 3.6,
    labelSize: font * 1.8,
  });
  return {
    title: opts.title ?? '',
    width: opts.width,
    height: opts.height,
    series,
    bands,
    scales: {
      // A log axis spans the data exactly (uPlot's default widens it to whole decades).
      x: log ? { time: false, distr: 3, log: 10, range: (_u: uPlot, min: number, max: number) => [min, max] } : { time: false },
      ...(opts.yRange ? { y: { range: opts.yRange } } : {}),
    },
    axes: [
      {
        ...axis(cd.x === 'epoch' ? (log ? 'epoch (log scale)' : 'epoch') : log ? 'training examples seen (log scale)' : 'training examples seen'),
        ...(log ? { filter: (_u: uPlot, splits: number[]) => splits } : { incrs: cd.x === 'epoch' ? [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000] : [1, 2, 5].flatMap((m) => [1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8].map((p) => m * p)).sort((a, b) => a - b) }),
        // On a log scale only 1, 2 and 5 of each decade are labelled, so the labels never crowd.
        values: (_u: uPlot, splits: number[]) => splits.map((v) => (log && ![1, 2, 5].includes(Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9))) ? '' : cd.x === 'epoch' ? String(v) : shortCount(v))),
      },
      { ...axis(q === 'acc' ? 'accuracy' : 'loss') },
    ],
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    hooks: { draw: [(u: uPlot) => drawMarks(uPlotCtor, u, runs, q, cd, font, colourOf)] },
  };
}

/**
 * Early-stopping lines and best-test dots, drawn on top of the plot, with their labels placed so that none
 * overlaps another (placeLabels: a label with no room left is left out).
 */
function drawMarks(_ctor: typeof uPlot, u: uPlot, runs: readonly CurveRun[], q: Quantity, cd: CurveData, font: number, colourOf: (i: number) => string): void {
  const ctx = u.ctx;
  const dpr = (globalThis as { devicePixelRatio?: number }).devicePixelRatio ?? 1;
  const labelFont = `bold ${Math.round(font * 0.9 * dpr)}px system-ui, sans-serif`;
  const labels: (WantedLabel & { text: string; colour: string })[] = [];
  const xs = cd.data[0]!;
  ctx.save();
  ctx.font = labelFont;
  runs.forEach((run, ri) => {
    const colour = colourOf(ri);
    const first = cd.columns.findIndex((c) => c.run === ri) + 1;
    if (first && u.series[first]?.show === false) return;
    if (run.earlyStoppingEpoch) {
      const x = u.valToPos(xValue(run, run.earlyStoppingEpoch, cd.x), 'x', true);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2 * dpr;
      ctx.setLineDash([6 * dpr, 4 * dpr]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.setLineDash([]);
      const text = 'early stop';
      const width = ctx.measureText(text).width;
      labels.push({ text, colour, x: x + 4 * dpr + width / 2, y: u.bbox.top + 4 * dpr, width, height: font * 1.1 * dpr });
    }
    if (run.bestTestEpoch) {
      const col = cd.columns.findIndex((c) => c.run === ri && c.split === 'test') + 1;
      const i = xs.indexOf(xValue(run, run.bestTestEpoch, cd.x));
      const v = col && i >= 0 ? u.data[col]![i] : null;
      if (col && v != null) {
        const x = u.valToPos(xs[i]!, 'x', true);
        const y = u.valToPos(v, 'y', true);
        ctx.lineWidth = 3 * dpr;
        ctx.strokeStyle = colour;
        ctx.fillStyle = '#fff';
        ctx.beginPath();
        ctx.arc(x, y, 7 * dpr, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
        if (q === 'acc') {
          const text = `best test ${(v * 100).toFixed(1)}%`;
          labels.push({ text, colour, x, y: y + 10 * dpr, width: ctx.measureText(text).width, height: font * 1.1 * dpr });
        }
      }
    }
  });
  const bounds = { left: u.bbox.left, top: u.bbox.top, right: u.bbox.left + u.bbox.width, bottom: u.bbox.top + u.bbox.height };
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  placeLabels(labels, bounds, 2 * dpr).forEach((box, i) => {
    if (!box) return;
    const l = labels[i]!;
    // A white halo keeps the text readable over the curves.
    ctx.lineWidth = 4 * dpr;
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
    ctx.strokeText(l.text, box.left, box.top);
    ctx.fillStyle = l.colour;
    ctx.fillText(l.text, box.left, box.top);
  });
  ctx.restore();
}

/** Shows or hides one run's lines on a chart and fits the epoch axis to the runs still shown. */
export function setRunVisible(u: uPlot, runs: readonly CurveRun[], cd: CurveData, run: number, visible: boolean): void {
  cd.columns.forEach((c, i) => {
    if (c.run === run) u.setSeries(i + 1, { show: visible });
  });
  let min = Infinity;
  let max = -Infinity;
  cd.columns.forEach((c, i) => {
    if (u.series[i + 1]?.show === false) return;
    const r = runs[c.run]!;
    const h = r.history;
    if (!h.length) return;
    min = Math.min(min, xValue(r, h[0]!.epoch, cd.x));
    max = Math.max(max, xValue(r, h[h.length - 1]!.epoch, cd.x));
  });
  if (!Number.isFinite(max)) return;
  if (cd.x === 'epoch') u.setScale('x', { min: 1, max: Math.max(2, max) });
  else u.setScale('x', { min, max: Math.max(max, min * 2) });
}

/**
 * A compact legend for a projector: one swatch per run, then the three line styles. With onToggle, a click
 * on a run hides or shows it (struck through while hidden).
 */
export function curveLegend(runs: readonly { name: string }[], fontSize = 15, onToggle?: (run: number, visible: boolean) => void, hidden?: ReadonlySet<number>): HTMLElement {
  const box = document.createElement('div');
  box.className = 'curve-legend';
  box.style.cssText = `display:flex;flex-wrap:wrap;gap:6px 22px;align-items:center;font-size:${fontSize}px;margin:6px 0 2px 60px`;
  const item = (draw: (ctx: CanvasRenderingContext2D) => void, text: string) => {
    const span = document.createElement('span');
    span.style.cssText = 'display:inline-flex;align-items:center;gap:7px;white-space:nowrap';
    const c = document.createElement('canvas');
    c.width = 36;
    c.height = 14;
    const ctx = c.getContext('2d')!;
    draw(ctx);
    span.append(c, text);
    box.append(span);
    return span;
  };
  runs.forEach((r, i) => {
    const span = item((ctx) => {
      ctx.fillStyle = runColour(i);
      ctx.fillRect(4, 1, 28, 12);
    }, r.name);
    if (!onToggle) return;
    span.style.cursor = 'pointer';
    span.title = 'click to hide or show this run';
    span.dataset['run'] = String(i);
    if (hidden?.has(i)) {
      span.style.opacity = '0.35';
      span.style.textDecoration = 'line-through';
    }
    span.addEventListener('click', () => {
      const visible = span.style.opacity === '0.35';
      span.style.opacity = visible ? '1' : '0.35';
      span.style.textDecoration = visible ? 'none' : 'line-through';
      onToggle(i, visible);
    });
  });
  for (const s of SPLITS) {
    item((ctx) => {
      ctx.strokeStyle = '#333';
      ctx.lineWidth = s.width;
      ctx.setLineDash([...s.dash].map((d) => d * 0.6));
      ctx.beginPath();
      ctx.moveTo(1, 7);
      ctx.lineTo(35, 7);
      ctx.stroke();
    }, s.key === 'val' ? 'validation' : s.label);
  }
  return box;
}
