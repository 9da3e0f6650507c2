import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reglab } from './spawn.js';

test('reglab book prints the book lines on stdout and nothing else', () => {
  const r = reglab('book', 'overfit', '--epochs', '1', '--fixed');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'I:0 Train-Err:0.729 Train-Acc:0.527 Test-Err:0.593 Test-Acc:0.6493\n');
  assert.equal(r.stderr, '');
});

test('reglab book --backend ref and wasm print the same line', () => {
  for (const backend of ['ref', 'wasm']) {
    const r = reglab('book', 'dropout', '--epochs', '1', '--backend', backend);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'I:0 Test-Err:0.641 Test-Acc:0.6333 Train-Err:0.891 Train-Acc:0.413\n', backend);
  }
});

test('reglab book refuses bad input with exit code 2 and one line', () => {
  for (const args of [
    ['book'],
    ['book', 'nope'],
    ['book', 'batch', 'dropout'],
    ['book', 'batch', '--epochs', '0'],
    ['book', 'batch', '--epochs', 'ten'],
    ['book', 'batch', '--epochs'],
    ['book', 'batch', '--fast'],
    ['book', 'batch', '--fixed=yes'],
    ['book', 'batch', '--backend', 'gpu'],
    ['book', 'batch', '--backend'],
  ]) {
    const r = reglab(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^reglab book: [^\n]+\n$/, args.join(' '));
  }
});

test('reglab book --help names the experiments and flags', () => {
  const r = reglab('book', '--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /overfit/);
  assert.match(r.stdout, /--fixed/);
});
