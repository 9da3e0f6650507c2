/**
 * `reglab book overfit|dropout|batch [--fixed] [--epochs N] [--backend ref|wasm]`: the book's chapter-8
 * experiments, printed line for line as the book prints them; --fixed mends its two reported bugs.
 */
import { BOOK_EXPERIMENT_NAMES, BOOK_EXPERIMENTS, runBookExperiment, type BookExperimentName } from '../book/experiments.js';
import { ConfigError } from '../errors.js';
import { BACKEND_NAMES } from '../backend/create.js';
import { choiceFlag, intFlag, parseFlags } from './args.js';
import { loadData } from './common.js';
import type { Command } from './command.js';

const HELP = `usage: reglab book <${BOOK_EXPERIMENT_NAMES.join('|')}> [--fixed] [--epochs N] [--backend ref|wasm]

Runs one of the chapter-8 experiments of "Grokking Deep Learning" exactly as the book's code runs them
(float64, numpy's random stream from seed 1, the first 1,000 MNIST training images, all 10,000 test images)
and prints its lines in the book's format.

  overfit    784-40-10, alpha 0.005, ${BOOK_EXPERIMENTS.overfit.iterations} iterations, one image at a time
  dropout    784-100-10 with dropout, alpha 0.005, ${BOOK_EXPERIMENTS.dropout.iterations} iterations
  batch      as dropout, batches of 100, alpha 0.001, ${BOOK_EXPERIMENTS.batch.iterations} iterations

flags:
  --fixed      mend the book's two bugs: relu2deriv from the pre-activation (> 0) instead of the ReLU's
               output (>= 0, always 1); in batch, one update per batch instead of one per example
  --epochs N   iterations to run instead of the book's
  --backend ref|wasm
               wasm: the network on float64 WebAssembly SIMD kernels (the default where the runtime has
               WebAssembly SIMD); ref: on the plain TypeScript reference kernels. The same lines either way.
`;

export const command: Command = {
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { fixed: { type: 'boolean' }, epochs: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      true,
    );
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new ConfigError(`name one experiment: ${BOOK_EXPERIMENT_NAMES.join(', ')}${positionals.length ? ` (got ${positionals.join(' ')})` : ''}`);
    }
    const name = positionals[0] as BookExperimentName;
    if (!BOOK_EXPERIMENT_NAMES.includes(name)) {
      throw new ConfigError(`unknown experiment '${name}' (one of ${BOOK_EXPERIMENT_NAMES.join(', ')})`);
    }
    const epochs = intFlag(values, 'epochs', 1, 100000);
    const backend = choiceFlag(values, 'backend', BACKEND_NAMES);
    await runBookExperiment(name, {
      ...(backend === undefined ? {} : { backend }),
      dataset: loadData(undefined),
      fixed: values.fixed === true,
      ...(epochs === undefined ? {} : { epochs }),
      onLine: (line) => process.stdout.write(line + '\n'),
    });
    return 0;
  },
};
