/** The lines the CLI writes per epoch: the chapter-style line it prints and the --metrics file's JSON lines. */
import type { EpochLogs } from '../train/callbacks.js';
import { fmtAcc, fmtErr } from './common.js';

/** The chapter-style line for an epoch: I:10 Train-Err:0.108 Train-Acc:0.9720 Test-Err:... Test-Acc:... */
export function epochLine(l: EpochLogs): string {
  let s = `I:${l.epoch} Train-Err:${fmtErr(l.trainLoss)} Train-Acc:${fmtAcc(l.trainAcc)}`;
  if (l.valLoss !== undefined) s += ` Val-Err:${fmtErr(l.valLoss)} Val-Acc:${fmtAcc(l.valAcc!)}`;
  if (l.testLoss !== undefined) s += ` Test-Err:${fmtErr(l.testLoss)} Test-Acc:${fmtAcc(l.testAcc!)}`;
  return s;
}

/** One JSON object per epoch per line, keys in EpochLogs's order (the --metrics file). */
export function metricsLines(history: readonly EpochLogs[]): string {
  return history.map((l) => JSON.stringify(l) + '\n').join('');
}
