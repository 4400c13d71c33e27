// The study's design: a run's seed is a function of its name alone (so --only, --shard and
// --jobs cannot change a run), shards partition the runs, and the workers' lists cover them once.
import { describe, expect, test } from 'vitest';
import { BUDGET_TABLE, SECTIONS, seedOf, shardRuns, studyRuns } from '../../src/cli/study/design.js';
import { dealRuns } from '../../src/cli/study/runner.js';

const b = BUDGET_TABLE.standard;

describe('study design', () => {
  test('a run has the same name and seed whichever sections are asked for', () => {
    const all = new Map(studyRuns([...SECTIONS], b).map((r) => [r.name, r.seed]));
    const some = studyRuns(['dropout-bn', 'generating'], b);
    expect(some.length).toBeGreaterThan(0);
    for (const r of some) expect(all.get(r.name)).toBe(r.seed);
    // FNV-1a of "a": 0xe40c292c, masked to 31 bits
    expect(seedOf('a')).toBe(0xe40c292c & 0x7fffffff);
  });

  test('a variant two sections share is one run; every variant has the budget\'s repeats, PCA one', () => {
    const runs = studyRuns(['regularisation', 'dropout-bn'], b);
    // 5 regularisers + 5 normalisers, "none" in both
    expect(runs.length).toBe(9 * b.repeats);
    expect(new Set(runs.map((r) => r.name)).size).toBe(runs.length);
    expect(studyRuns(['ae-pca'], b).filter((r) => r.variant.kind === 'pca').length).toBe(1);
  });

  test('shards and workers partition the runs', () => {
    const runs = studyRuns([...SECTIONS], b);
    const shards = [1, 2, 3].map((index) => shardRuns(runs, { index, count: 3 }).map((r) => r.name));
    expect(shards.flat().sort()).toEqual(runs.map((r) => r.name).sort());
    const lists = dealRuns(runs, 2, b).map((l) => l.map((r) => r.name));
    expect(lists.length).toBe(2);
    expect(lists.flat().sort()).toEqual(runs.map((r) => r.name).sort());
  });
});
