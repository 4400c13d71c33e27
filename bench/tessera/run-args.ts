// The command line of `npm run bench` / `tessera bench -- …` (bench/run.ts), parsed apart from
// the runners so it can be tested without running anything.
import type { RunOptions } from '../harness/runner.js';
import { parseWorkloads, type WorkloadId } from './workloads.js';

export interface BenchArgs {
  opts: RunOptions;
  /** Run only the runners with these names (column names, e.g. tessera-native,torch). */
  only?: Set<string>;
  /** Wait up to this many seconds before each runner for the cores to fall quiet. */
  waitQuietSeconds: number;
  /** Also install the packed tarball twice to measure node_modules (slow, uses the registry). */
  footprint: boolean;
  /** Leave the peers out (tessera only). */
  noPeers: boolean;
  /** Seeds of the W1 seed study (tessera-native and PyTorch alternating); 0 leaves it out. */
  seeds: number;
  /** The autoencoder family (issue 15): these workloads, tessera-native vs torch, instead of the default runners. */
  family?: WorkloadId[];
  /** A/B rounds per workload and thread count of the family comparison (default 3; --quick 1). */
  rounds?: number;
  /** Where to write the JSON (default bench/out/bench-<time>.json). */
  out?: string;
  help: boolean;
}

export const BENCH_USAGE = `usage: npm run bench -- [options]      (or: tessera bench -- [options])
  --quick              fewer repeats and epochs: a smoke run
  --only a,b           only these columns, by their exact names (quote the ones with spaces):
                       tessera-native, tessera-js, "tessera-webgpu (llvmpipe CPU)", "tessera-native start-up",
                       "tessera-js start-up", "tessera package", torch, numpy, tfjs-cpu, tfjs-wasm,
                       "node (bare)", "python (bare)", "machine peak",
                       "W1 seed study (tessera-native vs torch on 1 thread)"
  --epochs N           W1 epochs (default 5; test MSE is read after the last)
  --threads 1,2        thread counts for tessera-native and the peers (default 1,2)
  --seed N             seed of the initialisation and shuffle (default 0)
  --wait-quiet S       wait up to S seconds before each runner for other work to stop
  --seeds N            W1 seed study: seeds 0..N-1, tessera-native and PyTorch alternating on 1 thread,
                       mean test MSE of each and the median speed-up (default 8; 0 leaves it out; --quick: 0)
  --family W2,W3|all   instead of the above: the autoencoder family (W1 dense, W2 conv, W3 vae, W4 denoising,
                       W5 sparse; bench/tessera/workloads.ts), tessera-native and its PyTorch twin in
                       alternating rounds on each --threads count, with the test loss of each
                       (--epochs default 2; W2 trains on 12,000 images)
  --rounds N           A/B rounds per workload and thread count for --family (default 3; --quick 1)
  --footprint          also npm-install the packed tarball (with and without webgpu) and measure it (slow)
  --no-peers           tessera's runners only
  --out FILE           write the JSON here instead of bench/out/bench-<time>.json
  --help               this text
Prints one Markdown table (tessera and peers side by side) and writes it with the raw results as JSON.`;

function ints(flag: string, s: string | undefined): number[] {
  const xs = (s ?? '').split(',').map((x) => Number(x));
  if (!s || xs.some((x) => !Number.isInteger(x) || x < 1)) {
    throw new Error(`bench/run.ts: ${flag} expects positive integers like 1,2, got '${s ?? ''}'`);
  }
  return xs;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = { opts: {}, waitQuietSeconds: 0, footprint: false, noPeers: false, seeds: -1, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--quick': a.opts.quick = true; break;
      case '--only': {
        const v = argv[++i];
        if (!v) throw new Error('bench/run.ts: --only expects a comma-separated list of runner names');
        a.only = new Set(v.split(',').map((s) => s.trim()).filter((s) => s.length > 0));
        break;
      }
      case '--epochs': a.opts.epochs = ints(flag, argv[++i])[0]; break;
      case '--threads': a.opts.threads = ints(flag, argv[++i]); break;
      case '--seed': {
        const v = argv[++i];
        const n = Number(v);
        if (!v || !Number.isInteger(n) || n < 0) throw new Error(`bench/run.ts: --seed expects an integer >= 0, got '${v ?? ''}'`);
        a.opts.seed = n;
        break;
      }
      case '--wait-quiet': a.waitQuietSeconds = ints(flag, argv[++i])[0]; break;
      case '--seeds': {
        const v = argv[++i];
        const n = Number(v);
        if (!v || !Number.isInteger(n) || n < 0) throw new Error(`bench/run.ts: --seeds expects an integer >= 0, got '${v ?? ''}'`);
        a.seeds = n;
        break;
      }
      case '--family': a.family = parseWorkloads(argv[++i], 'bench/run.ts: --family'); break;
      case '--rounds': a.rounds = ints(flag, argv[++i])[0]; break;
      case '--footprint': a.footprint = true; break;
      case '--no-peers': a.noPeers = true; break;
      case '--out': {
        const v = argv[++i];
        if (!v) throw new Error('bench/run.ts: --out expects a file name');
        a.out = v;
        break;
      }
      case '--help': case '-h': a.help = true; break;
      default: throw new Error(`bench/run.ts: unknown option '${flag}'\n${BENCH_USAGE}`);
    }
  }
  if (a.seeds < 0) a.seeds = a.opts.quick ? 0 : 8;
  return a;
}

/** Keeps the runners named in `only` (all when undefined); an unknown name is an error. */
export function selectRunners<R extends { name: string }>(runners: readonly R[], only: Set<string> | undefined): R[] {
  if (!only) return [...runners];
  const names = new Set(runners.map((r) => r.name));
  const unknown = [...only].filter((n) => !names.has(n));
  if (unknown.length > 0) {
    throw new Error(`bench/run.ts: --only names unknown runners: ${unknown.join(', ')} (known: ${[...names].join(', ')})`);
  }
  return runners.filter((r) => only.has(r.name));
}
