import { describe, expect, it } from 'vitest';
import { w1Metrics } from '../../bench/tessera/w1.js';
import type { W1ChildOutput } from '../../bench/tessera/w1-args.js';
import { parsePackJson } from '../../bench/tessera/footprint.js';
import { parseStartupLine } from '../../bench/tessera/startup.js';
import { seedStudyMetrics } from '../../bench/tessera/seed-study.js';

function output(threads: number, epochSeconds: number[], testMse: number[], rss: number): W1ChildOutput {
  const s = [...epochSeconds].sort((a, b) => a - b);
  const median = s[s.length >> 1];
  return {
    runner: 'tessera', workload: 'W1', backend: 'native', threads, native: null, epochs: testMse.length, data: 'bytes', batch: 256,
    train_rows: 60_000, seed: 0, load_seconds: 0.1, epoch_seconds: epochSeconds, epoch_peak_rss_mib: rss - 10,
    seconds_per_epoch: { median, min: s[0], max: s[s.length - 1], spread: (s[s.length - 1] - s[0]) / median, n: s.length },
    samples_per_second: 60_000 / median, train_loss: testMse, test_loss: testMse, peak_rss_mib: rss,
  };
}

describe('W1 result shaping', () => {
  it('puts each thread count in its row and takes MSE and RSS from the first run', () => {
    const m = w1Metrics([
      { threads: 1, out: output(1, [0.3, 0.2, 0.25], [0.03, 0.02, 0.018], 120) },
      { threads: 2, out: output(2, [0.2, 0.1, 0.15], [0.03, 0.02, 0.019], 130) },
    ]);
    const byKey = Object.fromEntries(m.map((x) => [x.key, x.value]));
    expect(byKey['w1.seconds_per_epoch.t1']).toBe(0.25);
    expect(byKey['w1.seconds_per_epoch.t2']).toBe(0.15);
    expect(byKey['w1.samples_per_second.t2']).toBeCloseTo(400_000, 6);
    expect(byKey['w1.test_mse.e3']).toBe(0.018);
    expect(byKey['w1.peak_rss_mib']).toBe(120);
    expect(byKey['w1.epoch_peak_rss_mib']).toBe(110);
    expect(m.find((x) => x.key === 'w1.seconds_per_epoch.t1')?.spread).toBeCloseTo(0.4, 12);
  });

  it('notes the core-to-core round trips measured around a multithreaded run', () => {
    const m = w1Metrics([
      { threads: 1, out: output(1, [0.2], [0.02], 100) },
      { threads: 2, out: output(2, [0.15], [0.02], 100), coreRoundTripNs: [101.4, null] },
    ]);
    expect(m.find((x) => x.key === 'w1.seconds_per_epoch.t1')?.note).toBeUndefined();
    expect(m.find((x) => x.key === 'w1.seconds_per_epoch.t2')?.note).toBe('core-to-core round trip 101 ns before, ? ns after (bench/peak/core_latency.c)');
  });

  it('refuses a run whose thread count is not the one asked for', () => {
    expect(() => w1Metrics([{ threads: 2, out: output(1, [0.2], [0.02], 100) }])).toThrow(/asked for 2 threads/);
  });
});

describe('bench parsers', () => {
  it('reads npm pack --json after npm notices', () => {
    const p = parsePackJson('npm notice\n[{"filename":"tessera-0.1.0.tgz","size":2097152,"unpackedSize":4194304,"entryCount":5}]');
    expect(p).toEqual({ filename: 'tessera-0.1.0.tgz', size: 2097152, unpackedSize: 4194304, entryCount: 5 });
    expect(() => parsePackJson('oops')).toThrow(/no JSON array/);
  });

  it('reads the start-up child line as seconds and MiB', () => {
    expect(parseStartupLine('87.5 51200\n')).toEqual({ inProcessSeconds: 0.0875, rssMib: 50 });
    expect(() => parseStartupLine('87.5')).toThrow(/expected "<ms> <KiB>"/);
  });
});

describe('W1 seed study', () => {
  it('compares mean test MSE and takes the median speed-up of back-to-back pairs', () => {
    const pair = (seed: number, ts: number, tm: number, ps: number, pm: number) =>
      ({ seed, tessera: { secondsPerEpoch: ts, testMse: tm }, torch: { secondsPerEpoch: ps, testMse: pm } });
    const m = seedStudyMetrics([pair(0, 0.2, 0.020, 0.3, 0.019), pair(1, 0.25, 0.018, 0.3, 0.019), pair(2, 0.1, 0.019, 0.4, 0.019)], 5);
    const byKey = Object.fromEntries(m.map((x) => [x.key, x]));
    expect(byKey['w1.seeds.tessera_test_mse.e5'].value).toBeCloseTo(0.019, 12);
    expect(byKey['w1.seeds.torch_test_mse.e5'].value).toBeCloseTo(0.019, 12);
    expect(byKey['w1.seeds.test_mse_ratio.e5'].value).toBeCloseTo(1, 12);
    // speed-ups 1.5, 1.2, 4: median 1.5
    expect(byKey['w1.seeds.speedup.t1'].value).toBeCloseTo(1.5, 12);
    // sample std of 0.020, 0.018, 0.019 is 0.001
    expect(byKey['w1.seeds.tessera_test_mse.e5'].note).toBe('± 0.001000 (sample std), seeds 0,1,2');
    expect(() => seedStudyMetrics([], 5)).toThrow(/no seed pairs/);
  });
});
