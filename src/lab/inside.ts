/**
 * A look inside: the drawn digit's hidden-layer activations as a grid (data-testid="hidden"), the test set's
 * confusion matrix at the scrubber's epoch (a click on a cell shows those test digits) and its per-class
 * accuracy.
 */
import { drawDigit } from '../viz/images.js';
import { type Confusion, examplesOf } from './confusion.js';
import { squareSide } from './weights.js';

/** Sizes the canvas for n units as a near-square grid of cells about 120 px wide in all; gives the grid. */
function sizeGrid(canvas: HTMLCanvasElement, n: number): { cols: number; cell: number } {
  const cols = squareSide(n) || Math.ceil(Math.sqrt(n));
  const cell = Math.max(4, Math.floor(120 / cols));
  canvas.width = cols * cell;
  canvas.height = Math.ceil(n / cols) * cell;
  return { cols, cell };
}

/** The activations as a grid of squares, darker = larger (scaled by the largest one). */
export function drawHidden(canvas: HTMLCanvasElement, hidden: Float64Array | null, note: HTMLElement): void {
  const ctx = canvas.getContext('2d')!;
  if (!hidden) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    note.textContent = '';
    canvas.dataset['units'] = '0';
    return;
  }
  const n = hidden.length;
  const { cols, cell } = sizeGrid(canvas, n);
  let max = 1e-12;
  for (const v of hidden) max = Math.max(max, Math.abs(v));
  for (let i = 0; i < n; i++) {
    const a = Math.min(1, Math.abs(hidden[i]!) / max);
    const g = Math.round(255 - 235 * a);
    ctx.fillStyle = `rgb(${g}, ${g}, ${Math.round(255 - 120 * a)})`;
    ctx.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell - 1, cell - 1);
  }
  const active = hidden.filter((v) => v > 0).length;
  canvas.dataset['units'] = String(n);
  canvas.dataset['active'] = String(active);
  note.textContent = `${active} of ${n} hidden units active`;
}

/**
 * Dropout's mask in slow motion: the first hidden layer's units for one training example, kept (filled) or
 * dropped (crossed out), in the same grid as the activations.
 */
export function drawDropoutMask(canvas: HTMLCanvasElement, kept: Uint8Array | null, note: HTMLElement, epoch = 0, rate = 0): void {
  const ctx = canvas.getContext('2d')!;
  canvas.hidden = kept === null;
  if (!kept) {
    note.textContent = '';
    delete canvas.dataset['kept'];
    return;
  }
  const n = kept.length;
  const { cols, cell } = sizeGrid(canvas, n);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.lineWidth = 1;
  for (let i = 0; i < n; i++) {
    const x = (i % cols) * cell;
    const y = Math.floor(i / cols) * cell;
    if (kept[i]) {
      ctx.fillStyle = '#1a9a4a';
      ctx.fillRect(x, y, cell - 1, cell - 1);
    } else {
      ctx.strokeStyle = '#d62f2f';
      ctx.beginPath();
      ctx.moveTo(x + 1, y + 1);
      ctx.lineTo(x + cell - 2, y + cell - 2);
      ctx.moveTo(x + cell - 2, y + 1);
      ctx.lineTo(x + 1, y + cell - 2);
      ctx.stroke();
    }
  }
  const k = kept.reduce((s, v) => s + v, 0);
  canvas.dataset['kept'] = String(k);
  canvas.dataset['units'] = String(n);
  canvas.dataset['epoch'] = String(epoch);
  note.textContent = `dropout at epoch ${epoch}'s last step: ${k} of ${n} units kept, ${n - k} dropped (rate ${rate})`;
}

export interface ConfusionView {
  table: HTMLTableElement;
  perClass: HTMLElement;
  examples: HTMLElement;
  /** Fetches test images by index (from the worker). */
  images: (indices: number[]) => Promise<{ images: Uint8Array; height: number; width: number }>;
}

/** At most this many digits are shown for a cell. */
const EXAMPLES = 24;

export function renderConfusion(v: ConfusionView, c: Confusion, predicted: Uint8Array, labels: Uint8Array): void {
  const k = c.classes;
  const head = document.createElement('tr');
  head.append(th('true \\ predicted'));
  for (let p = 0; p < k; p++) head.append(th(String(p)));
  const body = document.createElement('tbody');
  let max = 1;
  for (let t = 0; t < k; t++) for (let p = 0; p < k; p++) if (t !== p) max = Math.max(max, c.counts[t * k + p]!);
  for (let t = 0; t < k; t++) {
    const tr = document.createElement('tr');
    tr.append(th(String(t)));
    for (let p = 0; p < k; p++) {
      const n = c.counts[t * k + p]!;
      const td = document.createElement('td');
      td.dataset['truth'] = String(t);
      td.dataset['predicted'] = String(p);
      if (t === p) td.className = 'diag';
      else if (n > 0) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = String(n);
        b.setAttribute('aria-label', `${n} test digits ${t} read as ${p}: show them`);
        b.style.background = `rgba(214, 47, 47, ${(0.12 + (0.75 * n) / max).toFixed(2)})`;
        b.addEventListener('click', () => void showExamples(v, predicted, labels, t, p));
        td.append(b);
      }
      if (t === p || n === 0) td.textContent = String(n);
      tr.append(td);
    }
    body.append(tr);
  }
  const thead = document.createElement('thead');
  thead.append(head);
  v.table.replaceChildren(thead, body);
  v.perClass.replaceChildren(
    ...c.perClassAcc.map((a, d) => {
      const s = document.createElement('span');
      s.dataset['digit'] = String(d);
      s.dataset['value'] = String(a);
      s.textContent = `${d}: ${Number.isNaN(a) ? '–' : `${(a * 100).toFixed(1)}%`}`;
      return s;
    }),
  );
}

async function showExamples(v: ConfusionView, predicted: Uint8Array, labels: Uint8Array, t: number, p: number): Promise<void> {
  const indices = examplesOf(predicted, labels, t, p, EXAMPLES);
  const { images, height, width } = await v.images(indices);
  const title = document.createElement('p');
  title.textContent = `Test digits ${t} read as ${p} (${indices.length === EXAMPLES ? `the first ${EXAMPLES}` : indices.length}):`;
  const pics = indices.map((index, k) => {
    const c = document.createElement('canvas');
    drawDigit(c, images.subarray(k * height * width, (k + 1) * height * width), height, width, 2);
    c.title = `test image ${index}`;
    c.dataset['index'] = String(index);
    return c;
  });
  v.examples.replaceChildren(title, ...pics);
  v.examples.dataset['cell'] = `${t},${p}`;
}

function th(text: string): HTMLElement {
  const c = document.createElement('th');
  c.textContent = text;
  return c;
}
