/**
 * Dropout's mask as the lab shows it in slow motion: for the first example of an epoch's last training step,
 * which units of the first hidden layer survived (1) and which were dropped (0). The engine's mask holds 0 or
 * 1 / (1 - rate) per unit, row-major [rows, units]; the picture needs only row 0. Pure.
 */
import type { FloatArray } from '../backend/backend.js';

/** Row 0 of a [rows, units] dropout mask as kept (1) or dropped (0). */
export function keptUnits(dropoutMask: Readonly<FloatArray>, units: number): Uint8Array {
  if (dropoutMask.length < units) throw new RangeError(`a dropout mask of ${dropoutMask.length} values has no row of ${units} units`);
  const kept = new Uint8Array(units);
  for (let i = 0; i < units; i++) kept[i] = dropoutMask[i]! > 0 ? 1 : 0;
  return kept;
}
