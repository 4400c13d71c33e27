// `tessera profile`: times one training step op by op on a backend (warm-up steps first, then
// the median of a few), with each op's share of the step, its GFLOP/s or GB/s, its fraction of
// the peak measured for this backend on this machine (src/inspect/peak.ts, cached), and the time
// spent outside kernels (engine overhead); then the kernel time by kernel and shape. On webgpu the
// kernel times are GPU times from timestamp queries where the device has them (src/inspect/profiler.ts).
import * as os from 'node:os';
import { CliError, type Command } from './command.js';
import type { OptionSpec } from './options.js';
import { describeBackend } from './backend-choice.js';
import { formatProfile, profileStep } from '../inspect/profiler.js';
import { backendPeak, defaultCacheDir, type MachinePeak } from '../inspect/peak.js';
import type { Backend } from '../backend/backend.js';
import { INSPECT_MODEL_OPTIONS, setUpInspection } from './inspect-model.js';

const options: OptionSpec[] = [
  ...INSPECT_MODEL_OPTIONS,
  { name: 'warmup', kind: 'int', min: 0, default: 3, help: 'untimed steps first (at least: --warmup-seconds may add more; 0 and 0 for none)' },
  { name: 'warmup-seconds', kind: 'number', min: 0, default: 1, help: 'and more untimed steps until this many seconds have passed (the JIT compiles the engine meanwhile)' },
  { name: 'steps', kind: 'int', min: 1, default: 5, help: 'timed steps; the median one is reported' },
  { name: 'remeasure', kind: 'flag', help: `measure the peak again instead of reading it from ${defaultCacheDir()}/peaks.json` },
  { name: 'peak-gflops', kind: 'number', positive: true, help: 'FLOP peak in GFLOP/s, all threads together (default: measured)' },
  { name: 'peak-gbps', kind: 'number', positive: true, help: 'memory bandwidth in GB/s, all threads together (default: measured)' },
  { name: 'json', kind: 'flag', help: 'print the profile as JSON' },
];

/** The measured (or cached) peak of the backend, with --peak-* in place of either figure. */
function resolvePeak(backend: Backend, remeasure: boolean, gflops: number | undefined, gbps: number | undefined): MachinePeak | null {
  if (backend.name === 'webgpu') return null;  // the CPU's ceilings say nothing about a GPU
  const measured = gflops !== undefined && gbps !== undefined ? null : backendPeak(backend, { remeasure });
  if (gflops === undefined && gbps === undefined) return measured;
  const given = [gflops !== undefined ? '--peak-gflops' : '', gbps !== undefined ? '--peak-gbps' : ''].filter(Boolean).join(', ');
  // Every row's fraction of peak divides by the bandwidth: a backend without loops has none to fill in.
  if (gbps === undefined && measured === null) {
    throw new CliError(`tessera profile: the ${backend.name} backend has no measured memory bandwidth; give --peak-gbps with --peak-gflops`);
  }
  return {
    gflops: gflops ?? measured?.gflops ?? null,
    loop: gflops !== undefined ? 'given by --peak-gflops' : measured?.loop ?? 'none measured',
    gbps: gbps ?? measured!.gbps,
    cacheBytes: measured?.cacheBytes ?? null,
    source: `${given}${measured ? ` (the rest: ${measured.source})` : ''}`,
  };
}

export const profileCommand: Command = {
  name: 'profile',
  summary: 'time one training step op by op: share, GFLOP/s, fraction of peak, engine overhead',
  usage: '[options]',
  description: 'Times one training step of a model on a backend, op by op: every kernel call is timed and\nattributed to the forward op, backward rule or parameter update that made it. After --warmup\nuntimed steps (and --warmup-seconds), --steps steps are timed and the median one is reported, sorted by time, with\nthe time spent outside kernels (graph building, checks, allocation: the engine\'s overhead).',
  options,
  notes: 'Peak: measured for this backend at its thread count on first use (about a second: native\nruns bench/peak/fma_peak.c\'s FMA loop through the addon, js a scalar multiply-add loop; both a\ncopy loop over arrays larger than the caches) and cached per machine in peaks.json under\n$TESSERA_CACHE_DIR, $XDG_CACHE_HOME/tessera or ~/.cache/tessera; --remeasure replaces it. wasm\nhas no peak loop yet: times without fractions. "of peak" is achieved / attainable under the\nroofline; kernels whose operands fit in the largest CPU cache are labelled cache-resident and\nare not held against the DRAM bandwidth. On webgpu, per-kernel GPU times need the adapter\'s\n\'timestamp-query\': each dispatch is then timed in a compute pass of its own (no GPU peak, so rates\nwithout fractions); without it only the time per submitted step is shown, and why. A machine\nwithout a GPU can time them on SwiftShader, the Vulkan CPU driver Debian\'s chromium ships:\n  LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json \\\n    tessera profile --backend webgpu\n\nExample:\n  tessera profile --model dense --backend native --batch-size 256',
  async run(args, io) {
    const v = args.values;
    const s = await setUpInspection('profile', v);
    const peak = resolvePeak(s.backend, v.remeasure === true, v['peak-gflops'] as number | undefined, v['peak-gbps'] as number | undefined);
    const p = await profileStep(s.model, s.lossFn, s.x, s.y, s.optimizer, { warmup: v.warmup as number, warmupSeconds: v['warmup-seconds'] as number, steps: v.steps as number, peak });
    if (v.json === true) {
      io.stdout.write(`${JSON.stringify({ model: s.source, batchSize: s.x.shape[0], backendDetails: describeBackend(s.backend), loadAverage: os.loadavg(), ...p }, null, 2)}\n`);
      return 0;
    }
    // The load beside the figures: wall-clock kernel times stretch when other processes share the cores.
    const load = `load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`;
    io.stdout.write(`${s.source}, batch ${s.x.shape[0]}, loss ${s.lossName}, backend ${describeBackend(s.backend)}, ${load}\n${formatProfile(p)}\n`);
    return 0;
  },
};
