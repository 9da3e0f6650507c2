/**
 * Whether a buffer holds only finite numbers (no NaN, no +-Infinity): the backend's own kernel when it has
 * one (Backend.allFinite: the fast backend's reads the exponent bits four lanes at a time), else a plain
 * loop, the reference. The Trainer checks every weight so at the end of each epoch.
 */
import type { Backend, FloatArray } from './backend.js';

export function allFinite(backend: Backend, x: Readonly<FloatArray>, n: number = x.length): boolean {
  if (backend.allFinite) return backend.allFinite(x, n);
  return allFiniteRef(x, n);
}

/** The reference: every element through Number.isFinite. */
export function allFiniteRef(x: ArrayLike<number>, n: number = x.length): boolean {
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]!)) return false;
  return true;
}
