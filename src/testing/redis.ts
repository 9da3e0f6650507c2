/**
 * A throwaway Debian `redis-server` for the queue tests: a free loopback port, no persistence, its own
 * temporary folder, `maxmemory-policy noeviction` (as BullMQ needs), stopped and removed by stop() (register it
 * with `after`, so a failing test stops it too). When redis-server is missing the Redis suites are skipped with
 * a one-line notice; under CI (`CI` set) they fail, naming it.
 *
 *   describe('the queue', { skip: skipUnlessRedis() }, () => {
 *     let redis: RedisServer;
 *     before(async () => { redis = await startRedis(); });
 *     after(() => redis?.stop());
 *   });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { programPath, skipUnlessFound, type SystemProgram } from './system-program.js';

/** Debian's redis-server, found the way every system program the tests need is (system-program.ts). */
export const REDIS_SERVER: SystemProgram = {
  name: 'redis-server',
  env: 'REGLAB_REDIS_SERVER',
  candidates: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
  onPath: ['redis-server'],
  install: 'apt-get install -y redis-server',
};

/**
 * node:test's `skip` option for a suite that needs Redis: false when redis-server is here, or under CI (where
 * startRedis() then fails naming it); else the one-line notice.
 */
export function skipUnlessRedis(): string | false {
  return skipUnlessFound(REDIS_SERVER);
}

export interface RedisServer {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Stops the server and removes its folder (safe to call twice). */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
}

/** Resolves once something accepts connections on the port and answers PING with PONG. */
async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.setTimeout(1000, () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('error', () => resolve(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) {
        sock.end();
        resolve(got.startsWith('+PONG') || got.startsWith('-NOAUTH'));
      }
    });
  });
}

export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const bin = programPath(REDIS_SERVER);
  const dir = mkdtempSync(join(tmpdir(), 'reglab-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'noeviction', ...extraArgs];
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGKILL');
      if (!exited) await once(child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (exited) break;
    if (await answers(port)) return { url: `redis://127.0.0.1:${port}`, port, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`redis-server did not start on port ${port}: ${stderr.trim().split('\n')[0] ?? ''}`);
}
