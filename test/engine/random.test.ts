// The generator is xoshiro128**, checked against an independent BigInt implementation.
import { describe, expect, it } from 'vitest';
import { Generator } from '../../src/random.js';

function referenceXoshiro128ss(state: bigint[], count: number): number[] {
  const s = [...state];
  const mask = 0xffffffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & mask;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1] * 5n) & mask, 7n) * 9n) & mask));
    const t = (s[1] << 9n) & mask;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

describe('Generator', () => {
  it('produces the xoshiro128** sequence', () => {
    const g = new Generator(0);
    g.setState([1, 2, 3, 4, NaN]);
    const ours = Array.from({ length: 1000 }, () => g.nextUint32());
    expect(ours.slice(0, 2)).toEqual([11520, 0]);
    expect(ours).toEqual(referenceXoshiro128ss([1n, 2n, 3n, 4n], 1000));
    const seeded = new Generator(123);
    const state = seeded.getState();
    expect(Array.from({ length: 100 }, () => seeded.nextUint32())).toEqual(referenceXoshiro128ss(state.slice(0, 4).map(BigInt), 100));
  });

  it('resumes exactly from a saved state, also through JSON', () => {
    const g = new Generator(9);
    g.normal();                       // leaves a cached second normal
    const saved = JSON.parse(JSON.stringify(g.getState())) as (number | null)[];
    const a = [g.normal(), g.normal(), g.uniform()];
    const h = new Generator(0);
    h.setState(saved);
    expect([h.normal(), h.normal(), h.uniform()]).toEqual(a);
  });

  it('permutation is a permutation and uniform is in [0, 1)', () => {
    const g = new Generator(3);
    const p = Array.from(g.permutation(1000)).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (let i = 0; i < 10000; i++) { const u = g.uniform(); expect(u >= 0 && u < 1).toBe(true); }
  });
});
