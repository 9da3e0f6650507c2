/** `reglab serve [--port N] [--host H]`: the web lab. Prints the URL and serves until interrupted. */
import { ConfigError } from '../errors.js';
import { startLabServer } from '../lab/server.js';
import { intFlag, parseFlags, strFlag } from './args.js';
import type { Command } from './command.js';
import { networkUrls } from './network-urls.js';

const HELP = `usage: reglab serve [--port N] [--host H]

Serves the web lab: train on real MNIST in your browser, watch the curves and the weights, draw digits.
  --port N   port to listen on (default 8080; 0 picks a free one)
  --host H   address to listen on (default 127.0.0.1; 0.0.0.0 to share on a network: the
             addresses to share are printed too)
`;

export const command: Command = {
  async run(argv) {
    const { values } = parseFlags(argv, { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    if (values['help']) {
      process.stdout.write(HELP);
      return 0;
    }
    const port = intFlag(values, 'port', 0, 65535) ?? 8080;
    const host = strFlag(values, 'host') ?? '127.0.0.1';
    let lab;
    try {
      lab = await startLabServer(port, host);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new ConfigError(`port ${port} is in use; try --port 0 for a free one`);
      if (code === 'EACCES') throw new ConfigError(`no permission to listen on port ${port}`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ConfigError(`cannot listen on host ${host}`);
      throw e;
    }
    process.stdout.write(`reglab lab: ${lab.url}  (Ctrl-C to stop)\n`);
    for (const url of networkUrls(host, Number(new URL(lab.url).port))) process.stdout.write(`  on your network: ${url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        lab.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
