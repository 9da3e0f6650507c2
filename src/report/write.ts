/**
 * Writing report.html (Node only): loads the inlined assets (uPlot from its package, the compiled page
 * script and viz modules from this package) and writes the file atomically: complete or absent.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../io/atomic.js';
import { renderReportHtml, type ReportAssets, type ReportOptions } from './html.js';
import type { RunRecord } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The compiled modules the page script needs, in dependency order (leaves first, the page script last). */
const CLIENT_MODULES = ['../viz/labels.js', '../viz/curves.js', '../viz/images.js', '../viz/compare.js', './client.js'];

/**
 * Joins our own compiled ES modules into one module script: drops their import lines (each module only
 * imports the ones before it, and types) and their `export` keywords. Throws if anything it cannot handle
 * remains, so a changed module fails loudly here and in the report test.
 */
export function joinModules(sources: readonly string[]): string {
  return sources
    .map((src) => {
      const out = src
        .replace(/^import[^;]*;\s*$/gm, '')
        .replace(/^export \{\s*\};?\s*$/gm, '')
        .replace(/^export (function|const|class|let|async function) /gm, '$1 ')
        .replace(/^\/\/# sourceMappingURL=.*$/gm, '');
      const left = out.match(/^\s*(import|export)\b.*$/m);
      if (left) throw new Error(`joinModules: cannot inline '${left[0].trim()}'`);
      return out;
    })
    .join('\n');
}

let cached: ReportAssets | null = null;

export function loadReportAssets(): ReportAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const uplotDir = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  cached = {
    uplotJs: readFileSync(join(uplotDir, 'uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(join(uplotDir, 'uPlot.min.css'), 'utf8'),
    clientJs: joinModules(CLIENT_MODULES.map((m) => readFileSync(join(here, m), 'utf8'))),
  };
  return cached;
}

/** Renders the runs into dir/report.html; returns the file's path. */
export function writeReport(dir: string, runs: readonly RunRecord[], options: ReportOptions = {}): string {
  const path = join(dir, 'report.html');
  writeFileAtomic(path, renderReportHtml(runs, loadReportAssets(), options));
  return path;
}
