/**
 * A sweep queue's address: `redis://[[user]:password@]host[:port][/db]`, or `rediss://...` for TLS, turned into
 * the connection settings ioredis takes. Pure (no connection is made here: see redis-node.ts). A malformed
 * address is a ConfigError; messages show the address with its password hidden.
 */
import { ConfigError } from '../errors.js';

/** What ioredis needs to reach one Redis database (a subset of its RedisOptions). */
export interface RedisAddress {
  host: string;
  /** Default 6379. */
  port: number;
  /** The database number, default 0. */
  db: number;
  username?: string;
  password?: string;
  /** Present (an empty object: the system's CA certificates, checked host name) for rediss://. */
  tls?: Record<string, never>;
  /** The address as given, password hidden: what messages print. */
  shown: string;
}

export const REDIS_DEFAULT_PORT = 6379;
/** Redis has 16 databases unless configured otherwise; more is allowed, this is only a sanity bound. */
const MAX_DB = 1 << 20;

function decode(part: string, what: string, shown: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ConfigError(`${shown}: the ${what} is not valid URL encoding`);
  }
}

/** The address with any password replaced by '***' (for messages). */
export function hidePassword(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^/@]*?:)[^/@]*@/i, '$1***@');
}

/** The host:port part of a URL (no user name, password or path). */
function authority(url: string): string {
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const hostPort = rest.split(/[/?#]/, 1)[0]!;
  return hostPort.slice(hostPort.lastIndexOf('@') + 1);
}

export function parseQueueUrl(url: string): RedisAddress {
  const shown = hidePassword(url.trim());
  const bad = (why: string): never => {
    throw new ConfigError(`${shown}: ${why} (expected redis://HOST:PORT[/DB], redis://:PASSWORD@HOST:PORT or rediss://... for TLS)`);
  };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url.trim())?.[1]?.toLowerCase();
  if (scheme === undefined) bad('not a URL');
  if (scheme !== 'redis' && scheme !== 'rediss') bad(`the scheme must be redis or rediss, not ${scheme}`);
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return bad('not a valid URL');
  }
  if (u.hostname === '') bad('no host');
  if (u.search !== '' || u.hash !== '') bad('no query or fragment is understood');
  let port = REDIS_DEFAULT_PORT;
  if (u.port !== '') {
    port = Number(u.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) bad(`bad port ${u.port}`);
  } else if (authority(url.trim()).endsWith(':')) {
    bad('an empty port');
  }
  let db = 0;
  const path = u.pathname;
  if (path !== '' && path !== '/') {
    const m = /^\/(\d{1,7})$/.exec(path);
    if (!m || Number(m[1]) > MAX_DB) bad(`the path must be a database number, e.g. /0, not ${path}`);
    db = Number(m![1]);
  }
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const address: RedisAddress = { host, port, db, shown };
  if (u.username !== '') address.username = decode(u.username, 'user name', shown);
  if (u.password !== '') address.password = decode(u.password, 'password', shown);
  if (scheme === 'rediss') address.tls = {};
  return address;
}
