// The peers as Runners: PyTorch W1, NumPy SGEMM, TensorFlow.js W1 (cpu, wasm), and the
// bare interpreters' startup. Each runs its script in bench/peers/ through runPeerScript
// and turns the script's JSON into metrics keyed like tessera's (metric-keys.ts).
import { join } from 'node:path';
import {
  startupRss, startupSeconds, sgemmGflops, w1GemmSecondsPerEpoch, w1PeakRss,
  w1SamplesPerSecond, w1SecondsPerEpoch, w1TestMse,
} from './metric-keys.js';
import { runPeerScript, type PeerResult } from './peers.js';
import { peersDir } from './paths.js';
import { findPython, runPython } from './python.js';
import type { Metric, Result, RunOptions, Runner } from './runner.js';
import type { Summary } from './stats.js';

/** Set in this environment to pin OpenBLAS; the BLAS peers unset them to get the native kernel. */
export const OPENBLAS_PINS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

interface StartupCase { name: string; status: string; reason?: string; seconds?: Summary; peak_rss_mib?: Summary }
interface W1Output {
  seconds_per_epoch: Summary; samples_per_second: number;
  /** tfjs_w1.mjs: the test MSE after the last epoch; torch_w1.py: test_loss after each epoch. */
  test_mse?: number | null; test_loss?: number[];
  peak_rss_mib: number; extrapolated?: boolean; note?: string; blas?: unknown;
}
interface GemmOutput {
  results: { threads: number; w1_gemm_seconds_per_epoch: number; rows: { name: string; gflops: Summary }[] }[];
}

const notOk = (name: string, r: PeerResult): Result =>
  ({ name, status: r.status, reason: r.reason, metrics: [], results: r.stderrTail, otherBusyCores: r.otherBusyCores });

/** The most cores other processes kept busy during any of these subprocesses. */
function maxLoad(runs: (PeerResult | undefined)[]): number | undefined {
  const xs = runs.map((r) => r?.otherBusyCores).filter((x): x is number => x !== undefined);
  return xs.length ? Math.max(...xs) : undefined;
}

/** Runs startup_footprint.mjs for some cases; each case's metrics, or its failure. */
async function startupMetrics(only: string, opts: RunOptions): Promise<{ metrics: Metric[]; problem?: string; raw?: unknown; run?: PeerResult }> {
  const script = join(peersDir(), 'startup_footprint.mjs');
  const r = await runPeerScript({ name: 'startup', command: process.execPath, args: [script, '--only', only, '--repeats', opts.quick ? '3' : '7'], script, timeoutMs: 300_000 });
  if (r.status !== 'ok') return { metrics: [], problem: `startup: ${r.reason}`, run: r };
  const cases = (r.results as { results: StartupCase[] }).results;
  const metrics: Metric[] = [];
  const problems: string[] = [];
  for (const c of cases) {
    if (c.status === 'ok' && c.seconds && c.peak_rss_mib) metrics.push(startupSeconds(c.seconds, c.name), startupRss(c.peak_rss_mib, c.name));
    else problems.push(`${c.name}: ${c.reason}`);
  }
  return { metrics, problem: problems.length ? problems.join('; ') : undefined, raw: r.results, run: r };
}

/** PyTorch eager W1, once per thread count. inheritBlasEnv keeps OPENBLAS_CORETYPE etc. */
export function torchRunner(name = 'torch', inheritBlasEnv = false): Runner {
  return {
    name,
    async run(opts) {
      const script = join(peersDir(), 'torch_w1.py');
      const epochs = opts.epochs ?? 5;
      const metrics: Metric[] = [];
      const raw: unknown[] = [];
      const runs: PeerResult[] = [];
      for (const [i, t] of (opts.threads ?? [1, 2]).entries()) {
        const r = await runPython(name, script, ['--epochs', String(epochs), '--threads', String(t), '--seed', String(opts.seed ?? 0)], {
          unsetEnv: inheritBlasEnv ? [] : OPENBLAS_PINS, timeoutMs: opts.timeoutMs ?? 900_000,
        });
        if (r.status !== 'ok') return notOk(name, r);
        runs.push(r);
        const out = r.results as W1Output;
        raw.push(out);
        metrics.push(w1SecondsPerEpoch(t, out.seconds_per_epoch), w1SamplesPerSecond(t, out.samples_per_second));
        if (i === 0) {
          const mse = out.test_loss ?? [];
          metrics.push(w1TestMse(epochs, mse[mse.length - 1], `${t} thread run`), w1PeakRss(out.peak_rss_mib));
        }
      }
      const startup: Awaited<ReturnType<typeof startupMetrics>> = inheritBlasEnv ? { metrics: [] } : await startupMetrics('torch-import', opts);
      return {
        name, status: 'ok', reason: startup.problem, metrics: [...metrics, ...startup.metrics],
        results: { w1: raw, startup: startup.raw }, otherBusyCores: maxLoad([...runs, startup.run]),
      };
    },
  };
}

/**
 * NumPy float32 matmul: square sizes and W1's products, with OpenBLAS's native kernel.
 * One subprocess per thread count with OPENBLAS_NUM_THREADS set, so the count holds even
 * where threadpoolctl is absent (where it is present it sets the same limit).
 */
export const numpyRunner: Runner = {
  name: 'numpy',
  async run(opts) {
    const script = join(peersDir(), 'numpy_gemm.py');
    const quick = opts.quick ? ['--repeats', '3', '--min-ms', '20', '--sizes', '256,1024'] : [];
    const metrics: Metric[] = [];
    const outputs: GemmOutput[] = [];
    const runs: PeerResult[] = [];
    for (const t of opts.threads ?? [1, 2]) {
      const r = await runPython('numpy', script, ['--threads', String(t), ...quick], {
        unsetEnv: OPENBLAS_PINS, env: { OPENBLAS_NUM_THREADS: String(t) }, timeoutMs: opts.timeoutMs ?? 600_000,
      });
      if (r.status !== 'ok') return notOk('numpy', r);
      runs.push(r);
      const out = r.results as GemmOutput;
      outputs.push(out);
      for (const block of out.results) {
        for (const row of block.rows) metrics.push(sgemmGflops(row.name, block.threads, row.gflops));
        metrics.push(w1GemmSecondsPerEpoch(block.threads, block.w1_gemm_seconds_per_epoch));
      }
    }
    return { name: 'numpy', status: 'ok', metrics, results: outputs, otherBusyCores: maxLoad(runs) };
  },
};

/** TensorFlow.js W1 on one backend; `steps` > 0 times that many steps and extrapolates. */
export function tfjsRunner(backend: 'cpu' | 'wasm', defaultSteps: number): Runner {
  const name = `tfjs-${backend}`;
  return {
    name,
    async run(opts) {
      const script = join(peersDir(), 'tfjs_w1.mjs');
      const steps = opts.steps ?? defaultSteps;
      const args = [script, '--backend', backend, '--seed', String(opts.seed ?? 0), ...(steps > 0 ? ['--steps', String(steps)] : ['--epochs', String(opts.epochs ?? 5)])];
      const r = await runPeerScript({ name, command: process.execPath, args, script, timeoutMs: opts.timeoutMs ?? 1_800_000 });
      if (r.status !== 'ok') return notOk(name, r);
      const out = r.results as W1Output;
      const note = out.extrapolated ? out.note : undefined;
      // tfjs runs single-threaded here (cpu backend: plain JS; wasm: no threads in Node).
      const metrics: Metric[] = [w1SecondsPerEpoch(1, out.seconds_per_epoch, note), w1SamplesPerSecond(1, out.samples_per_second, note)];
      if (!out.extrapolated && typeof out.test_mse === 'number') metrics.push(w1TestMse(opts.epochs ?? 5, out.test_mse));
      metrics.push(w1PeakRss(out.peak_rss_mib, note ? `after ${steps} steps` : undefined));
      const startup = await startupMetrics('tfjs-require', opts);
      return {
        name, status: 'ok', reason: startup.problem, metrics: [...metrics, ...startup.metrics],
        results: { w1: out, startup: startup.raw }, otherBusyCores: maxLoad([r, startup.run]),
      };
    },
  };
}

/** Bare interpreters, the floor under every startup figure. */
export function baselineRunner(which: 'node' | 'python'): Runner {
  const name = `${which} (bare)`;
  return {
    name,
    async run(opts) {
      const s = await startupMetrics(which, opts);
      if (s.metrics.length === 0) return { name, status: 'absent', reason: s.problem ?? 'no measurement', metrics: [] };
      return { name, status: 'ok', metrics: s.metrics, results: s.raw, otherBusyCores: maxLoad([s.run]) };
    },
  };
}

/** Every peer, in table order; a pinned OpenBLAS adds a torch column that keeps the pin. */
export function defaultPeerRunners(env: NodeJS.ProcessEnv = process.env): Runner[] {
  const runners: Runner[] = [torchRunner()];
  if (env.OPENBLAS_CORETYPE) runners.push(torchRunner(`torch (OPENBLAS_CORETYPE=${env.OPENBLAS_CORETYPE})`, true));
  runners.push(numpyRunner, tfjsRunner('cpu', 30), tfjsRunner('wasm', 100), baselineRunner('node'), baselineRunner('python'));
  return runners;
}

export { findPython };
