#!/usr/bin/env node
/**
 * The `reglab` command: dispatches to one module per subcommand (loaded lazily) and maps errors to exit codes:
 * 0 success, 2 bad input (one line on stderr, no stack trace), 130 interrupted, 1 a bug.
 */
import { setFlagsFromString } from 'node:v8';
import { hasRelaxedSimd } from '../backend/wasm/load.js';
import { ReglabError } from '../errors.js';
import type { Command } from './command.js';

// Node 20's V8 has relaxed SIMD (the wasm backend's fused multiply-add) behind a flag; Node 22 has it on.
// Set before any module is compiled. The library itself never sets VM flags; only this program does.
if (!hasRelaxedSimd()) setFlagsFromString('--experimental-wasm-relaxed-simd');

/** One line per command for `reglab --help` (the one place a summary is written), and its module, loaded lazily. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  train: { summary: 'train a network on MNIST (or any IDX folder)', load: async () => (await import('./train.js')).command },
  eval: { summary: 'evaluate a saved model on the test set', load: async () => (await import('./eval.js')).command },
  chapter8: { summary: "run the chapter's experiments and print the comparison table", load: async () => (await import('./chapter8.js')).command },
  bench: { summary: 'time the workloads on ref, wasm, numpy and TensorFlow.js', load: async () => (await import('./bench.js')).command },
  predict: { summary: 'classify PNG pictures of digits with a saved model', load: async () => (await import('./predict.js')).command },
  serve: { summary: 'the live web lab in your browser', load: async () => (await import('./serve.js')).command },
  'export-lab': { summary: 'write the web lab as a static site for any web host', load: async () => (await import('./export-lab.js')).command },
  book: { summary: "reproduce the book's chapter-8 printouts, or --fixed", load: async () => (await import('./book.js')).command },
  sweep: { summary: 'random search or ASHA over learning rate, batch size and regularisation', load: async () => (await import('./sweep.js')).command },
  worker: { summary: "train a sweep's trials from a Redis queue (reglab sweep --queue)", load: async () => (await import('./worker.js')).command },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'usage: reglab <command> [flags]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`),
    '',
    "run 'reglab <command> --help' for a command's flags",
    'exit codes: 0 success, 2 bad input (one line on stderr), 130 interrupted, 1 a bug',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // `reglab help train` is `reglab train --help` (an unknown name is refused below, as a command).
  if (name === 'help' && rest.length > 0) return main([rest[0]!, '--help']);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    const { createRequire } = await import('node:module');
    process.stdout.write(createRequire(import.meta.url)('../../package.json').version + '\n');
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`reglab: unknown command '${name}' (one of ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  try {
    return await (await entry.load()).run(rest);
  } catch (e) {
    if (e instanceof ReglabError) {
      process.stderr.write(`reglab ${name}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`reglab ${name}: internal error (a bug; please report it):\n${(e as Error)?.stack ?? e}\n`);
    return 1;
  }
}

// A reader that went away (`reglab train | head -1`) ends the command as SIGPIPE ends a Unix tool: quietly, as an
// interruption (exit 130), not with an unhandled 'error' event's stack trace. Files are written atomically, and a
// checkpointed run resumes from its last checkpoint.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(130);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`reglab: internal error: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
