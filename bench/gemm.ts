// SGEMM benchmark of the native backend, side by side with NumPy/OpenBLAS in the same run.
//
//   npx tsc -p tsconfig.build.json && node dist/bench/gemm.js [--quick] [--rounds N] [--isa all|avx512|avx2|portable]
//       [--workload W1|W3] [--threads 1] [--sizes 128,256|none] [--rows-only]
//
// Square sizes 128..2048 and a workload's products (W1: batch 256 through 784→64→32→64→784;
// W3, the VAE: 784→256→64 (μ ‖ log σ²), then 32→256→784; forward X·Wᵀ and backward dX = dY·W,
// dW = dYᵀ·X per layer, with the transposes as flags), one thread and all threads (or --threads);
// the measured FMA peak of the active ISA at one thread beside them (the profiler's loop, bench/peak/fma_peak.c);
// every ISA path at one square size and the JS → native per-call overhead on tiny tensors
// (not with --rows-only). Every shape is checked against the naive kernel (whole, or on sampled
// entries for big sizes) before it is timed. Prints a markdown table and writes bench/out/gemm.json
// (gemm-w3.json for --workload W3).
import { join } from 'node:path';
import { busyCores, machineLine } from './harness/machine.js';
import { outDir, peersDir } from './harness/paths.js';
import { writeJson } from './harness/table.js';
import { runPython } from './harness/python.js';
import { summarize, type Summary } from './harness/stats.js';
import type { Backend } from '../src/backend/backend.js';
import { loadNativeBackend, nativeAddon, nativeInfo, setNativeIsa, setNativeThreads, type NativeIsa } from '../src/backend/native/index.js';
import { measureBackendPeak } from '../src/backend/peak.js';
import { Generator } from '../src/random.js';
import { parseGemmArgs, type GemmWorkload } from './gemm-args.js';

interface Shape { name: string; m: number; n: number; k: number; transA: boolean; transB: boolean; training: boolean }

// (in, out) of each dense layer, in the order of a training step's forward pass.
const LAYERS: Record<GemmWorkload, [number, number][]> = {
  W1: [[784, 64], [64, 32], [32, 64], [64, 784]],
  W3: [[784, 256], [256, 64], [32, 256], [256, 784]],
};

/** The same products, names and layouts as bench/peers/numpy_gemm.py. */
function layerShapes(layers: [number, number][], batch: number): Shape[] {
  const out: Shape[] = [];
  layers.forEach(([fanIn, fanOut], i) => {
    const tag = `L${i + 1} ${fanIn}->${fanOut}`;
    // Y[B,out] = X[B,in]·Wᵀ, W stored [out,in]
    out.push({ name: `${tag} fwd X*W^T`, m: batch, n: fanOut, k: fanIn, transA: false, transB: true, training: true });
    // dX[B,in] = dY[B,out]·W[out,in] (not needed for the first layer)
    out.push({ name: `${tag} bwd dX=dY*W`, m: batch, n: fanIn, k: fanOut, transA: false, transB: false, training: i !== 0 });
    // dW[out,in] = dYᵀ·X, dY stored [B,out]
    out.push({ name: `${tag} bwd dW=dY^T*X`, m: fanOut, n: fanIn, k: batch, transA: true, transB: false, training: true });
  });
  return out;
}

function random(gen: Generator, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = gen.uniform();
  return a;
}

/** Checks the fast kernel against the naive one: whole for small products, else 256 sampled entries. */
function verify(native: Backend<Float32Array>, s: Shape, a: Float32Array, b: Float32Array, gen: Generator): void {
  const p = { batch: 1, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB, strideA: 0, strideB: 0 };
  const fast = new Float32Array(s.m * s.n);
  native.matmul(a, b, fast, p);
  const entries: [number, number][] = [];
  const want = new Float64Array(s.m * s.n);
  if (s.m * s.n * s.k <= 1 << 24) {
    const naive = new Float32Array(s.m * s.n);
    nativeAddon()!.gemmNaive(a, b, naive, 1, s.m, s.n, s.k, s.transA, s.transB, 0, 0);
    want.set(naive);
    for (let i = 0; i < s.m; i++) for (let j = 0; j < s.n; j++) entries.push([i, j]);
  } else {
    for (let e = 0; e < 256; e++) {
      const i = Math.floor(gen.uniform() * s.m), j = Math.floor(gen.uniform() * s.n);
      let sum = 0;
      for (let t = 0; t < s.k; t++) {
        sum += (s.transA ? a[t * s.m + i] : a[i * s.k + t]) * (s.transB ? b[j * s.k + t] : b[t * s.n + j]);
      }
      want[i * s.n + j] = sum;
      entries.push([i, j]);
    }
  }
  // Inputs are in [0, 1): Σ|a||b| = Σab, and float32 accumulation stays within √k·8u of it.
  const relTol = 8 * Math.sqrt(s.k) * 2 ** -24;
  for (const [i, j] of entries) {
    const w = want[i * s.n + j], g = fast[i * s.n + j];
    if (!(Math.abs(g - w) <= relTol * Math.abs(w) + 1e-6)) {
      throw new Error(`bench/gemm.ts: ${s.name} ${s.m}x${s.n}x${s.k} wrong at (${i}, ${j}): ${g} vs naive ${w}`);
    }
  }
}

/** GFLOP/s samples: each sample runs enough products to last at least minMs. */
function time(native: Backend<Float32Array>, s: Shape, a: Float32Array, b: Float32Array, repeats: number, minMs: number): Summary {
  const p = { batch: 1, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB, strideA: 0, strideB: 0 };
  const out = new Float32Array(s.m * s.n);
  const flops = 2 * s.m * s.n * s.k;
  native.matmul(a, b, out, p);
  let inner = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < inner; r++) native.matmul(a, b, out, p);
    const dt = performance.now() - t0;
    if (dt >= minMs || inner >= 1 << 20) break;
    inner *= dt <= 0 ? 2 : Math.max(2, Math.min(16, Math.ceil(minMs / dt)));
  }
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) native.matmul(a, b, out, p);
    samples.push((flops * inner) / ((performance.now() - t0) / 1000) / 1e9);
  }
  return summarize(samples);
}

/** Microseconds per call on tiny tensors, through the backend object (validation included). */
function overhead(native: Backend<Float32Array>): Record<string, number> {
  const x = new Float32Array([0.5, -1, 2, 3]), y = new Float32Array(4), z = new Float32Array(4);
  const calls: Record<string, () => void> = {
    'noop (the bare N-API crossing)': () => nativeAddon()!.noop(),
    'unary exp [4]': () => native.unary('exp', x, y, 4, {}),
    'binary add [4]+[4]': () => native.binary('add', x, [1], y, [1], z, [4]),
    'matmul 2x2·2x2': () => native.matmul(x, y, z, { batch: 1, m: 2, n: 2, k: 2, transA: false, transB: false, strideA: 0, strideB: 0 }),
    'reduce sum [4]': () => native.reduce('sum', x, z, 1, 4, 1),
  };
  const res: Record<string, number> = {};
  for (const [name, f] of Object.entries(calls)) {
    for (let i = 0; i < 20_000; i++) f();
    const samples: number[] = [];
    for (let r = 0; r < 5; r++) {
      const n = 200_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) f();
      samples.push(((performance.now() - t0) * 1000) / n);
    }
    res[name] = summarize(samples).median;
  }
  return res;
}

interface NumpyRow { name: string; m: number; n: number; k: number; gflops: Summary }
interface NumpyOut { blas: unknown; results: { threads: number; rows: NumpyRow[] }[] }

async function main(): Promise<void> {
  const { quick, rounds, isa: isaArg, workload, threads, sizes, rowsOnly } = parseGemmArgs(process.argv.slice(2));
  const { backend: native, reason } = loadNativeBackend();
  if (native === null) throw new Error(`bench/gemm.ts: ${reason}`);
  const info = nativeInfo();
  const allThreads = info.threads;
  const isas = (isaArg === 'all' ? info.available : [isaArg ?? info.isa]) as NativeIsa[];
  const layers = LAYERS[workload];
  const repeats = quick ? 3 : 7, minMs = quick ? 20 : 50;
  const threadCounts = threads ?? (allThreads > 1 ? [1, allThreads] : [1]);

  // Rounds of [NumPy, tessera], keeping each row's best median over the rounds: on a shared
  // machine a burst of other work can halve one library's run, and alternating gives both the
  // same chances.
  const gen = new Generator(7);
  const shapes: Shape[] = [
    ...sizes.map((s) => ({ name: `square ${s}`, m: s, n: s, k: s, transA: false, transB: false, training: true })),
    ...layerShapes(layers, 256),
  ];
  const operands = shapes.map((s) => ({ a: random(gen, s.m * s.k), b: random(gen, s.k * s.n) }));
  const numpyRuns: NumpyOut[] = [];
  let numpyStatus = '';
  const ours = new Map<string, Summary>();
  const better = (x: Summary | undefined, y: Summary): Summary => (x === undefined || y.median > x.median ? y : x);
  const busyBefore: (number | null)[] = [];
  for (let round = 0; round < rounds; round++) {
    busyBefore.push(await busyCores(500));
    const numpy = await runPython('numpy', join(peersDir(), 'numpy_gemm.py'),
      ['--threads', threadCounts.join(','), '--sizes', sizes.join(','), '--layers', layers.map(([i, o]) => `${i}x${o}`).join(','),
        '--repeats', String(repeats), '--min-ms', String(minMs)],
      { unsetEnv: ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] });
    numpyStatus = `${numpy.status}${numpy.reason ? ` (${numpy.reason})` : ''}`;
    if (numpy.status === 'ok') numpyRuns.push(numpy.results as NumpyOut);
    for (const isa of isas) {
      setNativeIsa(isa);
      shapes.forEach((s, i) => {
        const { a, b } = operands[i];
        if (round === 0) { setNativeThreads(1); verify(native, s, a, b, gen); }
        for (const t of threadCounts) {
          setNativeThreads(t);
          const key = `${isa}|${s.name}|${t}`;
          ours.set(key, better(ours.get(key), time(native, s, a, b, repeats, minMs)));
        }
      });
    }
  }
  const numpyRate = (name: string, threads: number): Summary | undefined => {
    let best: Summary | undefined;
    for (const run of numpyRuns) {
      const g = run.results.find((r) => r.threads === threads)?.rows.find((r) => r.name === name)?.gflops;
      if (g) best = better(best, g);
    }
    return best;
  };

  // The one-thread FMA ceiling of each ISA path the rows ran (the profiler's loop; none for portable).
  setNativeThreads(1);
  const peak = new Map<string, number | null>();
  for (const isa of isas) {
    setNativeIsa(isa);
    peak.set(isa, measureBackendPeak(native, { seconds: 1, copyBytes: 1 << 26 })?.gflops ?? null);
  }
  const rows: Record<string, unknown>[] = [];
  const lines: string[] = [];
  lines.push(`machine: ${machineLine()}`);
  lines.push(`native: ${JSON.stringify(info)}`);
  lines.push(`busy cores (other processes) before each round: ${busyBefore.map((b) => (b === null ? 'unknown' : b.toFixed(2))).join(', ')}`);
  lines.push(`numpy: ${numpyStatus}${numpyRuns.length ? ` ${JSON.stringify(numpyRuns[0].blas)}` : ''}`);
  lines.push(`each figure: the best median of ${rounds} round(s), a median of ${repeats} timings each; (best single timing)`);
  lines.push(`one-thread FMA peak: ${isas.map((i) => `${i} ${peak.get(i)?.toFixed(1) ?? '–'} GFLOP/s`).join(', ')}`);
  lines.push('');
  lines.push('| shape | m×n×k | isa | threads | tessera GFLOP/s median (best) | % of (1-thread peak × threads) | numpy median (best) | ratio of medians (of bests) |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const isa of isas) {
    for (const s of shapes) {
      for (const t of threadCounts) {
        const g = ours.get(`${isa}|${s.name}|${t}`)!;
        const np = numpyRate(s.name, t);
        rows.push({ name: s.name, m: s.m, n: s.n, k: s.k, isa, threads: t, gflops: g, numpy: np ?? null, training: s.training });
        const npText = np ? `${np.median.toFixed(1)} (${np.max.toFixed(1)})` : '–';
        const ratio = np ? `${(g.median / np.median).toFixed(2)} (${(g.max / np.max).toFixed(2)})` : '–';
        const p = peak.get(isa), ofPeak = p ? `${((100 * g.median) / (p * t)).toFixed(0)}%` : '–';
        lines.push(`| ${s.name}${s.training ? '' : ' (unused)'} | ${s.m}×${s.n}×${s.k} | ${isa} | ${t} | ${g.median.toFixed(1)} (${g.max.toFixed(1)}) | ${ofPeak} | ${npText} | ${ratio} |`);
      }
    }
  }
  if (threadCounts.length > 1) {
    lines.push('');
    for (const sz of sizes.filter((x) => x >= 512)) {
      const one = rows.find((r) => r.name === `square ${sz}` && r.threads === 1 && r.isa === isas[0]) as { gflops: Summary } | undefined;
      const all = rows.find((r) => r.name === `square ${sz}` && r.threads === allThreads && r.isa === isas[0]) as { gflops: Summary } | undefined;
      if (one && all) lines.push(`scaling ${sz}³, ${allThreads} threads vs 1: ${(all.gflops.median / one.gflops.median).toFixed(2)}× of medians (${(all.gflops.max / one.gflops.max).toFixed(2)}× of bests)`);
    }
  }
  // Every ISA path at one size, one thread: what each code path is worth on this CPU.
  const perIsa: Record<string, Summary> = {};
  let perCall: Record<string, number> = {};
  if (!rowsOnly) {
    const cmpSize = quick ? 512 : 1024;
    const cmp: Shape = { name: `square ${cmpSize}`, m: cmpSize, n: cmpSize, k: cmpSize, transA: false, transB: false, training: true };
    const ca = random(gen, cmpSize * cmpSize), cb = random(gen, cmpSize * cmpSize);
    lines.push('');
    lines.push(`| every ISA path, ${cmpSize}³, 1 thread | GFLOP/s median (best) |`);
    lines.push('|---|---|');
    setNativeThreads(1);
    for (const isa of info.available as NativeIsa[]) {
      setNativeIsa(isa);
      verify(native, cmp, ca, cb, gen);
      perIsa[isa] = time(native, cmp, ca, cb, repeats, minMs);
      lines.push(`| ${isa} | ${perIsa[isa].median.toFixed(1)} (${perIsa[isa].max.toFixed(1)}) |`);
    }
    setNativeIsa(info.isa as NativeIsa);
    setNativeThreads(allThreads);
    perCall = overhead(native);
    lines.push('');
    lines.push('| per-call overhead, tiny tensors | µs/call |');
    lines.push('|---|---|');
    for (const [name, us] of Object.entries(perCall)) lines.push(`| ${name} | ${us.toFixed(3)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  writeJson(join(outDir(), workload === 'W1' ? 'gemm.json' : `gemm-${workload.toLowerCase()}.json`), { machine: machineLine(), native: info, workload,
    peakGflops: Object.fromEntries(peak), rounds, numpyStatus, numpy: numpyRuns, rows, perIsa, busyCores: busyBefore, perCallMicroseconds: perCall });
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
