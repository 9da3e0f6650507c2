/** The host the code runs on: Node's platform (imported only in Node) or the browser's. */
import { browserPlatform } from './platform-browser.js';
import { isNode, type Platform } from './platform.js';

export async function currentPlatform(): Promise<Platform> {
  if (!isNode()) return browserPlatform;
  const nodePlatform = './platform-node.js';
  // A computed specifier: a browser (or a bundler) never resolves the Node module.
  return ((await import(nodePlatform)) as { nodePlatform: Platform }).nodePlatform;
}
