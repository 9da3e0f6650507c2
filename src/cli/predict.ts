/** `reglab predict --model FILE IMAGE...`: reads PNG digits of any size and prints each one's digit and top 3. */
import type { Command } from './command.js';
import { parseFlags, strFlag } from './args.js';
import { BACKEND_HELP, BACKEND_OPTIONS, cliBackend, readInput } from './common.js';
import { decodeModel, peekModelDtype } from '../io/model-file.js';
import { ConfigError, DataError } from '../errors.js';
import { readDigit as classify } from '../nn/read-digit.js';
import { decodePng } from '../image/png.js';
import { MNIST_SIDE, mnistDigit } from '../image/mnist-digit.js';
import type { Model } from '../nn/model.js';

const HELP = `usage: reglab predict --model FILE [--json] IMAGE.png...

Classifies pictures of handwritten digits with a model saved by 'reglab train --save FILE'. A PNG of any
size works: it is turned into a 28x28 MNIST-style input (a light background is inverted, the digit scaled
to fit 20x20 and centred by its mass). Prints each image's digit and its three most likely classes.
  --model FILE   the trained model
  --json         one JSON array: file, digit, top3, and all ten probabilities per image
${BACKEND_HELP}`;

export interface Prediction {
  file: string;
  digit: number;
  /** The three highest classes, highest first. */
  top3: { digit: number; p: number }[];
  /** Softmax probabilities (for an 'mse' model: its raw outputs, which are scores, not probabilities). */
  probabilities: number[];
}

/** The model's output for one 28x28 input (bytes 0..255). */
export { readDigit as classify } from '../nn/read-digit.js';

export function predictFile(model: Model, file: string): Prediction {
  const png = decodePng(readInput(file, 'image'), file);
  let input: Uint8Array;
  try {
    input = mnistDigit(png.data, png.width, png.height, 4);
  } catch (e) {
    throw e instanceof DataError ? new DataError(`${file}: ${e.message}`) : e; // which of the images
  }
  const probabilities = classify(model, input);
  const order = probabilities.map((p, d) => ({ digit: d, p })).sort((a, b) => b.p - a.p || a.digit - b.digit);
  return { file, digit: order[0]!.digit, top3: order.slice(0, 3), probabilities };
}

export const command: Command = {
  async run(argv) {
    const { values: v, positionals } = parseFlags(argv, { model: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...BACKEND_OPTIONS }, true);
    if (v['help']) {
      process.stdout.write(HELP);
      return 0;
    }
    const path = strFlag(v, 'model');
    if (!path) throw new ConfigError('--model FILE is required (a model saved by reglab train --save)');
    if (positionals.length === 0) throw new ConfigError('give one or more PNG images to classify');
    const bytes = readInput(path, 'model');
    const { model } = decodeModel(bytes, await cliBackend(v, peekModelDtype(bytes, path)), path);
    if (model.inputSize !== MNIST_SIDE * MNIST_SIDE) {
      throw new ConfigError(`${path}: the model takes ${model.inputSize} inputs; predict makes 28x28 = 784-pixel MNIST digits`);
    }
    const results = positionals.map((f) => predictFile(model, f));
    if (v['json']) {
      process.stdout.write(JSON.stringify(results) + '\n');
    } else {
      const width = Math.max(...results.map((r) => r.file.length));
      const label = model.spec.loss === 'ce' ? '' : ' (scores)';
      for (const r of results) {
        process.stdout.write(`${r.file.padEnd(width)}  ${r.digit}   ${r.top3.map((t) => `${t.digit}: ${t.p.toFixed(3)}`).join('  ')}${label}\n`);
      }
    }
    return 0;
  },
};
