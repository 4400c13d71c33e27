// The shapes every benchmark runner shares, tessera's and the peers' alike: a runner is a
// name and a run() that resolves to a Result whose metrics are keyed so that the same
// measurement from different systems lands in the same row of the table (bench/harness/table.ts).

export type Status = 'ok' | 'absent' | 'failed';

/** One measured number. `key` aligns rows across systems (see metric-keys.ts). */
export interface Metric {
  key: string;
  /** Row label shown in the table, with its unit, e.g. "W1 s/epoch, 1 thread". */
  label: string;
  value: number;
  unit: string;
  /** (max - min) / median of the samples behind `value`, when there were several. */
  spread?: number;
  /** A short remark shown beside the value, e.g. "extrapolated from 40 steps". */
  note?: string;
}

export interface Result {
  /** Column name in the table, e.g. "torch", "tfjs-wasm", "tessera-native". */
  name: string;
  status: Status;
  /** Why a result is absent or failed, e.g. "torch is not installed". */
  reason?: string;
  metrics: Metric[];
  /** The runner's raw output (a peer script's parsed JSON), kept in the JSON file. */
  results?: unknown;
  /** Cores busy with other work just before the run (bench/harness/machine.ts busyCores). */
  busyCoresBefore?: number;
  /** The most cores other processes kept busy during any of its subprocesses (peers.ts). */
  otherBusyCores?: number;
}

export interface RunOptions {
  /** Thread counts to measure (torch.set_num_threads, BLAS pool, ...); default [1, 2]. */
  threads?: number[];
  /** Epochs of W1 to train; default 5. */
  epochs?: number;
  /** For slow runners: time this many steps and extrapolate to an epoch. */
  steps?: number;
  seed?: number;
  /** Per-runner subprocess time limit. */
  timeoutMs?: number;
  /** Fewer repeats and sizes, for a smoke run. */
  quick?: boolean;
}

export interface Runner {
  name: string;
  run(opts: RunOptions): Promise<Result>;
}

/** A runner that could not be set up at all, shown in the table with its reason. */
export function absentRunner(name: string, reason: string): Runner {
  return { name, run: async () => ({ name, status: 'absent', reason, metrics: [] }) };
}
