// The js backend's ceilings for the profiler (src/backend/peak.ts): its kernels are scalar
// JavaScript loops over typed arrays on one thread, so its FLOP peak is a scalar multiply-add
// loop's and its bandwidth a Float32Array element-copy loop's, not the CPU's vector figures.
// Timed by the process's CPU time where Node gives it (as native/peak.cc times by thread CPU
// time): on a shared machine the wall-clock rate is whatever share of a core the loop got.
import type { BackendPeak } from '../peak.js';

/** Milliseconds of CPU time of this process (Node), or of the wall clock elsewhere (browsers). */
const nodeProcess = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
const cpuUsage = nodeProcess?.cpuUsage?.bind(nodeProcess);
const cpuMs: () => number = cpuUsage ? () => { const u = cpuUsage(); return (u.user + u.system) / 1e3; } : () => performance.now();

/** GFLOP/s of 8 independent chains acc = acc·a + b (2 FLOPs each), run for `seconds`. */
function multiplyAddGflops(seconds: number): number {
  // Eight chains hide the latency of a dependent multiply-add; converges to b / (1 − a) = 10.
  let c0 = 0, c1 = 1, c2 = 2, c3 = 3, c4 = 4, c5 = 5, c6 = 6, c7 = 7;
  const a = 0.9999, b = 0.001, block = 4096;
  let iterations = 0;
  const t0 = cpuMs();
  let t = t0;
  while (t - t0 < seconds * 1e3) {
    for (let i = 0; i < block; i++) {
      c0 = c0 * a + b; c1 = c1 * a + b; c2 = c2 * a + b; c3 = c3 * a + b;
      c4 = c4 * a + b; c5 = c5 * a + b; c6 = c6 * a + b; c7 = c7 * a + b;
    }
    iterations += block;
    t = cpuMs();
  }
  if (!Number.isFinite(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7)) throw new Error('multiplyAddGflops: the chains diverged');
  return (2 * 8 * iterations) / ((t - t0) / 1e3) / 1e9;
}

/** GB/s of dst[i] = src[i] over two Float32Arrays of `bytes` each (2·bytes per pass), best of `repeats` after one untimed pass. */
function copyLoopGbps(bytes: number, repeats = 4): number {
  const n = Math.max(1024, Math.floor(bytes / 4));
  const src = new Float32Array(n), dst = new Float32Array(n);
  for (let i = 0; i < n; i++) src[i] = i & 1023;
  let best = Infinity;
  for (let r = 0; r <= repeats; r++) {
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) dst[i] = src[i];
    const dt = cpuMs() - t0;
    if (r > 0) best = Math.min(best, dt);
  }
  if (dst[n >> 1] !== src[n >> 1]) throw new Error('copyLoopGbps: the copy did not happen');
  return (2 * n * 4) / (best / 1e3) / 1e9;
}

export function measureJsPeak(o: { seconds: number; copyBytes: number }): BackendPeak {
  return { gflops: multiplyAddGflops(o.seconds), loop: `scalar JavaScript multiply-add, 8 chains${cpuUsage ? '' : ' (wall clock)'}`, gbps: copyLoopGbps(o.copyBytes) };
}
