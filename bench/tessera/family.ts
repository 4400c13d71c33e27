// The autoencoder family side by side (issue 15): for one workload, tessera-native (w1-child.ts)
// and its PyTorch twin (bench/peers/torch_w1.py --workload) in alternating A/B rounds, on each
// thread count. Round r uses seed (base + r) for both engines and swaps who goes first, so each
// pair of runs sees the same machine and the test losses average over seeds (as W1's seed study).
//   npm run bench -- --family all --rounds 3 --epochs 2
import { join } from 'node:path';
import { peersDir } from '../harness/paths.js';
import { runPython } from '../harness/python.js';
import { OPENBLAS_PINS } from '../harness/peer-runners.js';
import type { PeerResult } from '../harness/peers.js';
import type { Metric, Result, RunOptions, Runner } from '../harness/runner.js';
import { mean, sampleStd, summarize } from '../harness/stats.js';
import { runW1Child } from './w1.js';
import { workload, type Workload, type WorkloadId } from './workloads.js';

/** What one run of either engine reports that the table needs. */
export interface EngineRun { secondsPerEpoch: number; testLoss: number }

/** One round: the two engines back to back on the same thread count and seed. */
export interface FamilyPair { threads: number; seed: number; tessera: EngineRun; torch: EngineRun }

const threadsLabel = (t: number) => `${t} thread${t === 1 ? '' : 's'}`;

/** The last epoch's test loss and the median s/epoch of a child's or the torch script's JSON. */
export function engineRun(out: unknown, who: string): EngineRun {
  const o = out as { seconds_per_epoch?: { median?: unknown }; test_loss?: unknown };
  const s = o?.seconds_per_epoch?.median;
  const losses = o?.test_loss;
  if (typeof s !== 'number' || !Array.isArray(losses) || losses.length === 0 || typeof losses[losses.length - 1] !== 'number') {
    throw new Error(`bench/tessera/family.ts: ${who} printed no seconds_per_epoch.median and test_loss [..] (got ${JSON.stringify(out)?.slice(0, 200)})`);
  }
  return { secondsPerEpoch: s, testLoss: losses[losses.length - 1] as number };
}

/**
 * The table's rows from the rounds: per thread count, each engine's median s/epoch and the median
 * of the per-round ratios torch / tessera (> 1: tessera is faster); then each engine's test loss,
 * mean over all its runs, and tessera's mean over torch's (the issue asks for agreement within 2%).
 */
export function familyMetrics(w: Workload, pairs: readonly FamilyPair[], epochs: number, trainRows: number): Metric[] {
  if (pairs.length === 0) throw new Error(`bench/tessera/family.ts: no rounds of ${w.id} to summarise`);
  const id = w.id.toLowerCase();
  const rows = `${trainRows} training rows, ${epochs} epoch${epochs === 1 ? '' : 's'}`;
  const metrics: Metric[] = [];
  for (const t of [...new Set(pairs.map((p) => p.threads))]) {
    const ps = pairs.filter((p) => p.threads === t);
    const te = summarize(ps.map((p) => p.tessera.secondsPerEpoch));
    const to = summarize(ps.map((p) => p.torch.secondsPerEpoch));
    const ratio = summarize(ps.map((p) => p.torch.secondsPerEpoch / p.tessera.secondsPerEpoch));
    const note = `${ps.length} round${ps.length === 1 ? '' : 's'}, ${rows}`;
    metrics.push(
      { key: `${id}.tessera_seconds_per_epoch.t${t}`, label: `${w.title} tessera-native s/epoch, ${threadsLabel(t)}`, value: te.median, unit: 's', spread: te.spread, note },
      { key: `${id}.torch_seconds_per_epoch.t${t}`, label: `${w.title} torch s/epoch, ${threadsLabel(t)}`, value: to.median, unit: 's', spread: to.spread, note },
      { key: `${id}.speedup.t${t}`, label: `${w.title} torch / tessera-native s/epoch, ${threadsLabel(t)}, median over A/B rounds`, value: ratio.median, unit: '×', spread: ratio.spread, note },
    );
  }
  const seeds = `seeds ${[...new Set(pairs.map((p) => p.seed))].join(',')}`;
  const te = pairs.map((p) => p.tessera.testLoss), to = pairs.map((p) => p.torch.testLoss);
  const f = (x: number) => x.toPrecision(4);
  const loss = `test ${w.testLoss} after ${epochs} epoch${epochs === 1 ? '' : 's'}`;
  metrics.push(
    { key: `${id}.tessera_test_loss.e${epochs}`, label: `${w.title} tessera-native ${loss}, mean of ${te.length} runs`, value: mean(te), unit: '', note: `± ${f(sampleStd(te))} (sample std), ${seeds}` },
    { key: `${id}.torch_test_loss.e${epochs}`, label: `${w.title} torch ${loss}, mean of ${to.length} runs`, value: mean(to), unit: '', note: `± ${f(sampleStd(to))} (sample std), ${seeds}` },
    { key: `${id}.test_loss_ratio.e${epochs}`, label: `${w.title} test loss, tessera mean / torch mean`, value: mean(te) / mean(to), unit: '×', note: seeds },
  );
  return metrics;
}

export interface FamilyOptions {
  /** A/B rounds per thread count (default 3; 1 in a quick run). */
  rounds?: number;
  /** Training rows (default the workload's: 12,000 for W2, 60,000 otherwise). */
  trainRows?: number;
}

/** The runner of one workload: tessera-native against its PyTorch twin, alternating. */
export function familyRunner(id: WorkloadId, o: FamilyOptions = {}): Runner {
  const w = workload(id);
  const name = `${w.title}: tessera-native vs torch`;
  return {
    name,
    async run(opts: RunOptions): Promise<Result> {
      const rounds = o.rounds ?? (opts.quick ? 1 : 3);
      const epochs = opts.epochs ?? (opts.quick ? 1 : 2);
      const rows = o.trainRows ?? w.defaultTrainRows;
      const timeoutMs = opts.timeoutMs ?? 1_200_000;
      const pairs: FamilyPair[] = [];
      let busy = 0;
      const ran = (r: PeerResult) => { busy = Math.max(busy, r.otherBusyCores ?? 0); return r; };
      const tessera = (t: number, seed: number) => runW1Child('native', t, epochs, seed, rows, timeoutMs, w.id);
      const torch = (t: number, seed: number) => runPython('torch', join(peersDir(), 'torch_w1.py'),
        ['--workload', w.id, '--limit', String(rows), '--epochs', String(epochs), '--threads', String(t), '--seed', String(seed)],
        { unsetEnv: OPENBLAS_PINS, timeoutMs });
      for (const t of opts.threads ?? [1, 2]) {
        for (let r = 0; r < rounds; r++) {
          const seed = (opts.seed ?? 0) + r;
          // A/B then B/A: neither engine always runs right after the other's warm caches.
          const order = r % 2 === 0 ? (['tessera', 'torch'] as const) : (['torch', 'tessera'] as const);
          const got: Partial<Record<'tessera' | 'torch', EngineRun>> = {};
          for (const who of order) {
            const res = ran(await (who === 'tessera' ? tessera(t, seed) : torch(t, seed)));
            if (res.status !== 'ok') return { name, status: res.status, reason: `${who}, ${threadsLabel(t)}, seed ${seed}: ${res.reason}`, metrics: [], results: { pairs, stderr: res.stderrTail }, otherBusyCores: busy };
            got[who] = engineRun(res.results, who);
          }
          pairs.push({ threads: t, seed, tessera: got.tessera as EngineRun, torch: got.torch as EngineRun });
        }
      }
      return { name, status: 'ok', metrics: familyMetrics(w, pairs, epochs, rows), results: { workload: w.id, trainRows: rows, epochs, pairs }, otherBusyCores: busy };
    },
  };
}
