/**
 * The runs side by side (data-testid="runs-table"): per finished run, a pin (kept across reloads and
 * exported), its name (editable), the settings that differ from the first run's, best test accuracy and its
 * epoch, final test and train accuracy, the gap and the final test loss. Every value is set as text, so a
 * run's name from a file shows as typed, never as markup. Each number cell's data-value holds the number.
 */
import { compareRows, type CompareRow, type CompareRun } from '../viz/compare.js';
import { LAB_FIELDS } from './config.js';
import type { LabRun } from './run.js';

export interface CompareHandlers {
  onPin(run: LabRun, pinned: boolean): void;
  onRename(run: LabRun, name: string): void;
  /** A click on a row's name cell selects the run for the scrubber. */
  onSelect(run: LabRun): void;
}

const COLUMNS = ['Pin', 'Name', 'Differs from the first run', 'Best test (epoch)', 'Final test', 'Final train', 'Gap', 'Test loss'] as const;

export function renderCompareTable(table: HTMLTableElement, runs: readonly LabRun[], selected: LabRun | null, on: CompareHandlers): void {
  const done = runs.filter((r) => r.status === 'done');
  const rows = compareRows(done.map(compareRun));
  const head = document.createElement('thead');
  const tr = document.createElement('tr');
  for (const c of COLUMNS) tr.append(cell('th', c));
  head.append(tr);
  const body = document.createElement('tbody');
  rows.forEach((row, i) => body.append(runRow(done[i]!, row, done[i] === selected, on)));
  table.replaceChildren(head, body);
  table.hidden = done.length === 0;
}

/**
 * Marks the selected run's row, leaving the rows in place (a row's name field keeps its focus and its
 * half-typed text when focusing it selects its run).
 */
export function markSelectedRow(table: HTMLTableElement, selected: LabRun | null): void {
  table.querySelectorAll<HTMLTableRowElement>('tbody tr').forEach((tr) => tr.classList.toggle('selected', selected !== null && tr.dataset['run'] === String(selected.id)));
}

/**
 * What the shared table needs of a lab run: its settings by field, its epochs and, with early stopping, the
 * epoch whose weights it ends with (early stopping restores them whatever ended the run).
 */
export function compareRun(r: LabRun): CompareRun {
  const out: CompareRun = { name: r.name, config: { ...r.config }, history: r.history };
  if (r.config.earlyStopping && r.earlyStoppingEpoch) out.earlyStoppingEpoch = r.earlyStoppingEpoch;
  return out;
}

function runRow(run: LabRun, row: CompareRow, selected: boolean, on: CompareHandlers): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset['run'] = String(run.id);
  if (selected) tr.className = 'selected';
  const pin = document.createElement('input');
  pin.type = 'checkbox';
  pin.checked = run.pinned;
  pin.dataset['testid'] = 'pin';
  pin.setAttribute('aria-label', `pin ${run.name}`);
  pin.addEventListener('change', () => on.onPin(run, pin.checked));
  const name = document.createElement('input');
  name.type = 'text';
  name.value = run.name;
  name.maxLength = 120;
  name.dataset['testid'] = 'run-name';
  name.setAttribute('aria-label', 'run name');
  name.addEventListener('change', () => {
    const v = name.value.trim();
    if (v) on.onRename(run, v);
    else name.value = run.name;
  });
  name.addEventListener('focus', () => on.onSelect(run));
  const differs = row.changed.map((d) => `${LAB_FIELDS[d.key as keyof typeof LAB_FIELDS]?.label ?? d.key} ${d.value}`).join(', ');
  const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)}%`);
  const finalNote = row.finalEpoch !== null && row.finalEpoch !== run.history.length ? ` (epoch ${row.finalEpoch})` : '';
  tr.append(
    wrap(pin),
    wrap(name),
    cell('td', differs || '—'),
    numberCell(row.bestTestAcc, row.bestTestAcc === null ? '–' : `${pct(row.bestTestAcc)} (${row.bestTestEpoch})`, 'best-test', row.bestTestEpoch),
    numberCell(row.finalTestAcc, pct(row.finalTestAcc) + finalNote, 'final-test', row.finalEpoch),
    numberCell(row.finalTrainAcc, pct(row.finalTrainAcc), 'final-train'),
    numberCell(row.gap, row.gap === null ? '–' : `${(row.gap * 100).toFixed(2)} pts`, 'gap'),
    numberCell(row.testLoss, row.testLoss === null ? '–' : row.testLoss.toFixed(4), 'test-loss'),
  );
  return tr;
}

function cell(tag: 'td' | 'th', text: string): HTMLElement {
  const c = document.createElement(tag);
  c.textContent = text;
  return c;
}

function wrap(el: HTMLElement): HTMLElement {
  const c = document.createElement('td');
  c.append(el);
  return c;
}

function numberCell(v: number | null, text: string, key: string, epoch: number | null = null): HTMLElement {
  const c = cell('td', text);
  c.className = 'num';
  c.dataset['col'] = key;
  c.dataset['value'] = v === null ? '' : String(v);
  if (epoch !== null) c.dataset['epoch'] = String(epoch);
  return c;
}
