/**
 * Training progress in the terminal, as a Callback: on a terminal, one live bar for the whole run (epoch,
 * batch, ETA, the last batch's loss, the latest accuracies) with the epoch lines printed above it; when
 * piped, the epoch lines alone. At the end, a compact table of the history.
 */
import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';
import type { BatchInfo, Callback, EpochLogs, TrainingContext } from '../train/callbacks.js';

export interface ProgressOptions {
  /** Where to write. Default process.stdout. */
  stream?: Writable & { isTTY?: boolean; columns?: number };
  /** The line printed at an epoch's end, or null to print none then (the caller may log() it later). */
  epochLine: (logs: EpochLogs, trainer: TrainingContext) => string | null;
  /** Print the history table when training ends. Default true. */
  table?: boolean;
  /** Force the live bar on or off (default: on when the stream is a terminal). */
  bar?: boolean;
  /** Print nothing at all (e.g. under --json). Default false. */
  silent?: boolean;
}

const pct = (v: number | undefined) => (v === undefined ? '    –' : (100 * v).toFixed(1).padStart(5));

export class ProgressCallback implements Callback {
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private multi: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;
  private trainAcc: number | undefined;
  private testAcc: number | undefined;
  private lastDraw = 0;
  readonly useBar: boolean;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stdout;
    this.useBar = !options.silent && (options.bar ?? this.stream.isTTY === true);
  }

  onTrainBegin(trainer: TrainingContext): void {
    if (!this.useBar) return;
    this.multi = new cliProgress.MultiBar(
      {
        stream: this.stream as NodeJS.WriteStream,
        format: 'epoch {epoch}/{epochs} {bar} batch {batch}/{batches} | ETA {eta_formatted} | loss {loss} | train {trainAcc}% test {testAcc}%',
        barsize: 24,
        etaBuffer: 200,
        fps: 8,
        hideCursor: true,
        clearOnComplete: true,
        forceRedraw: true,
        noTTYOutput: this.stream.isTTY !== true,
        notTTYSchedule: 1000,
      },
      cliProgress.Presets.shades_classic,
    );
    const { epochs } = trainer.config;
    this.bar = this.multi.create(epochs * trainer.batchesPerEpoch, 0, this.payload(trainer, 0, 0, NaN));
  }

  private payload(trainer: TrainingContext, epoch: number, batch: number, loss: number) {
    return {
      epoch,
      epochs: trainer.config.epochs,
      batch,
      batches: trainer.batchesPerEpoch,
      loss: Number.isFinite(loss) ? loss.toFixed(4) : '–',
      trainAcc: pct(this.trainAcc).trim(),
      testAcc: pct(this.testAcc).trim(),
    };
  }

  /** The bar reads the counts only (Callback.passiveBatchEnd). */
  readonly passiveBatchEnd = true;

  onBatchEnd(info: BatchInfo, trainer: TrainingContext): void {
    if (!this.bar) return;
    const done = trainer.epoch * trainer.batchesPerEpoch + info.batch + 1;
    const p = trainer.progress;
    const epochLoss = p && p.seen > 0 ? p.lossSum / p.seen : info.loss; // the epoch's running mean: steadier than one batch
    this.bar.update(done, this.payload(trainer, trainer.epoch + 1, info.batch + 1, epochLoss));
    // Training runs synchronously, so cli-progress's own timer never fires: draw from here, ~8 times a second.
    const now = performance.now();
    if (now - this.lastDraw > 125) {
      this.lastDraw = now;
      this.multi!.update();
    }
  }

  onEpochEnd(logs: EpochLogs, trainer: TrainingContext): void {
    this.trainAcc = logs.trainAcc;
    if (logs.testAcc !== undefined) this.testAcc = logs.testAcc;
    const line = this.options.epochLine(logs, trainer);
    if (line !== null) this.log(line);
  }

  /** Prints a line: above the bar on a terminal, plainly when piped. */
  log(line: string): void {
    if (this.options.silent) return;
    if (this.multi) {
      this.multi.log(line + '\n');
      this.multi.update();
    } else {
      this.stream.write(line + '\n');
    }
  }

  /** Takes the bar off the terminal (training ended without onTrainEnd, e.g. interrupted). */
  close(): void {
    if (!this.multi) return;
    this.multi.update();
    this.multi.stop();
    this.multi = null;
    this.bar = null;
  }

  onTrainEnd(trainer: TrainingContext): void {
    this.close();
    if (!this.options.silent && (this.options.table ?? true)) this.stream.write(historyTable(trainer.history) + '\n');
  }
}

/**
 * The history as a small table: at most maxRows epochs (the first, the last, the best test epoch and evenly
 * spaced ones between), the best test epoch marked with *.
 */
export function historyTable(history: readonly EpochLogs[], maxRows = 12): string {
  if (history.length === 0) return '(no epochs)';
  let best: EpochLogs | undefined;
  for (const h of history) if (h.testAcc !== undefined && (!best || h.testAcc > best.testAcc!)) best = h;
  const evaluated = history.filter((h) => h.testAcc !== undefined || h.valAcc !== undefined);
  const pool = evaluated.length ? evaluated : history;
  const pick = new Set<EpochLogs>([pool[0]!, pool[pool.length - 1]!, ...(best ? [best] : [])]);
  const step = (pool.length - 1) / Math.max(1, maxRows - 1);
  for (let i = 0; pick.size < Math.min(maxRows, pool.length) && i < maxRows * 2; i++) pick.add(pool[Math.min(pool.length - 1, Math.round(i * step))]!);
  const rows = [...pick].sort((a, b) => a.epoch - b.epoch);
  const hasVal = history.some((h) => h.valAcc !== undefined);
  const hasTest = history.some((h) => h.testAcc !== undefined);
  const head = ['epoch', 'train loss', 'train acc', ...(hasVal ? ['val loss', 'val acc'] : []), ...(hasTest ? ['test loss', 'test acc'] : []), 'seconds'];
  const f = (v: number | undefined, acc: boolean) => (v === undefined ? '–' : acc ? (100 * v).toFixed(2) + '%' : v.toFixed(4));
  const body = rows.map((h) => [
    `${h.epoch}${h === best ? '*' : ''}`,
    f(h.trainLoss, false),
    f(h.trainAcc, true),
    ...(hasVal ? [f(h.valLoss, false), f(h.valAcc, true)] : []),
    ...(hasTest ? [f(h.testLoss, false), f(h.testAcc, true)] : []),
    h.seconds.toFixed(1),
  ]);
  const widths = head.map((t, i) => Math.max(t.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  if (best) out.push(`* best test accuracy`);
  if (rows.length < history.length) out.push(`(${rows.length} of ${history.length} epochs shown)`);
  return out.join('\n');
}
