// `tessera profile`: times one training step op by op on a backend (warm-up steps first, then
// the median of a few), with each op's share of the step, its GFLOP/s or GB/s, its fraction of
// the machine's peak, and the time spent outside kernels (engine overhead).
import type { Command } from './command.js';
import type { OptionSpec } from './options.js';
import { describeBackend } from './backend-choice.js';
import { formatProfile, profileStep } from '../inspect/profiler.js';
import { DEFAULT_PEAK, measuredPeak, type MachinePeak } from '../inspect/peak.js';
import { INSPECT_MODEL_OPTIONS, setUpInspection } from './inspect-model.js';

const options: OptionSpec[] = [
  ...INSPECT_MODEL_OPTIONS,
  { name: 'warmup', kind: 'int', min: 0, default: 3, help: 'untimed steps first' },
  { name: 'steps', kind: 'int', min: 1, default: 5, help: 'timed steps; the median one is reported' },
  { name: 'peak-gflops', kind: 'number', positive: true, help: `peak GFLOP/s per core (default: measured by bench/peak, else ${DEFAULT_PEAK.gflopsPerCore} for AVX-512)` },
  { name: 'peak-gbps', kind: 'number', positive: true, help: `memory bandwidth in GB/s (default: measured by bench/peak, else ${DEFAULT_PEAK.gbps})` },
  { name: 'json', kind: 'flag', help: 'print the profile as JSON' },
];

/** --peak-* first, then the newest bench/out measurement, then the documented defaults. */
function resolvePeak(gflops: number | undefined, gbps: number | undefined): MachinePeak {
  const measured = measuredPeak();
  const base = measured ?? DEFAULT_PEAK;
  if (gflops === undefined && gbps === undefined) return base;
  return {
    gflopsPerCore: gflops ?? base.gflopsPerCore,
    gbps: gbps ?? base.gbps,
    source: `${gflops !== undefined ? '--peak-gflops' : ''}${gflops !== undefined && gbps !== undefined ? ', ' : ''}${gbps !== undefined ? '--peak-gbps' : ''}` +
      ` (the rest: ${base.source})`,
  };
}

export const profileCommand: Command = {
  name: 'profile',
  summary: 'time one training step op by op: share, GFLOP/s, fraction of peak, engine overhead',
  usage: '[options]',
  description: 'Times one training step of a model on a backend, op by op: every kernel call is timed and\nattributed to the forward op, backward rule or parameter update that made it. After --warmup\nuntimed steps, --steps steps are timed and the median one is reported, sorted by time, with\nthe time spent outside kernels (graph building, checks, allocation: the engine\'s overhead).',
  options,
  notes: 'Peak: the newest bench/out/bench-*.json with the "machine peak" metrics (npm run bench), else\n240 GFLOP/s per core (AVX-512: two 16-lane FMAs per cycle at ~3.75 GHz) and 30 GB/s, times\nthe backend\'s threads. "of peak" is achieved / attainable under the roofline; data already in\ncache can exceed the DRAM bandwidth (over 100%). On webgpu the per-op times are submission\ntimes; the GPU\'s execution shows as the wait at the end of the step.\n\nExample:\n  tessera profile --model dense --backend native --batch-size 256',
  async run(args, io) {
    const v = args.values;
    const s = await setUpInspection('profile', v);
    const peak = resolvePeak(v['peak-gflops'] as number | undefined, v['peak-gbps'] as number | undefined);
    const p = await profileStep(s.model, s.lossFn, s.x, s.y, s.optimizer, { warmup: v.warmup as number, steps: v.steps as number, peak });
    if (v.json === true) {
      io.stdout.write(`${JSON.stringify({ model: s.source, batchSize: s.x.shape[0], backendDetails: describeBackend(s.backend), ...p }, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(`${s.source}, batch ${s.x.shape[0]}, loss ${s.lossName}, backend ${describeBackend(s.backend)}\n${formatProfile(p)}\n`);
    return 0;
  },
};
