// W1 over several seeds, tessera-native and PyTorch alternating, one thread each: the fair form of
// two comparisons a single seed gets wrong.
// - Test MSE after 5 epochs: the seed moves it by ±2-3% (different initial weights and shuffles),
//   more than the 2% the two engines must agree within, so the means over seeds are compared.
// - Seconds per epoch: each pair of runs happens back to back, so the ratio of the pair sees
//   the same machine; the median of the ratios is the robust speed-up figure.
import { join } from 'node:path';
import { peersDir } from '../harness/paths.js';
import { runPython } from '../harness/python.js';
import { OPENBLAS_PINS } from '../harness/peer-runners.js';
import type { PeerResult } from '../harness/peers.js';
import type { Metric, Result, RunOptions, Runner } from '../harness/runner.js';
import { mean, sampleStd, summarize } from '../harness/stats.js';
import { runW1Child } from './w1.js';
import type { W1ChildOutput } from './w1-args.js';

/** One seed's pair of runs. */
export interface SeedPair {
  seed: number;
  tessera: { secondsPerEpoch: number; testMse: number };
  torch: { secondsPerEpoch: number; testMse: number };
}

/** The table's rows from the pairs: mean test MSE of each engine, their ratio, the median speed-up. */
export function seedStudyMetrics(pairs: readonly SeedPair[], epochs: number): Metric[] {
  if (pairs.length === 0) throw new Error('bench/tessera/seed-study.ts: no seed pairs to summarise');
  const seeds = `seeds ${pairs.map((p) => p.seed).join(',')}`;
  const te = pairs.map((p) => p.tessera.testMse), to = pairs.map((p) => p.torch.testMse);
  const speedups = pairs.map((p) => p.torch.secondsPerEpoch / p.tessera.secondsPerEpoch);
  const s = summarize(speedups);
  const f = (x: number) => x.toPrecision(4);
  return [
    { key: `w1.seeds.tessera_test_mse.e${epochs}`, label: `W1 tessera-native test MSE after ${epochs} epochs, mean over seeds`, value: mean(te), unit: '', note: `± ${f(sampleStd(te))} (sample std), ${seeds}` },
    { key: `w1.seeds.torch_test_mse.e${epochs}`, label: `W1 torch test MSE after ${epochs} epochs, mean over seeds`, value: mean(to), unit: '', note: `± ${f(sampleStd(to))} (sample std), ${seeds}` },
    { key: `w1.seeds.test_mse_ratio.e${epochs}`, label: 'W1 test MSE, tessera mean / torch mean', value: mean(te) / mean(to), unit: '×', note: seeds },
    { key: 'w1.seeds.speedup.t1', label: 'W1 s/epoch 1 thread, torch / tessera-native, median over back-to-back pairs', value: s.median, unit: '×', spread: s.spread, note: seeds },
  ];
}

/** Seeds 0..n−1: for each, tessera-native then PyTorch, both on one thread. */
export function seedStudyRunner(seedCount: (opts: RunOptions) => number): Runner {
  const name = 'W1 seed study (tessera-native vs torch on 1 thread)';
  return {
    name,
    async run(opts: RunOptions): Promise<Result> {
      const n = seedCount(opts);
      const epochs = opts.epochs ?? 5;
      const pairs: SeedPair[] = [];
      let busy = 0;
      const note = (r: PeerResult) => { busy = Math.max(busy, r.otherBusyCores ?? 0); };
      for (let seed = 0; seed < n; seed++) {
        const t = await runW1Child('native', 1, epochs, seed, 0, opts.timeoutMs ?? 600_000);
        note(t);
        if (t.status !== 'ok') return { name, status: t.status, reason: `tessera seed ${seed}: ${t.reason}`, metrics: [], otherBusyCores: busy };
        const p = await runPython('torch', join(peersDir(), 'torch_w1.py'), ['--epochs', String(epochs), '--threads', '1', '--seed', String(seed)],
          { unsetEnv: OPENBLAS_PINS, timeoutMs: opts.timeoutMs ?? 600_000 });
        note(p);
        if (p.status !== 'ok') return { name, status: p.status, reason: `torch seed ${seed}: ${p.reason}`, metrics: [], otherBusyCores: busy };
        const to = t.results as W1ChildOutput;
        const po = p.results as { seconds_per_epoch: { median: number }; test_loss: number[] };
        pairs.push({
          seed,
          tessera: { secondsPerEpoch: to.seconds_per_epoch.median, testMse: to.test_loss[to.test_loss.length - 1] },
          torch: { secondsPerEpoch: po.seconds_per_epoch.median, testMse: po.test_loss[po.test_loss.length - 1] },
        });
      }
      return { name, status: 'ok', metrics: seedStudyMetrics(pairs, epochs), results: pairs, otherBusyCores: busy };
    },
  };
}
