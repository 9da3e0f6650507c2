import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkInterfaceInfo } from 'node:os';
import { networkUrls } from './network-urls.js';

const info = (address: string, family: 'IPv4' | 'IPv6', internal: boolean): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;

const interfaces = {
  lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
  eth0: [info('192.168.1.20', 'IPv4', false), info('fe80::1', 'IPv6', false)],
  wlan0: [info('10.0.0.7', 'IPv4', false)],
};

test('a server on every address is shown at each external IPv4 address', () => {
  assert.deepEqual(networkUrls('0.0.0.0', 8080, interfaces), ['http://192.168.1.20:8080/', 'http://10.0.0.7:8080/']);
  assert.deepEqual(networkUrls('::', 9000, interfaces), ['http://192.168.1.20:9000/', 'http://10.0.0.7:9000/']);
});

test('a server on one address, or a machine with no network, has no other URL', () => {
  assert.deepEqual(networkUrls('127.0.0.1', 8080, interfaces), []);
  assert.deepEqual(networkUrls('192.168.1.20', 8080, interfaces), []);
  assert.deepEqual(networkUrls('0.0.0.0', 8080, { lo: interfaces.lo }), []);
});
