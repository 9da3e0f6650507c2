import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bookAcc, bookErr, pyFloatStr } from './pyfloat.js';

// Each pair is [x, Python 3's str(x)], printed by CPython 3.11.
const PYTHON_STR: [number, string][] = [
  [0.0, '0.0'],
  [-0.0, '-0.0'],
  [1.0, '1.0'],
  [0.93, '0.93'],
  [0.3832, '0.3832'],
  [1 / 3, '0.3333333333333333'],
  [2 / 3, '0.6666666666666666'],
  [0.1 + 0.2, '0.30000000000000004'],
  [100.0, '100.0'],
  [1234.5, '1234.5'],
  [1e15, '1000000000000000.0'],
  [9999999999999998.0, '9999999999999998.0'],
  [1e16, '1e+16'],
  [1.5e16, '1.5e+16'],
  [1e-4, '0.0001'],
  [0.00012345, '0.00012345'],
  [1e-5, '1e-05'],
  [9.999e-5, '9.999e-05'],
  [-2.5e-7, '-2.5e-07'],
  [5e-324, '5e-324'],
  [1.7976931348623157e308, '1.7976931348623157e+308'],
  [Infinity, 'inf'],
  [-Infinity, '-inf'],
  [NaN, 'nan'],
];

test("pyFloatStr prints as Python's str(float)", () => {
  for (const [x, s] of PYTHON_STR) assert.equal(pyFloatStr(x), s, `str(${x})`);
});

test('bookErr cuts str(x) to five characters, never rounding', () => {
  assert.equal(bookErr(1.2845678), '1.284');
  assert.equal(bookErr(0.0432), '0.043');
  assert.equal(bookErr(0.5689999), '0.568');
  assert.equal(bookErr(12.5), '12.5');
  assert.equal(bookErr(0.00004321), '4.321'); // Python's own cut of '4.321e-05'
});

test('bookAcc is str(correct / n): 1.0 not 1, shortest digits', () => {
  assert.equal(bookAcc(1000, 1000), '1.0');
  assert.equal(bookAcc(930, 1000), '0.93');
  assert.equal(bookAcc(3832, 10000), '0.3832');
  assert.equal(bookAcc(5, 10000), '0.0005');
  assert.equal(bookAcc(0, 10000), '0.0');
});
