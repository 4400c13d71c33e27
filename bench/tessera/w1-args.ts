// The workload child's command line and output shape (W1 by default, any of bench/tessera/
// workloads.ts with --workload), apart from the child so that tests can parse arguments and
// shape results without loading a backend.
import { workload, type WorkloadId } from './workloads.js';

export const W1_BACKENDS = ['native', 'wasm', 'js', 'webgpu'] as const;
export type W1Backend = (typeof W1_BACKENDS)[number];

export interface W1ChildArgs {
  workload: WorkloadId;
  backend: W1Backend;
  epochs: number;
  seed: number;
  /** Train on the first `limit` rows only (a smoke run, or W2's 12,000); 0 means all 60,000. */
  limit: number;
  /** How the images are held: 'bytes' (47 MB, scaled per batch; default) or 'float32' (188 MB, copied per batch). */
  data: 'bytes' | 'float32';
}

export interface W1ChildOutput {
  runner: 'tessera';
  workload: WorkloadId;
  backend: string;
  threads: number;
  native: unknown;
  epochs: number;
  data: 'bytes' | 'float32';
  batch: number;
  train_rows: number;
  seed: number;
  load_seconds: number;
  epoch_seconds: number[];
  /** Process CPU time (user + system) of each epoch's training, before its test pass. */
  epoch_cpu_seconds?: number[];
  /** Cores kept busy by other processes during each epoch (harness/machine.ts othersBusyCores), on Linux. */
  epoch_other_busy_cores?: number[];
  /** CPU seconds per epoch of threads not the run's own (bench/harness/machine.ts backgroundCpuSeconds): V8's compiler and GC threads. */
  epoch_background_cpu_seconds?: number[];
  seconds_per_epoch: { median: number; min: number; max: number; spread: number; n: number };
  samples_per_second: number;
  train_loss: number[];
  /** The training objective on the test images after each epoch (MSE for W1; see workloads.ts). */
  test_loss: number[];
  /** Process-lifetime peak RSS (ru_maxrss), as the peers report it. */
  peak_rss_mib: number;
  /** Peak RSS of the training epochs alone (VmHWM after a reset), null where unsupported. */
  epoch_peak_rss_mib: number | null;
}

function intArg(flag: string, value: string | undefined, min: number): number {
  const v = Number(value);
  if (value === undefined || !Number.isInteger(v) || v < min) {
    throw new Error(`bench/tessera/w1-child: ${flag} expects an integer >= ${min}, got '${value ?? ''}'`);
  }
  return v;
}

export function parseW1ChildArgs(argv: readonly string[]): W1ChildArgs {
  const a: W1ChildArgs = { workload: 'W1', backend: 'native', epochs: 5, seed: 0, limit: 0, data: 'bytes' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--workload') a.workload = workload(argv[++i] ?? '', 'bench/tessera/w1-child: --workload').id;
    else if (flag === '--backend') {
      const b = argv[++i];
      if (!(W1_BACKENDS as readonly string[]).includes(b)) {
        throw new Error(`bench/tessera/w1-child: --backend expects one of ${W1_BACKENDS.join(', ')}, got '${b ?? ''}'`);
      }
      a.backend = b as W1Backend;
    } else if (flag === '--epochs') a.epochs = intArg(flag, argv[++i], 1);
    else if (flag === '--seed') a.seed = intArg(flag, argv[++i], 0);
    else if (flag === '--limit') a.limit = intArg(flag, argv[++i], 0);
    else if (flag === '--data') {
      const d = argv[++i];
      if (d !== 'bytes' && d !== 'float32') throw new Error(`bench/tessera/w1-child: --data expects bytes or float32, got '${d ?? ''}'`);
      a.data = d;
    } else throw new Error(`bench/tessera/w1-child: unknown option '${flag}' (expected --workload, --backend, --epochs, --seed, --limit, --data)`);
  }
  return a;
}
