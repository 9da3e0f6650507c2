/** reglab serve as users run it: prints the URL, serves with the isolation headers, bad flags exit 2. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { reglabWith, startReglab } from './spawn.js';

test('prints its URL and serves the page, the modules and MNIST with isolation headers', async () => {
  const child = startReglab(['serve', '--port', '0'], { timeout: 60_000 });
  try {
    let out = '';
    while (!/http:\/\/\S+\//.test(out)) {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      out += chunk.toString();
    }
    const url = out.match(/(http:\/\/\S+\/)/)![1]!;
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(await page.text(), /data-testid="train"/);
    const worker = await fetch(new URL('dist/lab/worker.js', url));
    assert.equal(worker.status, 200);
    assert.match(worker.headers.get('content-type')!, /javascript/);
    const labels = await fetch(new URL('mnist/t10k-labels-idx1-ubyte', url));
    assert.equal((await labels.arrayBuffer()).byteLength, 10008);
    assert.equal((await fetch(new URL('dist/../package.json', url))).status, 404);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

test('bad flags: one line, exit 2', () => {
  for (const args of [['--port', 'abc'], ['--port', '70000'], ['--bogus']]) {
    const r = reglabWith({ timeout: 10_000 }, 'serve', ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
