import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SettingError, ConfigError } from '../errors.js';
import { RUN_DEFAULTS, RUN_SETTINGS, checkSettingValue, parseSettingValue, settingByFlag, settingByName, settingValueOf, validateRunConfig, withRunDefaults } from './settings.js';

const refused = (f: () => unknown, setting: string, msg?: RegExp) =>
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof SettingError && e instanceof ConfigError, String(e));
    assert.equal(e.setting, setting, e.message);
    assert.ok(e.message.includes(setting), `the message names ${setting}: ${e.message}`);
    assert.doesNotMatch(e.message, /--/, 'no CLI flag in a library error');
    if (msg) assert.match(e.message, msg);
    return true;
  });

test('the table: one row per setting, each with a flag, a lab label, a doc line and a default in its range', () => {
  const names = RUN_SETTINGS.map((s) => s.name);
  assert.equal(new Set(names).size, names.length);
  assert.equal(new Set(RUN_SETTINGS.map((s) => s.flag)).size, names.length);
  for (const s of RUN_SETTINGS) {
    assert.ok(s.flag && s.label && s.doc, s.name);
    assert.equal(settingByFlag(s.flag), s);
    assert.equal(settingByName(s.name), s);
    assert.deepEqual(settingValueOf(RUN_DEFAULTS, s.name), s.default, s.name);
    assert.deepEqual(checkSettingValue(s.name, s.default), s.default, s.name);
  }
  for (const [flag, name] of [['lr', 'lr'], ['batch-size', 'batchSize'], ['no-bias', 'bias'], ['no-shuffle', 'shuffle'], ['early-stopping', 'earlyStopping'], ['patience', 'earlyStopping.patience'], ['min-delta', 'earlyStopping.minDelta'], ['optimizer', 'optimizer'], ['beta1', 'beta1'], ['beta2', 'beta2'], ['eps', 'eps']]) {
    assert.equal(settingByFlag(flag!)?.name, name, flag);
  }
  assert.equal(settingByFlag('data'), undefined, 'not a run setting');
});

test('defaults: the chapter\'s run, SGD, and Keras/PyTorch Adam', () => {
  assert.deepEqual(RUN_DEFAULTS, {
    trainSize: 1000, valSize: 0, testSize: 10000, hidden: [100], activation: 'relu', dropout: 0, loss: 'ce', init: 'uniform', bias: true,
    epochs: 40, lr: 0.005, batchSize: 1, momentum: 0, l2: 0, shuffle: true, evalEvery: 1, seed: 1, earlyStopping: null,
    optimizer: 'sgd', beta1: 0.9, beta2: 0.999, eps: 1e-8,
  });
  assert.ok(Object.isFrozen(RUN_DEFAULTS));
  const c = validateRunConfig({ hidden: [8] });
  c.hidden.push(9);
  assert.deepEqual(validateRunConfig({}).hidden, [100], 'a config does not share the default list');
});

test('validateRunConfig: nested and flat forms, early stopping filled in', () => {
  const nested = validateRunConfig({ valSize: 100, earlyStopping: { patience: 3 } });
  const flat = validateRunConfig({ valSize: 100, earlyStopping: true, 'earlyStopping.patience': 3 });
  assert.deepEqual(nested, flat);
  assert.deepEqual(nested.earlyStopping, { patience: 3, minDelta: 0, monitor: 'valLoss' });
  assert.equal(validateRunConfig({ earlyStopping: null }).earlyStopping, null);
  assert.equal(validateRunConfig({ lr: undefined }).lr, 0.005, 'undefined is not given');
  assert.deepEqual(validateRunConfig(nested), nested, 'a full config validates to itself');
  assert.deepEqual(validateRunConfig({ optimizer: 'adam', beta1: 0.8, eps: 1e-7 }).beta1, 0.8);
});

test('validateRunConfig refuses unknown settings, wrong kinds and values out of range, naming the setting', () => {
  assert.throws(() => validateRunConfig(null), ConfigError);
  assert.throws(() => validateRunConfig([1]), ConfigError);
  refused(() => validateRunConfig({ learningRate: 0.1 }), 'learningRate', /not a run setting/);
  refused(() => validateRunConfig({ earlyStopping: { patience: 2, restore: true } }), 'earlyStopping.restore', /not a run setting/);
  refused(() => validateRunConfig({ lr: '0.1' }), 'lr', /must be a number/);
  refused(() => validateRunConfig({ lr: NaN }), 'lr', /must be a number/);
  refused(() => validateRunConfig({ lr: -1 }), 'lr', /in \[0, 1000000\]/);
  refused(() => validateRunConfig({ epochs: 2.5 }), 'epochs', /integer/);
  refused(() => validateRunConfig({ epochs: 0 }), 'epochs', /between 1 and 1000000/);
  refused(() => validateRunConfig({ hidden: 100 }), 'hidden', /list/);
  refused(() => validateRunConfig({ hidden: [] }), 'hidden', /list/);
  refused(() => validateRunConfig({ hidden: [10, 0] }), 'hidden', /list/);
  refused(() => validateRunConfig({ hidden: [65537] }), 'hidden', /from 1 to 65536/);
  refused(() => validateRunConfig({ bias: 'no' }), 'bias', /true or false/);
  refused(() => validateRunConfig({ activation: 'gelu' }), 'activation', /one of relu, sigmoid, tanh/);
  refused(() => validateRunConfig({ dropout: 1 }), 'dropout', /\[0, 1\)/);
  refused(() => validateRunConfig({ eps: 0 }), 'eps', /\(0, Infinity\]/);
  refused(() => validateRunConfig({ earlyStopping: 'yes' }), 'earlyStopping', /true or false/);
  refused(() => validateRunConfig({ valSize: 10, earlyStopping: { monitor: 'loss' } }), 'earlyStopping.monitor', /one of trainLoss/);
});

test('validateRunConfig: the rules between settings', () => {
  refused(() => validateRunConfig({ lr: 0 }), 'lr', /greater than 0/);
  refused(() => validateRunConfig({ trainSize: 10, batchSize: 11 }), 'batchSize', /batchSize 11 is larger than the training set \(trainSize 10\)/);
  validateRunConfig({ trainSize: 10, batchSize: 10 });
  refused(() => validateRunConfig({ 'earlyStopping.patience': 3 }), 'earlyStopping.patience', /need earlyStopping/);
  refused(() => validateRunConfig({ earlyStopping: false, 'earlyStopping.monitor': 'testAcc' }), 'earlyStopping.monitor', /need earlyStopping/);
  refused(() => validateRunConfig({ earlyStopping: {} }), 'valSize', /validation loss: give valSize/);
  refused(() => validateRunConfig({ earlyStopping: { monitor: 'valAcc' } }), 'valSize', /validation accuracy/);
  validateRunConfig({ earlyStopping: { monitor: 'trainLoss' } });
  refused(() => validateRunConfig({ testSize: 0, earlyStopping: { monitor: 'testAcc' } }), 'earlyStopping.monitor', /needs a test set \(testSize > 0\)/);
  refused(() => validateRunConfig({ optimizer: 'adam', momentum: 0.9 }), 'momentum', /only to optimizer sgd/);
  for (const name of ['beta1', 'beta2', 'eps']) refused(() => validateRunConfig({ [name]: 0.5 }), name, /only to optimizer adam/);
  validateRunConfig({ optimizer: 'sgd', beta1: 0.9, momentum: 0.9 });
  validateRunConfig({ optimizer: 'adam', momentum: 0 });
});

test('parseSettingValue: text to a checked value, by kind', () => {
  assert.equal(parseSettingValue('lr', ' 0.5 '), 0.5);
  assert.equal(parseSettingValue('epochs', '+7'), 7);
  assert.deepEqual(parseSettingValue('hidden', '128, 64'), [128, 64]);
  assert.equal(parseSettingValue('bias', 'off'), false);
  assert.equal(parseSettingValue('earlyStopping', 'true'), true);
  assert.equal(parseSettingValue('earlyStopping.monitor', 'valAcc'), 'valAcc');
  assert.equal(parseSettingValue('eps', '1e-7'), 1e-7);
  refused(() => parseSettingValue('lr', ''), 'lr', /needs a value/);
  refused(() => parseSettingValue('lr', 'fast'), 'lr', /must be a number, got 'fast'/);
  refused(() => parseSettingValue('epochs', '1e3'), 'epochs', /must be an integer, got '1e3'/);
  refused(() => parseSettingValue('seed', '4294967296'), 'seed', /between 0 and 4294967295, got 4294967296/);
  refused(() => parseSettingValue('hidden', '64,abc'), 'hidden', /comma-separated list of integers from 1 to 65536, got '64,abc'/);
  refused(() => parseSettingValue('loss', 'hinge'), 'loss', /one of ce, mse, got 'hinge'/);
  refused(() => parseSettingValue('shuffle', 'maybe'), 'shuffle', /true or false/);
  refused(() => parseSettingValue('beta2', '1'), 'beta2', /in \[0, 1\), got 1/);
  refused(() => parseSettingValue('nope', '1'), 'nope', /not a run setting/);
});

test('saved settings from before a setting existed count it at its default', () => {
  const { optimizer: _o, beta1: _b1, beta2: _b2, eps: _e, ...old } = RUN_DEFAULTS;
  assert.deepEqual(withRunDefaults(old), { ...RUN_DEFAULTS });
  assert.equal(withRunDefaults({ ...old, lr: 0.1 }).lr, 0.1);
});

// ---- the clients read the same table: the CLI's flags and the lab's fields -------------------------------

const fieldOf = (setting: string) => setting.slice(setting.lastIndexOf('.') + 1);

/** Texts to try for a setting: its boundaries, just past them, the wrong kind, junk. */
function probes(s: (typeof RUN_SETTINGS)[number]): string[] {
  const common = ['', ' ', 'abc', '1;rm', '0x10', '1e3', 'NaN', 'Infinity', '-0', ' 7 '];
  if (s.kind === 'choice') return [...s.choices!, ...s.choices!.map((c) => c.toUpperCase()), `${s.choices![0]} `, ...common];
  if (s.kind === 'intList') return ['1', '100', '128,64', '64, 32', String(s.max), String(s.max! + 1), '0', '1,', ',', '1.5', '-3', ...common];
  const { min = 0, max = Infinity } = s;
  const near = [min, min - 1, min + 0.5, min - 1e-9, min + 1e-9, max, max + 1, max - 0.5, max + 1e-6, max - 1e-6].filter(Number.isFinite);
  return [...near.map(String), '2.5', '1', '0', '-1', '1e-7', ...common];
}

/** Settings that a setting needs around it to be accepted at all (the same for both clients). */
function context(name: string): [string[], Record<string, unknown>] {
  const flags = ['--train-size', '1000', '--val-size', '100', '--test-size', '1000', '--batch-size', '1'];
  const fields: Record<string, unknown> = { trainSize: '1000', valSize: '100', testSize: '1000', batchSize: '1' };
  if (name.startsWith('earlyStopping.')) [flags.push('--early-stopping'), (fields.earlyStopping = true)];
  if (['beta1', 'beta2', 'eps'].includes(name)) [flags.push('--optimizer', 'adam'), (fields.optimizer = 'adam')];
  return [flags, fields];
}

function outcome(f: () => unknown): { value?: unknown; error?: Error } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: e as Error };
  }
}

test('every setting has a CLI flag and a lab field, and the two accept and refuse the same values', async () => {
  const { parseTrainFlags } = await import('../cli/train.js');
  const { LAB_FIELDS, parseLabConfig, LabFieldError } = await import('../lab/config.js');
  const fields = LAB_FIELDS as Record<string, { setting: string; label: string }>;
  assert.deepEqual(Object.values(fields).map((f) => f.setting).sort(), RUN_SETTINGS.map((s) => s.name).sort(), 'one lab field per setting');
  let compared = 0;
  for (const s of RUN_SETTINGS) {
    const field = fieldOf(s.name);
    assert.equal(fields[field]?.setting, s.name, `lab field ${field}`);
    assert.equal(fields[field]!.label, s.label);
    const [flags, base] = context(s.name);
    const texts = s.kind === 'bool' ? [null] : probes(s);
    for (const text of texts) {
      // A bool's CLI flag is a switch: compare it with the value the switch means.
      const labValue = text ?? !s.flag.startsWith('no-');
      const cli = outcome(() => settingValueOf(parseTrainFlags([...flags, text === null ? `--${s.flag}` : `--${s.flag}=${text}`])!.config, s.name));
      const lab = outcome(() => parseLabConfig({ ...base, [field]: labValue })[field as 'lr']);
      const what = `${s.name} = ${JSON.stringify(text)}: cli ${cli.error?.message ?? JSON.stringify(cli.value)}, lab ${lab.error?.message ?? JSON.stringify(lab.value)}`;
      if (lab.error && /MNIST/.test(lab.error.message)) {
        // The lab's data is MNIST: a size past it is refused by the fit to the data, as the CLI's splitData would.
        assert.ok(!cli.error, what);
        continue;
      }
      assert.equal(Boolean(cli.error), Boolean(lab.error), what);
      if (cli.error) {
        assert.ok(cli.error instanceof SettingError, what);
        assert.ok(lab.error instanceof LabFieldError, what);
        assert.equal(fieldOf(cli.error.setting), lab.error.field, what);
        assert.ok(cli.error.message.includes(`--${s.flag}`), `the CLI names the flag: ${what}`);
        assert.ok(lab.error.message.startsWith(fields[lab.error.field]!.label), `the lab names the field: ${what}`);
        assert.doesNotMatch(lab.error.message, /--/, what);
      } else {
        assert.deepEqual(lab.value, cli.value, what);
      }
      compared++;
    }
  }
  assert.ok(compared > 300, `${compared} values compared`);
});

test('reglab train --help shows every run flag with the default from the table', async () => {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('../cli/main.js', import.meta.url)), 'train', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  for (const s of RUN_SETTINGS) {
    const line = lines.find((l) => l.startsWith(`  --${s.flag} `) || l === `  --${s.flag}`);
    assert.ok(line, `--${s.flag} in the help`);
    if (s.kind !== 'bool') assert.ok(line.includes(`(default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)}`), line);
  }
});

test('the CLI speaks of flags: each engine error comes out with the flags of the settings it names', async () => {
  const { flagMessage, FLAG_OF } = await import('../cli/run-flags.js');
  for (const s of RUN_SETTINGS) assert.equal(FLAG_OF[s.name], `--${s.flag}`);
  const rule = (partial: Record<string, unknown>) => flagMessage(outcome(() => validateRunConfig(partial)).error as SettingError);
  assert.equal(rule({ 'earlyStopping.monitor': 'valAcc' }), '--patience, --min-delta and --monitor need --early-stopping');
  assert.equal(rule({ earlyStopping: {} }), '--early-stopping watches validation loss: give --val-size N (e.g. --val-size 1000)');
  assert.equal(rule({ testSize: 0, earlyStopping: { monitor: 'testLoss' } }), '--monitor testLoss needs a test set (--test-size > 0)');
  assert.equal(rule({ trainSize: 5, batchSize: 8 }), '--batch-size 8 is larger than the training set (--train-size 5)');
  assert.equal(rule({ beta2: 0.5 }), '--beta2 applies only to --optimizer adam');
});

test('the command line writes a newer setting only when it is off its default, and parses back', async () => {
  const { trainCommandLine } = await import('./command-line.js');
  const { parseTrainFlags } = await import('../cli/train.js');
  assert.equal(trainCommandLine(validateRunConfig({ optimizer: 'sgd', beta1: 0.9 })), 'reglab train --seed 1');
  const adam = validateRunConfig({ optimizer: 'adam', lr: 0.001, batchSize: 32, beta2: 0.99, eps: 1e-7 });
  const line = trainCommandLine(adam);
  assert.equal(line, 'reglab train --lr 0.001 --batch-size 32 --optimizer adam --beta2 0.99 --eps 1e-7 --seed 1');
  assert.deepEqual(parseTrainFlags(line.split(' ').slice(2))!.config, adam);
});

test("init's default follows the optimizer (the chapter's uniform with SGD, Glorot's with Adam, as Keras's layers), a given init stays", async () => {
  const { trainCommandLine } = await import('./command-line.js');
  const { parseTrainFlags } = await import('../cli/train.js');
  assert.equal(validateRunConfig({}).init, 'uniform');
  assert.equal(validateRunConfig({ optimizer: 'sgd' }).init, 'uniform');
  assert.equal(validateRunConfig({ optimizer: 'adam' }).init, 'glorot');
  for (const init of ['uniform', 'he', 'glorot']) {
    for (const optimizer of ['sgd', 'adam']) {
      const c = validateRunConfig({ optimizer, init });
      assert.equal(c.init, init);
      // The command line says init only when it is off that optimizer's default, and reads back the same run.
      const line = trainCommandLine(c);
      assert.equal(line.includes('--init'), init !== (optimizer === 'adam' ? 'glorot' : 'uniform'), line);
      assert.deepEqual(parseTrainFlags(line.split(' ').slice(2))!.config, c, line);
    }
  }
  assert.equal(trainCommandLine(validateRunConfig({ optimizer: 'adam', init: 'uniform' })), 'reglab train --init uniform --optimizer adam --seed 1');
});
