import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settingByName } from '../experiments/settings.js';
import { LAB_FIELDS } from './config.js';
import { flagOf, formatFragment, parseFragment } from './url-state.js';

test('a lesson link: flag names as keys, hide and task', () => {
  const s = parseFragment('#preset=dropout&train-size=1000&dropout=0.5&epochs=40&seed=3&pace=slow&early-stopping=true&hide=dropout,weights,nonsense&task=Watch+the+gap');
  assert.deepEqual(s, {
    preset: 'dropout',
    values: { trainSize: '1000', dropout: '0.5', epochs: '40', seed: '3', earlyStopping: 'true' },
    pace: 'slow',
    hide: ['dropout', 'weights'],
    task: 'Watch the gap',
  });
  assert.equal(formatFragment(s), 'preset=dropout&train-size=1000&epochs=40&dropout=0.5&early-stopping=true&seed=3&pace=slow&hide=dropout,weights&task=Watch+the+gap');
  assert.deepEqual(parseFragment('#' + formatFragment(s)), s);
  assert.equal(flagOf('batchSize'), 'batch-size');
});

test("link keys are the table's flags: every field has one, distinct, and a no- flag's value reads as on the command line", () => {
  for (const [key, f] of Object.entries(LAB_FIELDS) as [keyof typeof LAB_FIELDS, (typeof LAB_FIELDS)[keyof typeof LAB_FIELDS]][]) {
    assert.equal(flagOf(key), settingByName(f.setting)!.flag);
  }
  assert.equal(new Set(Object.keys(LAB_FIELDS).map((k) => flagOf(k as keyof typeof LAB_FIELDS))).size, Object.keys(LAB_FIELDS).length);
  assert.equal(flagOf('bias'), 'no-bias');
  const s = parseFragment('#no-bias=true&no-shuffle=false&hidden=128,64');
  assert.deepEqual(s.values, { bias: 'false', shuffle: 'true', hidden: '128,64' });
  assert.equal(formatFragment(s), 'hidden=128,64&no-bias=true&no-shuffle=false');
});

test('an untrusted link: unknown keys and panels dropped, values kept as text, sizes capped', () => {
  const s = parseFragment('#task=%3Cscript%3Ealert(1)%3C%2Fscript%3E&lr=%3Cimg%20src%3Dx%3E&style=x&pace=warp&hide=%3Cb%3E&constructor=1&__proto__=2');
  assert.deepEqual(s, { values: { lr: '<img src=x>' }, hide: [], task: '<script>alert(1)</script>' });
  assert.deepEqual(parseFragment('#' + 'a'.repeat(5000)), { values: {}, hide: [] });
  assert.equal(parseFragment('#task=' + 'x'.repeat(900)).task!.length, 500);
  assert.deepEqual(parseFragment(''), { values: {}, hide: [] });
});
