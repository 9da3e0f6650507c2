/**
 * Writing a sweep's report.html (Node only): uPlot and its CSS as the run report loads them, the sweep's page
 * script joined with the curves module, written atomically.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../io/atomic.js';
import type { ReportAssets } from './html.js';
import { renderSweepHtml, type SweepReport } from './sweep-html.js';
import { joinModules, loadReportAssets } from './write.js';

const here = dirname(fileURLToPath(import.meta.url));

let cached: ReportAssets | null = null;

export function loadSweepReportAssets(): ReportAssets {
  if (cached) return cached;
  const { uplotJs, uplotCss } = loadReportAssets();
  cached = { uplotJs, uplotCss, clientJs: joinModules(['../viz/labels.js', '../viz/curves.js', './sweep-client.js'].map((m) => readFileSync(join(here, m), 'utf8'))) };
  return cached;
}

/** Renders the sweep into dir/report.html; returns the file's path. */
export function writeSweepReport(dir: string, report: SweepReport): string {
  const path = join(dir, 'report.html');
  writeFileAtomic(path, renderSweepHtml(report, loadSweepReportAssets()));
  return path;
}
