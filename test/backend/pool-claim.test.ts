// The claim order of both thread pools (native/pool_claim.h): the calling thread takes a job's tasks
// from the front and the workers from the back, so the caller's tasks are always a prefix of the
// job and the workers' a suffix, however the threads happen to interleave. (With one order for
// everyone, as before, the two sides' tasks alternate and the caller's are no prefix.) Every task
// runs exactly once. Which thread ran a task never enters a result: the kernels' bit-for-bit tests at
// one and two threads are elsewhere (native-*.test.ts, wasm-threads.test.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { nativeAddon, setNativeThreads } from '../../src/backend/native/index.js';
import { loadWasmModule } from '../../src/backend/wasm/module.js';
import { startThreads } from '../../src/backend/wasm/index.js';
import type { WasmModule } from '../../src/backend/wasm/instance.js';
import { nativeOrThrow } from './native-helpers.js';
import { probeWasm } from '../backend-probe.js';

const TASKS = 64;
// ~10-40 µs a task to start with: long enough that a spinning or woken worker joins most jobs on an
// idle machine. On a loaded one (CI runs two test files at once on two cores, and three threads
// share them) a worker may not get a core before the caller has run all 64 tasks, so the spin
// doubles after every RUNS jobs in which no worker joined, up to ~64x (tens of ms a job).
const SPIN = 20_000;
const RUNS = 30;
const MAX_SPIN = SPIN * 64;

/** Runs jobs, checking each one's owners, until one is shared between the caller and a worker
 *  (after at least RUNS jobs) or the spin ceiling is passed; returns how many jobs were shared. */
function runUntilShared(job: (spin: number) => ArrayLike<number>, threads: number): number {
  let shared = 0;
  let run = 0;
  for (let spin = SPIN; spin <= MAX_SPIN && (shared === 0 || run < RUNS); spin *= 2) {
    for (let i = 0; i < RUNS; i++, run++) {
      if (checkOwners(job(spin), threads, `run ${run} (spin ${spin})`)) shared++;
    }
  }
  return shared;
}

/** Checks one job's owners; true when both the caller and a worker ran tasks. */
function checkOwners(owners: ArrayLike<number>, threads: number, what: string): boolean {
  expect(owners.length, what).toBe(TASKS);
  const callers = Array.from(owners, (w, t) => (w === 0 ? t : -1)).filter((t) => t >= 0);
  for (let t = 0; t < owners.length; t++) {
    expect(Number.isInteger(owners[t]) && owners[t] >= 0 && owners[t] < threads, `${what}: task ${t} ran on worker ${owners[t]}`).toBe(true);
  }
  // The caller's tasks are 0, 1, ..., j-1: a prefix, the rest the workers'.
  expect(callers, `${what}: the caller's tasks ${callers.join(',')} are not a prefix`).toEqual(callers.map((_, i) => i));
  return callers.length > 0 && callers.length < TASKS;
}

describe('native pool', () => {
  afterAll(() => setNativeThreads(1));

  for (const threads of [2, 3]) {
    it(`at ${threads} threads: the caller's tasks are a prefix of each job, the workers' the rest`, () => {
      nativeOrThrow();
      const addon = nativeAddon()!;
      setNativeThreads(threads);
      const shared = runUntilShared((spin) => addon.parallelForOwners(TASKS, spin), threads);
      expect(shared, 'no job, however long, where a worker took any task').toBeGreaterThan(0);
    });
  }

  it('refuses a task count out of range', () => {
    nativeOrThrow();
    expect(() => nativeAddon()!.parallelForOwners(5000, 0)).toThrow(/parallelForOwners: expected 0 <= tasks <= 4096 and spin >= 0, got 5000 and 0/);
  });
});

describe('wasm pool', () => {
  const wasm = probeWasm();
  let module: WasmModule | null = null;
  afterAll(async () => { await module?.stopWorkers(); });

  it.skipIf(wasm.skip)('at 2 threads: the caller\'s tasks are a prefix of each job, the workers\' the rest', () => {
    const loaded = loadWasmModule();
    if (loaded.module === null) throw new Error(`the wasm module did not load: ${loaded.reason}`);
    module = loaded.module;
    expect(startThreads(module, 2)).toBeNull();
    const ptr = module.exports.malloc(4 * TASKS) >>> 0;
    const shared = runUntilShared((spin) => {
      module!.exports.tessera_parallel_for_owners(ptr, TASKS, spin);
      return Int32Array.from(module!.u32(ptr, TASKS));
    }, 2);
    module.exports.free(ptr);
    expect(shared, 'no job, however long, where a worker took any task').toBeGreaterThan(0);
  });
});
