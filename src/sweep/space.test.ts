import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../errors.js';
import { parseSpace, parseSpaceJson, sampleTrials, spaceText } from './space.js';

const SPACE = 'lr=1e-3..0.5:log,batch-size=8..256:pow2,dropout=0..0.6,l2=0|1e-4..1e-2:log';

test('the issue\'s space: each draw in its range and of its kind', () => {
  const space = parseSpace(SPACE);
  assert.deepEqual(space.map((e) => e.name), ['lr', 'batchSize', 'dropout', 'l2']);
  const trials = sampleTrials(space, 400, 7);
  const pow2 = new Set<number>();
  let zeros = 0;
  let lowLr = 0;
  for (const t of trials) {
    const { lr, batchSize, dropout, l2 } = t.params as Record<string, number>;
    assert.ok(lr >= 1e-3 && lr <= 0.5, `lr ${lr}`);
    if (lr < Math.sqrt(1e-3 * 0.5)) lowLr++;
    assert.ok([8, 16, 32, 64, 128, 256].includes(batchSize), `batch ${batchSize}`);
    pow2.add(batchSize);
    assert.ok(dropout >= 0 && dropout <= 0.6);
    assert.equal(dropout, Number(dropout.toPrecision(4)));
    if (l2 === 0) zeros++;
    else assert.ok(l2 >= 1e-4 && l2 <= 1e-2, `l2 ${l2}`);
    assert.ok(Number.isInteger(t.seed) && t.seed >= 0 && t.seed <= 0xffffffff);
  }
  assert.equal(pow2.size, 6, 'every power of two is drawn');
  // log-uniform: half the draws below the geometric mean; a choice of two: about half are the constant.
  assert.ok(lowLr > 150 && lowLr < 250, `lr below the geometric mean: ${lowLr} of 400`);
  assert.ok(zeros > 150 && zeros < 250, `l2 = 0: ${zeros} of 400`);
  assert.equal(new Set(trials.map((t) => t.seed)).size, 400, 'each trial its own seed');
});

test(':int draws integers, every one in range; a lone value is a constant; a choice of words', () => {
  const space = parseSpace('batch-size=3..6:int,momentum=0.9,activation=relu|tanh|sigmoid');
  const trials = sampleTrials(space, 200, 1);
  assert.deepEqual([...new Set(trials.map((t) => t.params.batchSize))].sort(), [3, 4, 5, 6]);
  assert.ok(trials.every((t) => t.params.momentum === 0.9));
  assert.deepEqual([...new Set(trials.map((t) => t.params.activation))].sort(), ['relu', 'sigmoid', 'tanh']);
});

test('the same seed draws the same trials; trial k does not depend on how many are drawn; another seed differs', () => {
  const space = parseSpace(SPACE);
  assert.deepEqual(sampleTrials(space, 20, 3), sampleTrials(space, 20, 3));
  assert.deepEqual(sampleTrials(space, 5, 3), sampleTrials(space, 20, 3).slice(0, 5));
  assert.notDeepEqual(sampleTrials(space, 5, 3), sampleTrials(space, 5, 4));
  // Golden draws: the generator is MT19937 (numpy's), so these never change.
  // 1e-3 * 500^0.417022 = 0.01335 (numpy: np.random.seed(1); np.random.random() = 0.417022004702574).
  assert.deepEqual(sampleTrials(parseSpace('lr=1e-3..0.5:log,batch-size=8..256:pow2'), 2, 1), [
    { trial: 0, params: { lr: 0.01335, batchSize: 128 }, seed: 4005303368 },
    { trial: 1, params: { lr: 0.001001, batchSize: 64 }, seed: 4290846341 },
  ]);
  const u = 0.417022004702574; // numpy: np.random.seed(1); np.random.random()
  assert.equal(sampleTrials(parseSpace('dropout=0..0.5'), 1, 1)[0]!.params.dropout, Number((u * 0.5).toPrecision(4)));
});

test('flag names and setting names both work; the JSON form reads the same space', () => {
  assert.deepEqual(parseSpace('batchSize=8..256:pow2'), parseSpace('batch-size=8..256:pow2'));
  const json = parseSpaceJson(JSON.stringify({ lr: '1e-3..0.5:log', 'batch-size': { min: 8, max: 256, scale: 'pow2' }, dropout: { min: 0, max: 0.6 }, l2: [0, { min: 1e-4, max: 1e-2, scale: 'log' }] }));
  assert.deepEqual(json, parseSpace(SPACE));
  assert.equal(spaceText(parseSpace(SPACE)), 'lr=0.001..0.5:log,batchSize=8..256:pow2,dropout=0..0.6,l2=0|0.0001..0.01:log');
});

test('every malformed space is refused with a ConfigError naming the key and what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['lr', /lr: expected key=values/],
    ['bogus=1..2', /bogus: not a setting a sweep can vary/],
    ['epochs=1..9:int', /epochs: not a setting/],
    ['lr=0.5..0.5', /lr: range 0.5..0.5 is empty/],
    ['batch-size=2.2..2.8:int', /batch-size: range .* holds no integer/],
    ['lr=0.5..1e-3:log', /lr: range 0.5..0.001 has its low end above its high end/],
    ['lr=0..0.5:log', /lr: a :log range needs bounds > 0/],
    ['l2=-1..1:log', /l2: a :log range needs bounds > 0/],
    ['batch-size=6..256:pow2', /batch-size: a :pow2 range needs powers of two/],
    ['batch-size=8..100:pow2', /powers of two/],
    ['batch-size=8..256', /batch-size: batchSize is an integer: use :int or :pow2/],
    ['lr=1e-3..0.5:cube', /lr: unknown scale ':cube'/],
    ['lr=abc..0.5', /lr: range bound 'abc' is not a number/],
    ['lr=1..2..3', /lr: cannot read the range/],
    ['lr=x', /lr: lr must be a number, got 'x'/],
    ['lr=0', /lr: lr must be greater than 0/],
    ['lr=0..0.5', /lr: lr must be greater than 0/],
    ['lr=-1', /lr: lr must be in \[0, 1000000\], got -1/],
    ['batch-size=1e2', /batch-size: batchSize must be an integer, got '1e2'/],
    ['dropout=0..1', /dropout: dropout must be in \[0, 1\)/],
    ['dropout=0.1|', /dropout: an empty value/],
    ['activation=relu|swish', /activation: activation must be one of relu, sigmoid, tanh, got 'swish'/],
    ['activation=1..2', /activation: activation is one of/],
    ['lr=0.1|0.1', /lr: a choice is given twice/],
    ['lr=0.1,lr=0.2', /lr: lr is given twice/],
    ['lr=0.1,batch-size=8..16:pow2,', /expected key=values/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseSpace(text), (e: unknown) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'), `${text}`);
  }
  const json: [string, RegExp][] = [
    ['{', /not JSON/],
    ['[1]', /expected a JSON object/],
    ['{}', /empty/],
    ['{"lr": []}', /lr: an empty list of choices/],
    ['{"lr": {"min": 1}}', /lr: a range needs numbers min and max/],
    ['{"lr": {"min": 1, "max": 2, "step": 1}}', /lr: unknown field "step"/],
    ['{"lr": {"min": 1, "max": 2, "scale": "cube"}}', /lr: unknown scale "cube"/],
    ['{"lr": null}', /lr: cannot read null/],
    ['{"batch-size": 2.5}', /batch-size: batchSize must be an integer/],
    ['{"nope": 1}', /nope: not a setting/],
  ];
  for (const [text, re] of json) {
    assert.throws(() => parseSpaceJson(text), (e: unknown) => e instanceof ConfigError && re.test(e.message), text);
  }
});
