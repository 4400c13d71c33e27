// Runs a study's runs into its folder: each finished run is written atomically to
// results/<run>.json the moment it ends, so Ctrl-C keeps what finished and `--resume` (which skips
// every run that has a result) continues. With jobs > 1 the pending runs are dealt to that many
// worker processes (the CLI itself, one native thread each), heaviest first to whichever worker has
// the least work so far; each worker writes the same result files, so the report cannot tell
// how the runs were split.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { writeFileAtomic } from '../../io/atomic.js';
import { packageRoot } from '../../util/package-root.js';
import type { Data } from '../../train/run-data.js';
import type { Values } from '../options.js';
import { runCost, runFileName, sectionVariants, SECTIONS, type Budget, type RunSpec, type SectionId } from './design.js';
import { runOne, type RunResult } from './run-one.js';

export const RESULTS_DIR = 'results';
export const PICTURES_DIR = 'pictures';

/** The result files of a study folder, by run name (JSON has no NaN: null reads back as NaN). */
export function readResults(dir: string): Map<string, RunResult> {
  const out = new Map<string, RunResult>();
  const rd = path.join(dir, RESULTS_DIR);
  if (!fs.existsSync(rd)) return out;
  for (const f of fs.readdirSync(rd).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort()) {
    const r = JSON.parse(fs.readFileSync(path.join(rd, f), 'utf8'), (_k, v) => (v === null ? NaN : v)) as RunResult;
    if (r.diverged !== null && typeof r.diverged !== 'string') r.diverged = null;
    out.set(r.name, r);
  }
  return out;
}

export function writeResult(dir: string, r: RunResult): void {
  writeFileAtomic(path.join(dir, RESULTS_DIR, runFileName(r)), `${JSON.stringify(r)}\n`);
}

/** The first section (in report order) that needs a variant: what the progress line calls the experiment. */
export function sectionOf(variantName: string, budget: Budget, sections: readonly SectionId[] = SECTIONS): SectionId {
  return sections.find((s) => sectionVariants(s, budget).some((v) => v.name === variantName)) ?? sections[0];
}

const clock = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`);

/** "[12/80] optimizers: main:optimizer=sgd,lr=0.1#2 · 1m04s elapsed · ETA 6m30s" (the ETA weighs runs by their cost). */
export function progressLine(done: number, total: number, what: string, elapsed: number, doneCost: number, totalCost: number): string {
  const eta = doneCost > 0 ? clock((elapsed * (totalCost - doneCost)) / doneCost) : '…';
  return `[${done}/${total}] ${what} · ${clock(elapsed)} elapsed · ETA ${eta}`;
}

export interface RunnerOptions {
  dir: string;
  budget: Budget;
  /** The study's sections (the progress line names the first that needs a run). */
  sections: readonly SectionId[];
  dataValues: Values;
  data: () => Data;
  signal?: AbortSignal;
  say: (line: string) => void;
}

/** Runs `runs` one after the other in this process; returns false when Ctrl-C stopped it. */
export async function runSequential(runs: readonly RunSpec[], o: RunnerOptions): Promise<boolean> {
  if (runs.length === 0) return true;
  const data = o.data();
  fs.mkdirSync(path.join(o.dir, RESULTS_DIR), { recursive: true });
  fs.mkdirSync(path.join(o.dir, PICTURES_DIR), { recursive: true });
  const totalCost = runs.reduce((a, r) => a + runCost(r, o.budget), 0);
  const t0 = performance.now();
  let doneCost = 0;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    o.say(progressLine(i + 1, runs.length, `${sectionOf(run.variant.name, o.budget, o.sections)}: ${run.name}`, (performance.now() - t0) / 1000, doneCost, totalCost));
    const r = await runOne(run, o.budget, o.dataValues, data, { signal: o.signal, picturesDir: path.join(o.dir, PICTURES_DIR) });
    if (r === 'interrupted') return false;
    writeResult(o.dir, r);
    doneCost += runCost(run, o.budget);
    if (o.signal?.aborted) return false;
  }
  return true;
}

/** Deals runs to n workers: heaviest first, each to the worker with the least cost so far. */
export function dealRuns(runs: readonly RunSpec[], n: number, budget: Budget): RunSpec[][] {
  const lists: RunSpec[][] = Array.from({ length: n }, () => []);
  const load = new Array<number>(n).fill(0);
  for (const r of [...runs].sort((a, b) => runCost(b, budget) - runCost(a, budget))) {
    const w = load.indexOf(Math.min(...load));
    lists[w].push(r);
    load[w] += runCost(r, budget);
  }
  return lists.filter((l) => l.length > 0);
}

/**
 * Runs `runs` in `jobs` worker processes (`tessera study … --worker-runs <file>` at one thread),
 * printing progress as their result files appear; returns false when Ctrl-C stopped them.
 */
export async function runInWorkers(runs: readonly RunSpec[], jobs: number, workerArgs: string[], o: RunnerOptions & { stderr: { write(s: string): unknown } }): Promise<boolean> {
  fs.mkdirSync(path.join(o.dir, RESULTS_DIR), { recursive: true });
  const lists = dealRuns(runs, jobs, o.budget);
  const cli = path.join(packageRoot(), 'bin', 'tessera.js');
  const t0 = performance.now();
  const totalCost = runs.reduce((a, r) => a + runCost(r, o.budget), 0);
  const pending = new Map(runs.map((r) => [runFileName(r), r]));
  let done = 0, doneCost = 0;
  const poll = () => {
    const rd = path.join(o.dir, RESULTS_DIR);
    for (const f of fs.readdirSync(rd)) {
      const r = pending.get(f);
      if (!r) continue;
      pending.delete(f);
      done++; doneCost += runCost(r, o.budget);
      o.say(progressLine(done, runs.length, `${sectionOf(r.variant.name, o.budget, o.sections)}: ${r.name} finished (${lists.length} workers)`, (performance.now() - t0) / 1000, doneCost, totalCost));
    }
  };
  const timer = setInterval(poll, 1000);
  const codes = await Promise.all(lists.map((list, i) => {
    const file = path.join(o.dir, `.worker-${i + 1}.json`);
    writeFileAtomic(file, JSON.stringify(list.map((r) => r.name)));
    return new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [cli, 'study', ...workerArgs, '--worker-runs', file], {
        stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TESSERA_THREADS: '1' },
      });
      child.stderr.on('data', (b: Buffer) => o.stderr.write(`[worker ${i + 1}] ${b.toString()}`));
      // Ctrl-C reaches the workers from the terminal; an abort from elsewhere is passed on.
      const stop = () => child.kill('SIGINT');
      o.signal?.addEventListener('abort', stop, { once: true });
      child.on('close', (code) => { o.signal?.removeEventListener('abort', stop); fs.rmSync(file, { force: true }); resolve(code ?? 1); });
    });
  }));
  clearInterval(timer);
  poll();
  const failed = codes.filter((c) => c !== 0 && c !== 130);
  if (failed.length > 0) throw new Error(`tessera study: ${failed.length} of ${codes.length} workers failed (exit codes ${failed.join(', ')}); their finished runs are kept, --resume continues`);
  return !codes.includes(130) && !(o.signal?.aborted ?? false);
}
