/**
 * The lab's learning curves: an accuracy and a loss chart (uPlot) over every run on the page, a legend that
 * hides or shows a run, and the scrubber's epoch as a vertical marker on both.
 */
import type UPlot from 'uplot';
import { curveData, curveLegend, curveOptions, setRunVisible, type CurveRun, type Quantity } from '../viz/curves.js';

export interface ChartHosts {
  acc: HTMLElement;
  loss: HTMLElement;
}

export class LabCharts {
  readonly charts: Record<Quantity, UPlot | null> = { acc: null, loss: null };
  /** Runs (by index) hidden with a click on the legend. */
  readonly hiddenRuns = new Set<number>();
  private readonly signature: Record<Quantity, string> = { acc: '', loss: '' };
  private runs: readonly CurveRun[] = [];
  /** The scrubber's epoch, drawn as a line (null: none). */
  private marker: number | null = null;

  constructor(
    private readonly uPlot: typeof UPlot,
    private readonly hosts: ChartHosts,
  ) {
    window.addEventListener('resize', () => {
      for (const q of ['acc', 'loss'] as const) this.charts[q]?.setSize(this.size(q));
    });
  }

  /** Redraws with these runs (cheaply, when only the data changed); force rebuilds the charts. */
  update(runs: readonly CurveRun[], force = false): void {
    this.runs = runs;
    this.draw('acc', force);
    this.draw('loss', force);
  }

  setMarker(epoch: number | null): void {
    if (epoch === this.marker) return;
    this.marker = epoch;
    for (const q of ['acc', 'loss'] as const) this.charts[q]?.redraw(false, false);
  }

  /** Forgets the legend's hidden runs (after runs were removed). */
  showAll(): void {
    this.hiddenRuns.clear();
  }

  private size(q: Quantity): { width: number; height: number } {
    const width = Math.max(420, this.hosts.acc.clientWidth);
    const tall = Math.min(460, Math.max(280, window.innerHeight * (document.body.classList.contains('presenter') ? 0.36 : 0.42)));
    return { width, height: q === 'acc' ? Math.round(tall) : document.body.classList.contains('presenter') ? 180 : 230 };
  }

  private draw(q: Quantity, force: boolean): void {
    const runs = this.runs;
    const host = this.hosts[q];
    const cd = curveData(runs, q);
    const sig = JSON.stringify(cd.columns) + runs.map((r) => r.name).join('|');
    const chart = this.charts[q];
    if (!force && chart && sig === this.signature[q]) {
      chart.setData(cd.data as UPlot.AlignedData);
      this.applyHidden(q, cd);
      return;
    }
    chart?.destroy();
    host.replaceChildren();
    this.signature[q] = sig;
    const font = rootFontPx();
    const opts = curveOptions(this.uPlot, runs, q, cd, {
      ...this.size(q),
      fontSize: Math.round(font * (q === 'acc' ? 0.95 : 0.85)),
      title: q === 'acc' ? 'Accuracy: train (dashed) vs test (solid); shaded = the gap' : 'Loss',
    });
    opts.hooks = { ...opts.hooks, draw: [...(opts.hooks?.draw ?? []), (u: UPlot) => this.drawMarker(u)] };
    this.charts[q] = new this.uPlot(opts, cd.data as UPlot.AlignedData, host);
    this.applyHidden(q, cd);
    if (q === 'acc') {
      host.append(
        curveLegend(runs, Math.round(font * 0.9), (run, visible) => {
          if (visible) this.hiddenRuns.delete(run);
          else this.hiddenRuns.add(run);
          this.update(this.runs, true);
        }, this.hiddenRuns),
      );
    }
  }

  private drawMarker(u: UPlot): void {
    if (this.marker === null) return;
    const ctx = u.ctx;
    const dpr = devicePixelRatio || 1;
    const x = u.valToPos(this.marker, 'x', true);
    ctx.save();
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2 * dpr;
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.fillStyle = '#111';
    ctx.font = `bold ${Math.round(rootFontPx() * 0.8 * dpr)}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.fillText(`epoch ${this.marker}`, x + 4 * dpr, u.bbox.top + u.bbox.height - 8 * dpr);
    ctx.restore();
  }

  private applyHidden(q: Quantity, cd: ReturnType<typeof curveData>): void {
    const u = this.charts[q];
    if (!u || this.hiddenRuns.size === 0) return;
    for (const run of this.hiddenRuns) if (run < this.runs.length) setRunVisible(u, this.runs, cd, run, false);
  }
}

/** The page's base font size (it grows with the screen; the charts' text follows it). */
export function rootFontPx(): number {
  return parseFloat(getComputedStyle(document.documentElement).fontSize) || 18;
}
