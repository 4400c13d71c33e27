// Runs a list of Runners one after another (never two at once: they would share the two
// cores), renders one table and writes everything to a JSON file in bench/out/.
// tessera's runners plug in beside the peers:
//   await runBenchmarks({ runners: [...tesseraRunners, ...defaultPeerRunners(), peakRunner] });
// Run directly (after tsc) it benchmarks the peers alone:
//   node dist/bench/harness/run-all.js [--quick] [--only torch,numpy] [--epochs 5] [--threads 1,2]
//                                      [--wait-quiet SECONDS]   (wait for other work to stop first)
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { peakRunner } from '../peak/peak.js';
import { busyCores, machineInfo, machineLine, type MachineInfo } from './machine.js';
import { outDir } from './paths.js';
import { defaultPeerRunners } from './peer-runners.js';
import type { Result, RunOptions, Runner } from './runner.js';
import { BUSY_WARNING_CORES, renderTable, writeJson } from './table.js';

export interface BenchmarkReport {
  machine: MachineInfo;
  machineLine: string;
  options: RunOptions;
  startedAt: string;
  results: Result[];
  markdown: string;
}

/** One runner, with a throw turned into a 'failed' result so the others still run. */
export async function runOne(runner: Runner, opts: RunOptions): Promise<Result> {
  try {
    const r = await runner.run(opts);
    return { ...r, name: r.name || runner.name };
  } catch (err) {
    return { name: runner.name, status: 'failed', reason: `threw: ${(err as Error).message ?? String(err)}`, metrics: [] };
  }
}

/** Samples busy cores every 0.5 s until below BUSY_WARNING_CORES or `seconds` have passed; the last sample. */
export async function waitForQuiet(seconds: number): Promise<number | null> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const busy = await busyCores(500);
    if (busy === null || busy < BUSY_WARNING_CORES || Date.now() >= deadline) return busy;
  }
}

export async function runBenchmarks(args: {
  runners: Runner[];
  opts?: RunOptions;
  /** JSON destination; default bench/out/bench-<timestamp>.json; null writes nothing. */
  outFile?: string | null;
  /** Sample /proc/stat for 0.5 s before each runner to record competing load; default true. */
  measureBusy?: boolean;
  /** Wait up to this long before each runner for the cores to fall quiet (< BUSY_WARNING_CORES busy). */
  waitQuietSeconds?: number;
  /** Called before and after each runner (the CLI's progress line). */
  onProgress?: (event: { runner: string; done: boolean; result?: Result }) => void;
}): Promise<BenchmarkReport> {
  const opts = args.opts ?? {};
  const startedAt = new Date().toISOString();
  const results: Result[] = [];
  for (const runner of args.runners) {
    args.onProgress?.({ runner: runner.name, done: false });
    const busy = args.measureBusy === false ? null : await waitForQuiet(args.waitQuietSeconds ?? 0);
    const result = await runOne(runner, opts);
    if (busy !== null) result.busyCoresBefore = busy;
    results.push(result);
    args.onProgress?.({ runner: runner.name, done: true, result });
  }
  const machine = machineInfo();
  const line = machineLine(machine);
  const markdown = renderTable(results, { title: 'tessera and peers', machine: line });
  const report: BenchmarkReport = { machine, machineLine: line, options: opts, startedAt, results, markdown };
  if (args.outFile !== null) {
    writeJson(args.outFile ?? join(outDir(), `bench-${startedAt.replace(/[:.]/g, '-')}.json`), report);
  }
  return report;
}

function parseCli(argv: string[]): { opts: RunOptions; only?: Set<string>; waitQuietSeconds: number } {
  const opts: RunOptions = {};
  let waitQuietSeconds = 0;
  let only: Set<string> | undefined;
  const ints = (s: string | undefined, flag: string) => {
    const xs = (s ?? '').split(',').map((x) => Number.parseInt(x, 10));
    if (xs.length === 0 || xs.some((x) => !(x >= 1))) throw new Error(`bench/harness/run-all.ts: ${flag} expects positive integers like 1,2, got '${s}'`);
    return xs;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--only') only = new Set((argv[++i] ?? '').split(','));
    else if (a === '--epochs') opts.epochs = ints(argv[++i], a)[0];
    else if (a === '--threads') opts.threads = ints(argv[++i], a);
    else if (a === '--wait-quiet') waitQuietSeconds = ints(argv[++i], a)[0];
    else if (a === '--seed') opts.seed = Number.parseInt(argv[++i] ?? '0', 10);
    else throw new Error(`bench/harness/run-all.ts: unknown option '${a}' (expected --quick, --only, --epochs, --threads, --wait-quiet, --seed)`);
  }
  return { opts, only, waitQuietSeconds };
}

async function main(): Promise<void> {
  const { opts, only, waitQuietSeconds } = parseCli(process.argv.slice(2));
  const runners = [...defaultPeerRunners(), peakRunner].filter((r) => !only || only.has(r.name));
  const report = await runBenchmarks({
    runners,
    opts,
    waitQuietSeconds,
    onProgress: (e) => process.stderr.write(e.done ? `  ${e.runner}: ${e.result?.status}${e.result?.reason ? ` (${e.result.reason})` : ''}\n` : `running ${e.runner} ...\n`),
  });
  process.stdout.write(report.markdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => { process.stderr.write(`${(err as Error).message}\n`); process.exit(1); });
}
