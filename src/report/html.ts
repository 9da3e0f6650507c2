/**
 * report.html: one self-contained page (uPlot, its CSS, the viz modules and the page script are inlined; the
 * runs are a JSON block), so it opens offline, from a mail attachment or a USB stick.
 */
import type { RunRecord } from './record.js';

export interface ReportAssets {
  /** uPlot's IIFE build (defines the global uPlot). */
  uplotJs: string;
  uplotCss: string;
  /** The page script with the viz modules, as one module script without imports. */
  clientJs: string;
}

export interface ReportOptions {
  title?: string;
  /** A line under the title (e.g. the dataset and the date). */
  subtitle?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside a <script> element. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A script's text that cannot close its <script> element early. */
export function scriptText(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script');
}

const CSS = `
:root { --ink: #1b1b1b; --muted: #5a5a5a; --line: #dedede; }
* { box-sizing: border-box; }
body { font: 17px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0; background: #fafafa; }
header { background: #14213d; color: #fff; padding: 24px 40px; }
header h1 { margin: 0; font-size: 30px; }
header p { margin: 6px 0 0; color: #cdd6ea; }
main { max-width: 1260px; margin: 0 auto; padding: 8px 40px 60px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 24px; margin: 22px 0; }
h2 { font-size: 22px; margin: 0 0 12px; }
h3 { font-size: 18px; margin: 18px 0 8px; }
.note { color: var(--muted); font-size: 15px; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; margin-right: 8px; vertical-align: -1px; }
table.summary { border-collapse: collapse; width: 100%; }
table.summary th, table.summary td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; }
ul.about { list-style: none; padding: 0; margin: 14px 0 0; font-size: 15px; color: var(--muted); }
ul.about li { margin: 4px 0; }
ul.about b { color: var(--ink); font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
.chart { width: 100%; }
label.x-axis { display: inline-block; font-size: 15px; margin: 0 0 8px; }
label.x-axis select { font: inherit; padding: 2px 6px; }
.small-multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 18px 14px; }
.run-card figcaption { font-weight: 600; margin: 0 0 4px; }
.run-card .uplot .u-title { display: none; }
td.changed { font-size: 14px; color: var(--muted); }
.uplot .u-title { font-size: 17px; font-weight: 600; }
.uplot .u-legend { font-size: 14px; }
button.save { font: inherit; font-size: 14px; padding: 4px 12px; border: 1px solid #aaa; border-radius: 5px; background: #f4f4f4; cursor: pointer; }
.side-by-side { display: flex; flex-wrap: wrap; gap: 28px; }
figure { margin: 0; }
figcaption { font-size: 15px; margin-top: 6px; }
canvas.weights { width: 100%; border: 1px solid #999; }
.weight-view { display: flex; gap: 24px; margin: 0 0 12px; font-size: 15px; }
.weight-view label { cursor: pointer; }
.weight-view input { margin-right: 6px; }
.side-by-side figure { flex: 1 1 320px; max-width: 560px; }
.errors { display: flex; gap: 28px; align-items: flex-start; flex-wrap: wrap; }
table.confusion { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 14px; }
table.confusion th, table.confusion td { width: 40px; height: 30px; text-align: center; border: 1px solid #e4e4e4; }
table.confusion th.corner { width: auto; font-weight: normal; font-size: 12px; color: var(--muted); padding: 0 6px; }
table.confusion td.diag { background: #e8f1fb; font-weight: 600; }
.strip { display: flex; flex-wrap: wrap; gap: 6px; max-width: 640px; }
.digit { text-align: center; }
.digit canvas { border: 1px solid #ccc; image-rendering: pixelated; }
.digit figcaption { font-size: 13px; margin: 0; }
pre { background: #f4f4f4; padding: 10px 14px; border-radius: 6px; overflow-x: auto; font-size: 14px; }
pre.cmd { background: #14213d; color: #fff; }
`;

/** The report's style sheet (the sweep's report shares it). */
export const REPORT_CSS = CSS;

/** A report page's start, the same for every report: head (uPlot's and the page's CSS), body, header. */
export function pageStart(title: string, subtitle: string | undefined, assets: ReportAssets, css: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="reglab">
<title>${escapeHtml(title)}</title>
<style>${assets.uplotCss}</style>
<style>${css}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1>${subtitle ? `<p>${escapeHtml(subtitle)}</p>` : ''}</header>`;
}

export function renderReportHtml(runs: readonly RunRecord[], assets: ReportAssets, options: ReportOptions = {}): string {
  const title = options.title ?? 'reglab report';
  return `${pageStart(title, options.subtitle, assets, CSS)}
<main id="report"></main>
<script type="application/json" id="reglab-runs">${scriptJson(runs)}</script>
<script>${scriptText(assets.uplotJs)}</script>
<script type="module">${scriptText(assets.clientJs)}</script>
</body>
</html>
`;
}
