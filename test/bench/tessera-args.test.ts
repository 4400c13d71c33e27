import { describe, expect, it } from 'vitest';
import { parseBenchArgs, selectRunners } from '../../bench/tessera/run-args.js';
import { parseW1ChildArgs } from '../../bench/tessera/w1-args.js';
import { parseGemmArgs } from '../../bench/gemm-args.js';

describe('bench/run.ts arguments', () => {
  it('parses every flag', () => {
    const a = parseBenchArgs(['--quick', '--only', 'tessera-native,torch', '--epochs', '3', '--threads', '1,2', '--seed', '7',
      '--wait-quiet', '30', '--footprint', '--no-peers', '--out', '/tmp/x.json']);
    expect(a.opts).toEqual({ quick: true, epochs: 3, threads: [1, 2], seed: 7 });
    expect([...(a.only ?? [])]).toEqual(['tessera-native', 'torch']);
    expect(a.waitQuietSeconds).toBe(30);
    expect(a.footprint).toBe(true);
    expect(a.noPeers).toBe(true);
    expect(a.out).toBe('/tmp/x.json');
    expect(a.seeds).toBe(0); // --quick leaves the seed study out unless asked
    expect(parseBenchArgs(['--quick', '--seeds', '3']).seeds).toBe(3);
  });

  it('defaults to a full run of everything', () => {
    const a = parseBenchArgs([]);
    expect(a).toEqual({ opts: {}, waitQuietSeconds: 0, footprint: false, noPeers: false, seeds: 8, help: false });
  });

  it('rejects bad values and unknown flags by name', () => {
    expect(() => parseBenchArgs(['--epochs', '0'])).toThrow(/--epochs expects positive integers/);
    expect(() => parseBenchArgs(['--threads', '1,x'])).toThrow(/--threads/);
    expect(() => parseBenchArgs(['--only'])).toThrow(/--only expects/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown option '--fast'/);
    expect(() => parseBenchArgs(['--seeds', '-1'])).toThrow(/--seeds expects an integer >= 0/);
  });

  it('selects runners by name and names the unknown ones', () => {
    const rs = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    expect(selectRunners(rs, undefined).map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(selectRunners(rs, new Set(['c', 'a'])).map((r) => r.name)).toEqual(['a', 'c']);
    expect(() => selectRunners(rs, new Set(['a', 'zz']))).toThrow(/unknown runners: zz/);
  });
});

describe('bench/tessera/w1-child arguments', () => {
  it('parses and defaults', () => {
    expect(parseW1ChildArgs([])).toEqual({ workload: 'W1', backend: 'native', epochs: 5, seed: 0, limit: 0, data: 'bytes' });
    expect(parseW1ChildArgs(['--backend', 'js', '--epochs', '2', '--seed', '3', '--limit', '512']))
      .toEqual({ workload: 'W1', backend: 'js', epochs: 2, seed: 3, limit: 512, data: 'bytes' });
    expect(parseW1ChildArgs(['--data', 'float32']).data).toBe('float32');
    expect(() => parseW1ChildArgs(['--data', 'f16'])).toThrow(/--data expects bytes or float32/);
  });

  it('rejects an unknown backend and bad numbers', () => {
    expect(() => parseW1ChildArgs(['--backend', 'cuda'])).toThrow(/--backend expects one of native, wasm, js, webgpu/);
    expect(() => parseW1ChildArgs(['--epochs', '1.5'])).toThrow(/--epochs expects an integer >= 1/);
    expect(() => parseW1ChildArgs(['--x'])).toThrow(/unknown option '--x'/);
  });
});

describe('bench/gemm.ts arguments', () => {
  it('defaults, --quick, and every flag', () => {
    expect(parseGemmArgs([])).toEqual({ quick: false, rounds: 2, isa: undefined, workload: 'W1', threads: undefined,
      sizes: [128, 256, 512, 1024, 2048], rowsOnly: false });
    expect(parseGemmArgs(['--quick', '--rounds', '5'])).toMatchObject({ quick: true, rounds: 1, sizes: [256, 1024] });
    expect(parseGemmArgs(['--rounds', '3', '--isa', 'avx2', '--workload', 'W3', '--threads', '1,2', '--sizes', 'none', '--rows-only']))
      .toEqual({ quick: false, rounds: 3, isa: 'avx2', workload: 'W3', threads: [1, 2], sizes: [], rowsOnly: true });
    expect(parseGemmArgs(['--sizes=64,96', '--isa=all'])).toMatchObject({ sizes: [64, 96], isa: 'all' });
  });

  it('rejects bad values, unknown flags and stray words by name', () => {
    expect(() => parseGemmArgs(['--workload', 'W2'])).toThrow("bench/gemm.ts: --workload expects one of W1, W3, got 'W2'");
    expect(() => parseGemmArgs(['--isa', 'neon'])).toThrow("bench/gemm.ts: --isa expects one of all, avx512, avx2, portable, got 'neon'");
    expect(() => parseGemmArgs(['--threads', '1,x'])).toThrow("bench/gemm.ts: --threads expects positive integers, got 'x'");
    expect(() => parseGemmArgs(['--sizes', '128,'])).toThrow("bench/gemm.ts: --sizes expects positive integers, got ''");
    expect(() => parseGemmArgs(['--rounds', '0'])).toThrow("bench/gemm.ts: --rounds expects positive integers, got '0'");
    expect(() => parseGemmArgs(['--fast'])).toThrow(/bench\/gemm.ts: .*'--fast'/);
    expect(() => parseGemmArgs(['--rounds'])).toThrow(/bench\/gemm.ts: .*--rounds/);
    expect(() => parseGemmArgs(['256'])).toThrow(/bench\/gemm.ts: .*'256'/);
  });
});
