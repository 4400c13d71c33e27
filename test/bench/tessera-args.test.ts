import { describe, expect, it } from 'vitest';
import { parseBenchArgs, selectRunners } from '../../bench/tessera/run-args.js';
import { parseW1ChildArgs } from '../../bench/tessera/w1-args.js';

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
