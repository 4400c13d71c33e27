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
import { w1EpochPeakRss } from './metrics.js';

const here = dirname(fileURLToPath(import.meta.url));

/** One finished child run: the thread count asked for and what the child printed. */
export interface W1Run { threads: number; out: W1ChildOutput }

/** The table's metrics from a backend's runs (first run: test MSE and peak RSS, as torch's runner). */
export function w1Metrics(runs: readonly W1Run[]): Metric[] {
  const metrics: Metric[] = [];
  runs.forEach(({ threads, out }, i) => {
    if (out.threads !== threads) throw new Error(`bench/tessera/w1.ts: asked for ${threads} threads, the ${out.backend} run used ${out.threads}`);
    const note = out.train_rows < 60_000 ? `trained on ${out.train_rows} rows` : undefined;
    metrics.push(w1SecondsPerEpoch(threads, out.seconds_per_epoch, note), w1SamplesPerSecond(threads, out.samples_per_second, note));
    if (i === 0) {
      const mse = out.test_mse[out.test_mse.length - 1];
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

/** Spawns the child for one configuration; the compiled child sits beside this file. */
export function runW1Child(backend: W1Backend, threads: number, epochs: number, seed: number, limit: number, timeoutMs: number): Promise<PeerResult> {
  const script = join(here, 'w1-child.js');
  const args = ['--expose-gc', script, '--backend', backend, '--epochs', String(epochs), '--seed', String(seed), ...(limit ? ['--limit', String(limit)] : [])];
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
        const r = await runW1Child(backend, t, epochs, opts.seed ?? 0, limit, opts.timeoutMs ?? 1_800_000);
        if (r.otherBusyCores !== undefined) busy = Math.max(busy ?? 0, r.otherBusyCores);
        if (r.status !== 'ok') return { name, status: r.status, reason: r.reason, metrics: [], results: r.stderrTail, otherBusyCores: busy };
        runs.push({ threads: t, out: r.results as W1ChildOutput });
      }
      return { name, status: 'ok', metrics: w1Metrics(runs), results: runs, otherBusyCores: busy };
    },
  };
}
