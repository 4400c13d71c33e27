// The ceilings `tessera profile` divides by (src/inspect/peak.ts caches them), measured on a
// backend at its thread count by loops of the backend's own kind: native runs bench/peak/
// fma_peak.c's FMA loop and a copy loop in the addon, js scalar multiply-add and copy loops.
// Beside the backends rather than in the Backend interface: only the profiler asks, and the
// kernel interface stays the kernels'. wasm and webgpu have no loop here: their profiles show
// times without fractions of peak.
import type { Backend } from './backend.js';
import { measureJsPeak } from './js/peak.js';

/** All threads together: gflops is null where the FMA loop cannot run (loop says why). */
export interface BackendPeak { gflops: number | null; loop: string; gbps: number }

export interface PeakLoopOptions {
  /** CPU seconds of the multiply-add loop. */
  seconds: number;
  /** Bytes per array of the copy loop (larger than the caches for memory bandwidth). */
  copyBytes: number;
}

// native's loops register themselves when native/index.ts loads (as select.ts loads it, by a
// dynamic import): importing them here would load the native module with the library's entry.
const LOOPS: Partial<Record<string, (o: PeakLoopOptions) => BackendPeak>> = { js: measureJsPeak };

/** Makes `measure` the peak loops of the backend called `name`. */
export function registerPeakLoops(name: string, measure: (o: PeakLoopOptions) => BackendPeak): void {
  LOOPS[name] = measure;
}

/** Whether `backend` has peak loops (measureBackendPeak gives figures, not null). */
export const hasPeakLoops = (backend: Backend) => LOOPS[backend.name] !== undefined;

/** The backend's ceilings, measured now (about seconds + a few copy passes); null without loops. */
export function measureBackendPeak(backend: Backend, o: PeakLoopOptions): BackendPeak | null {
  return LOOPS[backend.name]?.(o) ?? null;
}
