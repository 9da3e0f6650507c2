/**
 * Placing text labels on a chart so that none overlaps another (pure: boxes in, positions out). Each label
 * asks for a spot; it takes the nearest free one in steps of its height, below first, then above, within the
 * plot. A label with no free spot is left out rather than printed over another (the table has its number).
 */

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface WantedLabel {
  /** Where the label's centre wants to be (x) and its top (y). */
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlaps = (a: Box, b: Box, pad: number) => a.left < b.right + pad && b.left < a.right + pad && a.top < b.bottom + pad && b.top < a.bottom + pad;

/** The box each label is drawn in (in the order asked), or null for one left out. */
export function placeLabels(wanted: readonly WantedLabel[], bounds: Box, pad = 2): (Box | null)[] {
  const placed: Box[] = [];
  return wanted.map((w) => {
    const left = Math.min(Math.max(w.x - w.width / 2, bounds.left), bounds.right - w.width);
    const steps = Math.ceil((bounds.bottom - bounds.top) / (w.height + pad)) + 1;
    for (let i = 0; i <= 2 * steps; i++) {
      const k = i % 2 === 0 ? i / 2 : -(i + 1) / 2; // 0, -1, 1, -2, 2 ... (below first: k >= 0 is down)
      const top = w.y + -k * (w.height + pad);
      const box = { left, top, right: left + w.width, bottom: top + w.height };
      if (box.top < bounds.top || box.bottom > bounds.bottom || box.left < bounds.left - 0.5) continue;
      if (placed.some((p) => overlaps(p, box, pad))) continue;
      placed.push(box);
      return box;
    }
    return null;
  });
}
