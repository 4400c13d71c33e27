// tessera's W1 runners: one per backend, each configuration (backend × thread count) in its own
// child process (w1-child.ts), so peak RSS is that run's alone and TESSERA_THREADS is set before
// the native addon sizes its thread pool. Results land in the same table rows as the peers'.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { runPeerScript, type PeerResult } from '../harness/peers.js';
import { w1PeakRss, w1SamplesPerSecond, w1SecondsPerEpoch, w1TestMse } from '../harness/metric-keys.js';
import type { Metric, Result, RunOptions, Runner } from '../harness/runner.js';
import type { W1Backend, W1ChildOutput } from './w1-args.js';
import type { WorkloadId } from './workloads.js';
import { w1EpochPeakRss } from './metrics.js';
import { compilePeak } from '../peak/peak.js';

const here = dirname(fileURLToPath(import.meta.url));

/** One finished child run: the thread count asked for and what the child printed. */
export interface W1Run {
  threads: number;
  out: W1ChildOutput;
  /** Core-to-core round trips (ns) measured just before and after a multithreaded run. */
  coreRoundTripNs?: [number | null, number | null];
}

/** The table's metrics from a backend's runs (first run: test MSE and peak RSS, as torch's runner). */
export function w1Metrics(runs: readonly W1Run[]): Metric[] {
  const metrics: Metric[] = [];
  runs.forEach(({ threads, out, coreRoundTripNs }, i) => {
    if (out.threads !== threads) throw new Error(`bench/tessera/w1.ts: asked for ${threads} threads, the ${out.backend} run used ${out.threads}`);
    const notes: string[] = [];
    if (out.train_rows < 60_000) notes.push(`trained on ${out.train_rows} rows`);
    if (coreRoundTripNs) {
      const ns = coreRoundTripNs.map((x) => (x === null ? '?' : x.toFixed(0)));
      notes.push(`core-to-core round trip ${ns[0]} ns before, ${ns[1]} ns after (bench/peak/core_latency.c)`);
    }
    const note = notes.length > 0 ? notes.join('; ') : undefined;
    metrics.push(w1SecondsPerEpoch(threads, out.seconds_per_epoch, note), w1SamplesPerSecond(threads, out.samples_per_second, note));
    if (i === 0) {
      const mse = out.test_loss[out.test_loss.length - 1];
      metrics.push(w1TestMse(out.epochs, mse, `${threads} thread run`), w1PeakRss(out.peak_rss_mib, `${threads} thread run, whole process`));
      if (out.epoch_peak_rss_mib !== null) metrics.push(w1EpochPeakRss(out.epoch_peak_rss_mib, `${threads} thread run`));
    }
  });
  return metrics;
}

export interface W1RunnerOptions {
  /** Column name; default `tessera-<backend>`. */
  name?: string;
  /** Thread counts for this backend; default opts.threads (native) or [1] (js and webgpu: one JS thread). */
  threads?: number[];
  /** Epochs, overriding opts.epochs (slow backends in a quick run). */
  epochs?: (opts: RunOptions) => number;
  /** Train on this many rows only. */
  limit?: (opts: RunOptions) => number;
}

/** Spawns the child for one configuration (W1 unless `workload` says); the compiled child sits beside this file. */
export function runW1Child(backend: W1Backend, threads: number, epochs: number, seed: number, limit: number, timeoutMs: number, workload: WorkloadId = 'W1'): Promise<PeerResult> {
  const script = join(here, 'w1-child.js');
  const args = ['--expose-gc', script, '--workload', workload, '--backend', backend, '--epochs', String(epochs), '--seed', String(seed), ...(limit ? ['--limit', String(limit)] : [])];
  return runPeerScript({
    name: `tessera-${backend}`, command: process.execPath, args, script, timeoutMs,
    env: { TESSERA_THREADS: String(threads), TESSERA_BACKEND: backend === 'webgpu' ? 'js' : backend },
  });
}

export function tesseraW1Runner(backend: W1Backend, o: W1RunnerOptions = {}): Runner {
  const name = o.name ?? `tessera-${backend}`;
  return {
    name,
    async run(opts: RunOptions): Promise<Result> {
      const threads = o.threads ?? (backend === 'native' ? opts.threads ?? [1, 2] : [1]);
      const epochs = o.epochs ? o.epochs(opts) : opts.epochs ?? 5;
      const limit = o.limit ? o.limit(opts) : 0;
      const runs: W1Run[] = [];
      let busy: number | undefined;
      for (const t of threads) {
        const before = t > 1 ? await coreRoundTrip() : null;
        const r = await runW1Child(backend, t, epochs, opts.seed ?? 0, limit, opts.timeoutMs ?? 1_800_000);
        const after = t > 1 ? await coreRoundTrip() : null;
        if (r.otherBusyCores !== undefined) busy = Math.max(busy ?? 0, r.otherBusyCores);
        if (r.status !== 'ok') return { name, status: r.status, reason: r.reason, metrics: [], results: r.stderrTail, otherBusyCores: busy };
        runs.push({ threads: t, out: r.results as W1ChildOutput, ...(t > 1 ? { coreRoundTripNs: [before, after] as [number | null, number | null] } : {}) });
      }
      return { name, status: 'ok', metrics: w1Metrics(runs), results: runs, otherBusyCores: busy };
    },
  };
}

/**
 * The core-to-core round trip in ns (bench/peak/core_latency.c), or null when it cannot be
 * built or run (no gcc, one CPU). On a VM whose host moves the vCPUs, two-thread W1 times vary
 * from run to run (0.12-0.21 s/epoch here) along with where the two vCPUs sit, which this
 * measures before and after each multithreaded run as context.
 */
export async function coreRoundTrip(): Promise<number | null> {
  try {
    const bin = compilePeak('core_latency');
    const r = await runPeerScript({ name: 'core_latency', command: bin, args: ['50000'], timeoutMs: 30_000 });
    const out = r.results as { round_trip_ns?: number } | undefined;
    return r.status === 'ok' && typeof out?.round_trip_ns === 'number' ? out.round_trip_ns : null;
  } catch {
    return null;
  }
}
