// Metric builders with fixed keys and labels, so that tessera's runners and the peers put
// the same measurement in the same table row. A runner should build its metrics here
// rather than spell keys by hand.
import type { Metric } from './runner.js';
import type { Summary } from './stats.js';

const threadsLabel = (t: number) => `${t} thread${t === 1 ? '' : 's'}`;

/** W1 training time per epoch (median of epochs, or extrapolated from timed steps). */
export function w1SecondsPerEpoch(threads: number, s: Summary, note?: string): Metric {
  return { key: `w1.seconds_per_epoch.t${threads}`, label: `W1 s/epoch, ${threadsLabel(threads)}`, value: s.median, unit: 's', spread: s.spread, note };
}

export function w1SamplesPerSecond(threads: number, value: number, note?: string): Metric {
  return { key: `w1.samples_per_second.t${threads}`, label: `W1 samples/s, ${threadsLabel(threads)}`, value, unit: 'samples/s', note };
}

/** Test MSE on the 10,000 Fashion-MNIST test images after `epochs` full epochs. */
export function w1TestMse(epochs: number, value: number, note?: string): Metric {
  return { key: `w1.test_mse.e${epochs}`, label: `W1 test MSE after ${epochs} epoch${epochs === 1 ? '' : 's'}`, value, unit: '', note };
}

export function w1PeakRss(value: number, note?: string): Metric {
  return { key: 'w1.peak_rss_mib', label: 'W1 peak RSS', value, unit: 'MiB', note };
}

/** SGEMM rate of one product; `shape` is "square 1024" or a W1 product name. */
export function sgemmGflops(shape: string, threads: number, s: Summary, note?: string): Metric {
  return { key: `sgemm.${shape.replace(/\s+/g, '_')}.t${threads}`, label: `SGEMM ${shape} GFLOP/s, ${threadsLabel(threads)}`, value: s.median, unit: 'GFLOP/s', spread: s.spread, note };
}

/** Time the needed W1 GEMMs alone would take per epoch at the measured rates. */
export function w1GemmSecondsPerEpoch(threads: number, value: number): Metric {
  return { key: `w1.gemm_seconds_per_epoch.t${threads}`, label: `W1 GEMM-only s/epoch, ${threadsLabel(threads)}`, value, unit: 's', note: 'at measured SGEMM rates' };
}

/** Fresh-process startup: spawn to exit, loading the library and nothing else. */
export function startupSeconds(s: Summary, note?: string): Metric {
  return { key: 'startup.seconds', label: 'startup (fresh process, load library)', value: s.median, unit: 's', spread: s.spread, note };
}

export function startupRss(s: Summary, note?: string): Metric {
  return { key: 'startup.rss_mib', label: 'startup peak RSS', value: s.median, unit: 'MiB', spread: s.spread, note };
}
