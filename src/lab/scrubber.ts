/**
 * The epoch scrubber (data-testid="scrubber"): a range over the epochs of the selected run, with its early-
 * stopping epoch and best test epoch marked under it. Moving it asks for that epoch's model; going "back to
 * epoch k" is what early stopping does.
 */
import type { LabRun } from './run.js';

export interface ScrubberElements {
  box: HTMLElement;
  input: HTMLInputElement;
  label: HTMLElement;
  marks: HTMLElement;
}

export class Scrubber {
  private run: LabRun | null = null;
  /** Called with the run and epoch chosen (by the user or by set()). */
  onMove: (run: LabRun, epoch: number) => void = () => {};

  constructor(private readonly el: ScrubberElements) {
    el.input.addEventListener('input', () => this.run && this.moved());
  }

  get selected(): LabRun | null {
    return this.run;
  }

  get epoch(): number {
    return Number(this.el.input.value);
  }

  /** Shows a run's epochs so far; the thumb goes to `epoch` (default: stays where it was, within range). */
  show(run: LabRun | null, epoch?: number): void {
    this.run = run;
    const n = run?.history.length ?? 0;
    this.el.box.hidden = n === 0;
    if (!run || n === 0) return;
    const input = this.el.input;
    const was = Number(input.value);
    input.min = '1';
    input.max = String(n);
    input.value = String(epoch ?? Math.min(Math.max(1, was), n));
    input.setAttribute('aria-label', `epoch of ${run.name}`);
    this.drawMarks(run, n);
    this.label.textContent = this.text();
  }

  /** Moves the thumb by `by` epochs, as the arrow keys do. */
  step(by: number): void {
    if (!this.run) return;
    const input = this.el.input;
    const v = Math.min(Number(input.max), Math.max(1, Number(input.value) + by));
    if (String(v) === input.value) return;
    input.value = String(v);
    this.moved();
  }

  private get label(): HTMLElement {
    return this.el.label;
  }

  private text(): string {
    const run = this.run!;
    const e = this.epoch;
    const h = run.history[e - 1];
    const test = h?.testAcc === undefined ? '' : `, test ${(h.testAcc * 100).toFixed(1)}%`;
    const kept = run.snapshots.has(e) ? '' : ' (no snapshot kept of this epoch)';
    return `${run.name}: epoch ${e} of ${run.history.length}${test}${kept}`;
  }

  private moved(): void {
    this.label.textContent = this.text();
    this.onMove(this.run!, this.epoch);
  }

  private drawMarks(run: LabRun, n: number): void {
    const marks: HTMLElement[] = [];
    const mark = (epoch: number | undefined, text: string, cls: string) => {
      if (!epoch || epoch > n) return;
      const m = document.createElement('span');
      m.className = `mark ${cls}`;
      m.dataset['epoch'] = String(epoch);
      m.style.left = `${n > 1 ? ((epoch - 1) / (n - 1)) * 100 : 0}%`;
      m.textContent = `${text} ${epoch}`;
      marks.push(m);
    };
    mark(run.earlyStoppingEpoch, 'early stop', 'early-stop');
    mark(run.bestTestEpoch, 'best test', 'best-test');
    this.el.marks.replaceChildren(...marks);
  }
}
