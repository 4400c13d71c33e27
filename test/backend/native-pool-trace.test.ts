// TESSERA_POOL_TRACE (native/pool_trace.h): a process with the variable set writes one line per
// thread-pool job at exit, and bench/pool-trace.mjs names and sums them. Run in child processes,
// since the addon reads the variable once, when its pool first runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findAddonFile, packageRoot } from '../../src/backend/native/addon.js';

const root = packageRoot();
const found = root === null ? null : findAddonFile(root);
const addonFile = found !== null && 'file' in found ? found.file : null;
const dir = mkdtempSync(join(tmpdir(), 'tessera-pool-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One 256×784×64 product (25.7 MFLOP: split over the pool at 2 threads) in a child with the trace on; the trace's lines. */
function traced(threads: number): string[][] {
  const file = join(dir, `trace-${threads}.tsv`);
  const script = `const a = require(${JSON.stringify(addonFile)});
    const x = new Float32Array(256 * 64).fill(0.5), w = new Float32Array(784 * 64).fill(0.25), out = new Float32Array(256 * 784);
    a.matmul(x, w, out, 1, 256, 784, 64, false, true, 0, 0, null, 0);
    if (out[0] !== 8 || out[out.length - 1] !== 8) throw new Error('wrong product: ' + out[0]);`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TESSERA_THREADS: String(threads), TESSERA_POOL_TRACE: file }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  // The trace opens its file when the pool first runs a job: a process that never splits one writes none.
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return text === '' ? [] : text.split('\n').map((line) => line.split('\t'));
}

// Skipped only where the addon is not built (the js fallback): there is no pool to trace.
describe.skipIf(addonFile === null)('native thread-pool trace', () => {
  it('records the product\'s jobs at 2 threads with times in order, and none at 1 thread', () => {
    // One job on avx512 and avx2 (the row blocks); the portable kernels pack B in a job of its own first.
    const jobs = traced(2);
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    expect(jobs.length).toBeLessThanOrEqual(2);
    for (const [offset, tasks, workerTasks, publish, callerDone, workerFirst, end, sleepers] of jobs) {
      expect(offset).toMatch(/^[0-9a-f]+$/);
      expect(Number(tasks)).toBeGreaterThanOrEqual(2);
      expect(Number(workerTasks)).toBeLessThanOrEqual(Number(tasks));
      expect(Number(publish)).toBeLessThanOrEqual(Number(callerDone));
      expect(Number(callerDone)).toBeLessThanOrEqual(Number(end));
      // The worker's first claim, when it took a task, lies inside the job; 0 when it took none.
      if (Number(workerTasks) > 0) {
        expect(Number(workerFirst)).toBeGreaterThanOrEqual(Number(publish));
        expect(Number(workerFirst)).toBeLessThanOrEqual(Number(end));
      } else expect(Number(workerFirst)).toBe(0);
      expect(['0', '1']).toContain(sleepers);
    }
    // One thread: the product never reaches the pool.
    expect(traced(1)).toEqual([]);
  });

  it('bench/pool-trace.mjs names the job after the GEMM block task', () => {
    traced(2);
    const report = execFileSync(process.execPath, [join(root as string, 'bench', 'pool-trace.mjs'), join(dir, 'trace-2.tsv'), addonFile as string], { encoding: 'utf8' });
    expect(report).toMatch(/^runBlock\s+1\s/m);
    expect(report).toMatch(/\b[12] jobs\b/);
  });

  it('bench/pool-trace.mjs --per-step and --positions cut the trace into steps at each optimizer update', () => {
    // Four "steps": a product, then Adam over 100,000 parameters (both split over the pool at 2 threads).
    const file = join(dir, 'trace-steps.tsv');
    const script = `const a = require(${JSON.stringify(addonFile)});
      const x = new Float32Array(256 * 64).fill(0.5), w = new Float32Array(784 * 64).fill(0.25), out = new Float32Array(256 * 784);
      const n = 100000, p = new Float32Array(n), g = new Float32Array(n).fill(1), m = new Float32Array(n), v = new Float32Array(n);
      for (let step = 0; step < 4; step++) {
        a.matmul(x, w, out, 1, 256, 784, 64, false, true, 0, 0, null, 0);
        a.adamMany([p], [g], [m], [v], null, [n], 1e-3, 0.9, 0.999, 1e-8, 0, 1e-3, 1, false);
      }`;
    const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TESSERA_THREADS: '2', TESSERA_POOL_TRACE: file }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const report = execFileSync(process.execPath, [join(root as string, 'bench', 'pool-trace.mjs'), file, addonFile as string, '--per-step', '--positions'], { encoding: 'utf8' });
    expect(report).toMatch(/job time per step \(µs; 4 steps, each up to its update/);
    expect(report).toMatch(/the last 4 steps of the most common sequence of jobs \(4 of 4 steps\)/);
    // Each step's jobs in order, the update last; then the sums.
    const lines = report.split('\n').filter((l) => /^\s+\d+\s+caller alone before it/.test(l));
    expect(lines.at(-1)).toMatch(/adamSteps$/);
    expect(lines.some((l) => /runBlock$/.test(l))).toBe(true);
    expect(report).toMatch(/^sums: caller alone [\d.]+, jobs [\d.]+, step [\d.]+$/m);
  });
});
