/**
 * The lab's drawing pad: draw with a mouse, pen or finger; after each stroke (and while drawing, once a
 * frame) the picture goes through the same MNIST preprocessing as `reglab predict` and the current model
 * reads it. Shows the digit, the ten probabilities as bars and the 28x28 picture the model actually sees.
 */
import { mnistDigit } from '../image/mnist-digit.js';
import { drawDigit } from '../viz/images.js';

export interface PadElements {
  canvas: HTMLCanvasElement;
  /** Where the 28x28 input is shown. */
  seen: HTMLCanvasElement;
  prediction: HTMLElement;
  probabilities: HTMLElement;
  clear: HTMLElement;
  /** The model's ten outputs for a 28x28 input (bytes, 0 background), or null when there is no model yet. */
  classify: (digit: Uint8Array) => number[] | null;
}

/** Stroke width in pad pixels: MNIST strokes are about a tenth of the digit's height. */
const STROKE = 22;

export class DrawingPad {
  private readonly ctx: CanvasRenderingContext2D;
  private dirty = false;
  private drawing = false;
  private last: [number, number] = [0, 0];
  private queued = false;

  constructor(private readonly el: PadElements) {
    this.ctx = el.canvas.getContext('2d', { willReadFrequently: true })!;
    const c = el.canvas;
    c.addEventListener('pointerdown', (e) => {
      this.drawing = true;
      c.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.stroke(this.last, this.last);
    });
    c.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const p = this.point(e);
      this.stroke(this.last, p);
      this.last = p;
      if (!this.queued) {
        this.queued = true;
        requestAnimationFrame(() => {
          this.queued = false;
          this.refresh();
        });
      }
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.refresh();
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    el.clear.addEventListener('click', () => this.clear());
    this.clear();
  }

  clear(): void {
    this.ctx.fillStyle = '#fff';
    this.ctx.fillRect(0, 0, this.el.canvas.width, this.el.canvas.height);
    this.dirty = false;
    this.show(null, 'Draw a digit in the box');
  }

  /** Reads the drawing again (after a stroke, or when the model changed). */
  refresh(): void {
    if (!this.dirty) return;
    const img = this.ctx.getImageData(0, 0, this.el.canvas.width, this.el.canvas.height);
    let digit: Uint8Array;
    try {
      digit = mnistDigit(img.data, img.width, img.height, 4);
    } catch {
      return this.show(null, 'Draw a digit in the box');
    }
    drawDigit(this.el.seen, digit, 28, 28, 2);
    const p = this.el.classify(digit);
    this.show(p, 'Train a model first');
  }

  private point(e: PointerEvent): [number, number] {
    const r = this.el.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.el.canvas.width, ((e.clientY - r.top) / r.height) * this.el.canvas.height];
  }

  private stroke(a: [number, number], b: [number, number]): void {
    const ctx = this.ctx;
    ctx.strokeStyle = '#000';
    ctx.lineWidth = STROKE;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
    this.dirty = true;
  }

  private show(p: number[] | null, why: string): void {
    const { prediction: el, probabilities: probs } = this.el;
    probs.replaceChildren();
    if (!p) {
      el.textContent = why;
      el.className = 'none';
      el.dataset['digit'] = '';
      return;
    }
    const sum = p.reduce((a, b) => a + Math.max(0, b), 0) || 1; // 'mse' outputs are not probabilities: normalise for the bars
    const q = p.map((v) => Math.max(0, v) / sum);
    const best = q.indexOf(Math.max(...q));
    el.textContent = String(best);
    el.className = '';
    el.dataset['digit'] = String(best);
    q.forEach((v, d) => {
      const bar = document.createElement('div');
      bar.className = 'bar';
      const fill = document.createElement('div');
      fill.style.width = `${(v * 100).toFixed(1)}%`;
      bar.append(fill);
      const label = document.createElement('span');
      label.textContent = String(d);
      const value = document.createElement('span');
      value.textContent = `${(v * 100).toFixed(0)}%`;
      if (d === best) [label, value].forEach((s) => (s.className = 'top'));
      probs.append(label, bar, value);
    });
  }
}
