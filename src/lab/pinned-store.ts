/**
 * Pinned runs in the browser's local storage, so that they survive a reload of the page: one entry per page
 * path. A stored value is read back through the runs file's checks (it may be stale or edited).
 */
import { decodeRuns, encodeRuns, type SavedRun } from './run-file.js';
import type { LabRun } from './run.js';

const key = () => `reglab-lab-pinned:${location.pathname}`;

export function savedRun(r: LabRun): SavedRun {
  return {
    name: r.name,
    config: r.config,
    history: r.history.map((h) => ({ ...h })),
    ...(r.earlyStoppingEpoch ? { earlyStoppingEpoch: r.earlyStoppingEpoch } : {}),
    stopReason: r.stopReason ?? 'completed',
    ...(r.spec && r.latest ? { spec: r.spec, weights: Float32Array.from(r.latest) } : {}),
  };
}

/**
 * Stores the pinned runs (with their final weights, or without them when those do not fit). Returns a
 * sentence when they could not be stored, else null.
 */
export function storePinned(runs: readonly LabRun[]): string | null {
  const pinned = runs.filter((r) => r.pinned && r.status === 'done').map(savedRun);
  try {
    if (pinned.length === 0) localStorage.removeItem(key());
    else localStorage.setItem(key(), encodeRuns(pinned));
    return null;
  } catch {
    try {
      localStorage.setItem(key(), encodeRuns(pinned.map(({ spec: _s, weights: _w, ...rest }) => rest)));
      return 'the pinned runs were kept without their weights (the browser storage is full)';
    } catch {
      return 'the pinned runs could not be kept: the browser storage is full or off';
    }
  }
}

/** The stored pinned runs; a value that fails the checks is dropped (with its reason). */
export function loadPinned(): { runs: SavedRun[]; problem: string | null } {
  let text: string | null = null;
  try {
    text = localStorage.getItem(key());
  } catch {
    return { runs: [], problem: null };
  }
  if (!text) return { runs: [], problem: null };
  try {
    return { runs: decodeRuns(text), problem: null };
  } catch (e) {
    return { runs: [], problem: `the stored pinned runs could not be read (${(e as Error).message})` };
  }
}
