// The side-by-side table on a fixed small input: columns, cells, notes, absent and failed peers.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Result } from '../../bench/harness/runner.js';
import { formatNumber, renderTable, writeJson } from '../../bench/harness/table.js';

const results: Result[] = [
  {
    name: 'tessera-native', status: 'ok', metrics: [
      { key: 'w1.seconds_per_epoch.t1', label: 'W1 s/epoch, 1 thread', value: 0.25, unit: 's', spread: 0.04 },
    ],
  },
  {
    name: 'torch', status: 'ok', metrics: [
      { key: 'w1.seconds_per_epoch.t1', label: 'W1 s/epoch, 1 thread', value: 0.5712, unit: 's', spread: 0.0123 },
      { key: 'w1.peak_rss_mib', label: 'W1 peak RSS', value: 560.6, unit: 'MiB' },
    ],
  },
  {
    name: 'tfjs-wasm', status: 'absent', reason: 'not installed in bench/.peers', metrics: [],
  },
  {
    name: 'tfjs-cpu', status: 'ok', metrics: [
      { key: 'w1.seconds_per_epoch.t1', label: 'W1 s/epoch, 1 thread', value: 64.21, unit: 's', note: 'extrapolated from 10 steps' },
    ],
  },
  { name: 'numpy', status: 'failed', reason: 'exit code 1: boom', metrics: [] },
];

function tableRows(md: string): string[][] {
  return md.split('\n').filter((l) => l.startsWith('|')).map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
}

describe('bench/harness/table renderTable', () => {
  const md = renderTable(results, { title: 'W1', machine: '2-core AMD EPYC (AVX-512), 24 GiB, Debian 12, Node 20.20.2' });
  const rows = tableRows(md);

  it('has one column per system after the measurement column, in the given order', () => {
    expect(rows[0]).toEqual(['measurement', 'tessera-native', 'torch', 'tfjs-wasm', 'tfjs-cpu', 'numpy']);
    expect(rows[1]).toEqual(['---', '---:', '---:', '---:', '---:', '---:']);
    expect(rows.length).toBe(4); // header, rule, two measurement rows
  });

  it('puts the same measurement of every system on one row, with spread as a percentage', () => {
    expect(rows[2]).toEqual([
      'W1 s/epoch, 1 thread', '0.2500 (spread 4.0%)', '0.5712 (spread 1.2%)', 'absent', '64.2 [1]', 'failed',
    ]);
  });

  it('adds the unit to a label without one and marks a missing measurement with a dash', () => {
    expect(rows[3]).toEqual(['W1 peak RSS [MiB]', '—', '561', 'absent', '—', 'failed']);
  });

  it('lists notes, and every absent or failed system with its reason', () => {
    expect(md).toContain('[1] tfjs-cpu: extrapolated from 10 steps');
    expect(md).toContain('Not measured:\n- tfjs-wasm: absent (not installed in bench/.peers)\n- numpy: failed (exit code 1: boom)\n');
    expect(md).toContain('Machine: 2-core AMD EPYC (AVX-512), 24 GiB, Debian 12, Node 20.20.2');
  });

  it('warns about a column measured while other work kept the cores busy', () => {
    const md2 = renderTable([
      { name: 'torch', status: 'ok', busyCoresBefore: 0.9, metrics: [{ key: 'k', label: 'x', value: 1, unit: '' }] },
      { name: 'numpy', status: 'ok', busyCoresBefore: 0.1, metrics: [{ key: 'k', label: 'x', value: 2, unit: '' }] },
    ]);
    expect(md2).toContain('Competing load (other processes on the same cores):\n- torch: 0.90 cores busy just before it ran\n');
    expect(md2).not.toContain('- numpy: 0.10');
  });

  it('keeps an all-absent column visible even with no measurements at all', () => {
    const only = tableRows(renderTable([{ name: 'tfjs-cpu', status: 'absent', reason: 'x', metrics: [] }]));
    expect(only[2]).toEqual(['(no measurements)', 'absent']);
  });

  it('escapes a | inside a cell so the columns stay aligned', () => {
    const md2 = renderTable([{ name: 'a|b', status: 'ok', metrics: [{ key: 'k', label: 'x', value: 1, unit: '' }] }]);
    expect(tableRows(md2)[0]).toEqual(['measurement', 'a\\|b']);
  });
});

describe('bench/harness/table formatNumber', () => {
  it('keeps 3 to 4 significant figures', () => {
    expect(formatNumber(136100.4)).toBe('136100');
    expect(formatNumber(64.21)).toBe('64.2');
    expect(formatNumber(7.104)).toBe('7.10');
    expect(formatNumber(0.01738)).toBe('0.01738');
    expect(formatNumber(0)).toBe('0');
  });
});

describe('bench/harness/table writeJson', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-table-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the JSON in place through a temporary file, leaving nothing else behind', () => {
    const path = join(dir, 'sub', 'out.json');
    writeJson(path, { results });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ results });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['out.json']);
  });
});
