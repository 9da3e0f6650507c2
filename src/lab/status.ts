/** The big numbers above the curves (epoch, test and train accuracy, the gap, time) and the batch bar. */
import type { LabRun } from './run.js';

const $ = (id: string) => document.getElementById(id)!;

export function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

export function setTestAcc(v: number | undefined): void {
  const el = $('test-acc');
  el.textContent = v === undefined ? '–' : pct(v);
  el.dataset['value'] = v === undefined ? '' : String(v);
}

/** Before a run's first epoch. */
export function resetStatus(epochs: number): void {
  $('epoch').textContent = '0';
  $('epochs-total').textContent = ` / ${epochs}`;
  for (const id of ['train-acc', 'gap', 'elapsed']) $(id).textContent = '–';
  setTestAcc(undefined);
}

export function showStatus(run: LabRun, epoch: number, batch: number, batches: number, elapsed: number): void {
  $('epoch').textContent = String(epoch);
  const last = run.history[run.history.length - 1];
  const lastTest = [...run.history].reverse().find((h) => h.testAcc !== undefined);
  if (last) $('train-acc').textContent = pct(last.trainAcc);
  if (lastTest) setTestAcc(lastTest.testAcc);
  if (last && lastTest) $('gap').textContent = `${((last.trainAcc - lastTest.testAcc!) * 100).toFixed(1)} pts`;
  $('elapsed').textContent = `${elapsed.toFixed(0)} s`;
  const f = batches ? batch / batches : 0;
  $('batch-fill').style.width = `${(f * 100).toFixed(1)}%`;
  $('batch-text').textContent = run.status === 'done' ? '' : `epoch ${epoch + 1}: batch ${batch} of ${batches}`;
}

export function showBatchText(text: string): void {
  $('batch-text').textContent = text;
}
