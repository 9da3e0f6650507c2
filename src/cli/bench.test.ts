/** `reglab bench` as users run it: the table's shape (timings are never asserted), and its bad flags. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reglab } from './spawn.js';

test("bench W2 on ref and wasm: one table, a row per runner (and wasm's regularised variants), no numpy ratio without numpy", () => {
  const r = reglab('bench', '--workload', 'W2', '--runners', 'ref,wasm', '--reps', '1', '--pause', '0', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('| W2 |'));
  assert.equal(rows.length, 5, r.stdout);
  assert.match(rows[0]!, /^\| W2 \| ref \(float32\) \| \d+\.\d{3} s \|/);
  assert.match(rows[1]!, /^\| W2 \| wasm \(\d+ threads?, (relaxed-)?simd\) \| \d+\.\d{3} s \|/);
  ['L2 0.003', 'momentum 0.9', 'adam'].forEach((v, i) => assert.match(rows[2 + i]!, new RegExp(`^\\| W2 \\| wasm \\(\\d+ threads?, (relaxed-)?simd\\) \\+ ${v} \\| \\d+\\.\\d{3} s \\|`)));
  assert.match(r.stdout, /^command: reglab bench --workload W2/m);
});

test('bench book on wasm: a row per experiment, the lines checked against numpy\'s when python3 has numpy', () => {
  const r = reglab('bench', '--workload', 'book', '--runners', 'wasm,numpy', '--reps', '1', '--book-iterations', '1', '--pause', '0', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['overfit', 'dropout', 'batch']) {
    assert.match(r.stdout, new RegExp(`^\\| book ${name} \\| reglab wasm \\(float64\\) \\| \\d+\\.\\d{3} s \\|`, 'm'));
    if (!/numpy skipped/.test(r.stdout)) assert.match(r.stdout, new RegExp(`book ${name}, 1 iterations, the printed lines against numpy's: reglab wasm \\(float64\\): same`));
  }
});

test('bench: bad flags get one line and exit 2', () => {
  for (const args of [['--pause', '-1'], ['--pause', 'soon'], ['--reps', '0'], ['--runners', 'cuda'], ['--workload', 'W3'], ['--book-iterations', '0'], ['--book-reps', 'x']]) {
    const r = reglab('bench', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
