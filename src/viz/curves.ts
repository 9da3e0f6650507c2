/**
 * Learning curves as uPlot charts, shared by the HTML report and the web lab (browser code: no imports but
 * types, so the report can inline it). One chart per quantity (accuracy or loss); each run has one colour and
 * up to three lines: train dashed, validation dotted, test solid. The generalisation gap (train minus test,
 * or validation when there is no test) is shaded in the run's colour; the early-stopping epoch is a dashed
 * vertical line and the best test epoch a ringed dot.
 */
import type uPlot from 'uplot';
import type { EpochLogs } from '../train/callbacks.js';

/** The part of a run the curves need (a report's RunRecord and the lab's live runs both have it). */
export interface CurveRun {
  name: string;
  history: ReadonlyArray<Omit<EpochLogs, 'seconds'>>;
  /** The epoch early stopping picked (its best validation epoch), if it ran. */
  earlyStoppingEpoch?: number;
  /** The epoch with the highest test accuracy. */
  bestTestEpoch?: number;
}

export type Quantity = 'acc' | 'loss';

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

/** uPlot's aligned data: epochs 1..max, then one column per (run, split) present, null where not measured. */
export interface CurveData {
  data: (number | null)[][];
  /** For each column after the first: which run and split it is. */
  columns: { run: number; split: SplitKey }[];
}

export function curveData(runs: readonly CurveRun[], q: Quantity): CurveData {
  const maxEpoch = Math.max(1, ...runs.map((r) => r.history.length ? r.history[r.history.length - 1]!.epoch : 0));
  const epochs = Array.from({ length: maxEpoch }, (_, i) => i + 1);
  const data: (number | null)[][] = [epochs];
  const columns: CurveData['columns'] = [];
  runs.forEach((run, ri) => {
    for (const s of SPLITS) {
      const key = metricKey(s.key, q);
      if (!run.history.some((h) => h[key] !== undefined)) continue;
      const col: (number | null)[] = epochs.map(() => null);
      for (const h of run.history) if (h[key] !== undefined) col[h.epoch - 1] = h[key]!;
      data.push(col);
      columns.push({ run: ri, split: s.key });
    }
  });
  return { data, columns };
}

export interface CurveOptions {
  width: number;
  height: number;
  /** Base font size in CSS pixels (bigger on a projector). Default 14. */
  fontSize?: number;
  title?: string;
}

/** uPlot options for the runs' curves of one quantity (call with the same runs as curveData). */
export function curveOptions(uPlotCtor: typeof uPlot, runs: readonly CurveRun[], q: Quantity, cd: CurveData, opts: CurveOptions): uPlot.Options {
  const font = opts.fontSize ?? 14;
  const axisFont = `${font}px system-ui, sans-serif`;
  const series: uPlot.Series[] = [{ label: 'epoch' }];
  for (const c of cd.columns) {
    const s = SPLITS.find((x) => x.key === c.split)!;
    const colour = runColour(c.run);
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
    bands.push({ series: q === 'acc' ? [train, held] : [held, train], fill: withAlpha(runColour(ri), 0.16) });
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
    scales: { x: { time: false } },
    axes: [
      { ...axis('epoch'), incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000] },
      { ...axis(q === 'acc' ? 'accuracy' : 'loss') },
    ],
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    hooks: { draw: [(u: uPlot) => drawMarks(uPlotCtor, u, runs, q, cd, font)] },
  };
}

/** Early-stopping lines and best-test dots, drawn on top of the plot. */
function drawMarks(_ctor: typeof uPlot, u: uPlot, runs: readonly CurveRun[], q: Quantity, cd: CurveData, font: number): void {
  const ctx = u.ctx;
  const dpr = (globalThis as { devicePixelRatio?: number }).devicePixelRatio ?? 1;
  ctx.save();
  runs.forEach((run, ri) => {
    const colour = runColour(ri);
    const first = cd.columns.findIndex((c) => c.run === ri) + 1;
    if (first && u.series[first]?.show === false) return;
    if (run.earlyStoppingEpoch) {
      const x = u.valToPos(run.earlyStoppingEpoch, 'x', true);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2 * dpr;
      ctx.setLineDash([6 * dpr, 4 * dpr]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = colour;
      ctx.font = `bold ${Math.round(font * 0.9 * dpr)}px system-ui, sans-serif`;
      ctx.textAlign = 'left';
      ctx.fillText('early stop', x + 4 * dpr, u.bbox.top + (14 + 16 * ri) * dpr);
    }
    if (run.bestTestEpoch) {
      const col = cd.columns.findIndex((c) => c.run === ri && c.split === 'test') + 1;
      const v = col ? u.data[col]![run.bestTestEpoch - 1] : null;
      if (col && v != null) {
        const x = u.valToPos(run.bestTestEpoch, 'x', true);
        const y = u.valToPos(v, 'y', true);
        ctx.lineWidth = 3 * dpr;
        ctx.strokeStyle = colour;
        ctx.fillStyle = '#fff';
        ctx.beginPath();
        ctx.arc(x, y, 7 * dpr, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
        if (q === 'acc') {
          ctx.fillStyle = colour;
          ctx.font = `bold ${Math.round(font * 0.9 * dpr)}px system-ui, sans-serif`;
          ctx.textAlign = 'center';
          const text = `best test ${(v * 100).toFixed(1)}%`;
          const half = ctx.measureText(text).width / 2;
          const tx = Math.min(Math.max(x, u.bbox.left + half), u.bbox.left + u.bbox.width - half);
          ctx.fillText(text, tx, y + 24 * dpr);
        }
      }
    }
  });
  ctx.restore();
}

/** Shows or hides one run's lines on a chart and fits the epoch axis to the runs still shown. */
export function setRunVisible(u: uPlot, runs: readonly CurveRun[], cd: CurveData, run: number, visible: boolean): void {
  cd.columns.forEach((c, i) => {
    if (c.run === run) u.setSeries(i + 1, { show: visible });
  });
  let max = 1;
  cd.columns.forEach((c, i) => {
    if (u.series[i + 1]?.show !== false) max = Math.max(max, runs[c.run]!.history.at(-1)?.epoch ?? 1);
  });
  u.setScale('x', { min: 1, max: Math.max(2, max) });
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
