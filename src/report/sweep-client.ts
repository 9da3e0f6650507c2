/**
 * The sweep report's page script (inlined into report.html with viz/curves.js and uPlot): draws the learning
 * curves of the best five trials from the JSON block #reglab-sweep. Everything else on the page is static.
 * Exposes window.reglabSweep = { runs, charts } for tests.
 */
import type UPlot from 'uplot';
import { curveData, curveLegend, curveOptions, setRunVisible, type Quantity } from '../viz/curves.js';
import type { SweepCurves } from './sweep-html.js';

declare const uPlot: typeof UPlot;

function main(): void {
  const { runs } = JSON.parse(document.getElementById('reglab-sweep')!.textContent!) as SweepCurves;
  const root = document.getElementById('sweep-curves')!;
  const charts: Partial<Record<Quantity, UPlot>> = {};
  for (const q of ['acc', 'loss'] as const) {
    if (runs.length === 0) break;
    const host = document.createElement('div');
    host.className = 'chart';
    host.dataset['testid'] = `sweep-curves-${q}`;
    root.append(host);
    const cd = curveData(runs, q);
    const width = Math.max(600, Math.min(1180, root.clientWidth || 1100));
    const u = new uPlot(curveOptions(uPlot, runs, q, cd, { width, height: 380, fontSize: 15, title: q === 'acc' ? 'Accuracy' : 'Loss' }), cd.data as UPlot.AlignedData, host);
    host.append(curveLegend(runs, 15, (run, visible) => setRunVisible(u, runs, cd, run, visible)));
    charts[q] = u;
  }
  const note = document.createElement('p');
  note.className = 'note';
  note.textContent = runs.length ? 'Dashed: train (with dropout, as trained). Dotted: validation. Solid: test. Click a trial in the legend to hide or show it.' : 'No trial trained an epoch.';
  root.append(note);
  (window as unknown as { reglabSweep: unknown }).reglabSweep = { runs, charts };
  document.body.dataset['ready'] = 'true';
}

main();
