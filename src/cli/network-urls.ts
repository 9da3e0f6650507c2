/**
 * Where a server listening on every address (0.0.0.0 or ::) can be reached from other machines: one URL per
 * external IPv4 address of this machine, so that a teacher serving the lab to a classroom sees the link to
 * share. Other hosts are reached at the URL the server already prints.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export function networkUrls(host: string, port: number, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [];
  const urls: string[] = [];
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal) urls.push(`http://${info.address}:${port}/`);
    }
  }
  return [...new Set(urls)];
}
