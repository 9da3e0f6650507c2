/**
 * The backend the lab trains with (the one place to choose it): the WebAssembly backend where the browser
 * runs SIMD, with relaxed SIMD's fused multiply-adds where it has them, exactly as `reglab train` chooses by
 * default, so the page gives the CLI's numbers bit for bit; else the reference backend.
 *
 * Threads need memory shared with workers, which a browser allows only on a cross-origin isolated page
 * (`reglab serve` sends the headers for it; a plain static host does not). So: threads where the page is
 * isolated, one thread otherwise. One processor is left to the page. The thread count never changes the
 * numbers (the kernels split work so that every sum is added in the same order).
 */
import type { Backend } from '../backend/backend.js';
import { createBackend } from '../backend/create.js';
import { hasWasmSimd } from '../backend/wasm/load.js';

/** Whether this page or worker may share memory with workers (cross-origin isolated, SharedArrayBuffer defined). */
export function canShareMemory(): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** Threads for the lab's wasm backend: up to 4, one processor left to the page; 1 without shared memory. */
export function labThreads(processors: number, isolated: boolean): number {
  return isolated ? Math.max(1, Math.min(4, processors - 1)) : 1;
}

/** The lab's backend and how it computes: threads (1 on the reference backend) and whether the page is isolated. */
export interface LabBackend {
  backend: Backend;
  threads: number;
  isolated: boolean;
}

export async function openLabBackend(processors = 1, isolated = canShareMemory()): Promise<LabBackend> {
  if (!hasWasmSimd()) return { backend: await createBackend('ref'), threads: 1, isolated };
  const threads = labThreads(processors, isolated);
  return { backend: await createBackend('wasm', { threads }), threads, isolated };
}

export async function labBackend(processors = 1, isolated = canShareMemory()): Promise<Backend> {
  return (await openLabBackend(processors, isolated)).backend;
}
