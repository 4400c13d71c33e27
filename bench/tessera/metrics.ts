// Metrics only tessera reports (the shared ones come from bench/harness/metric-keys.ts): the
// time to the first finished op and the installed size. Keys are stable, for the JSON file.
import type { Metric } from '../harness/runner.js';
import type { Summary } from '../harness/stats.js';

/** From `node` start to the first op's result read back: spawn → exit of a one-op script. */
export function firstOpSeconds(s: Summary, note?: string): Metric {
  return { key: 'startup.first_op_seconds', label: 'startup to first finished op (fresh process)', value: s.median, unit: 's', spread: s.spread, note };
}

/** The same, as the child itself sees it: performance.now() (from process start) after the op. */
export function firstOpInProcessSeconds(s: Summary, note?: string): Metric {
  return { key: 'startup.first_op_in_process_seconds', label: 'startup to first op, in-process clock', value: s.median, unit: 's', spread: s.spread, note };
}

export function packedMib(value: number, note?: string): Metric {
  return { key: 'footprint.packed_mib', label: 'package tarball (npm pack)', value, unit: 'MiB', note };
}

export function unpackedMib(value: number, note?: string): Metric {
  return { key: 'footprint.unpacked_mib', label: 'package unpacked (npm pack)', value, unit: 'MiB', note };
}

export function installedMib(withWebgpu: boolean, value: number, note?: string): Metric {
  return withWebgpu
    ? { key: 'footprint.installed_webgpu_mib', label: 'installed node_modules, with webgpu', value, unit: 'MiB', note }
    : { key: 'footprint.installed_mib', label: 'installed node_modules, without webgpu', value, unit: 'MiB', note };
}

/** Peak RSS of the training epochs alone (the data set's load excluded): issue 7's "peak RSS of a W1 epoch". */
export function w1EpochPeakRss(value: number, note?: string): Metric {
  return { key: 'w1.epoch_peak_rss_mib', label: 'W1 peak RSS during the epochs', value, unit: 'MiB', note };
}
