// One table of tessera and the peers side by side: a row per measurement (metric key), a
// column per system (Result). A system that is absent or failed keeps its column, every
// cell of which says so, and its reason is listed under the table: nothing is dropped.
// The same Markdown reads on a console. writeJson() keeps the raw results in bench/out/.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Metric, Result } from './runner.js';

export interface TableOptions {
  title?: string;
  /** The machine line (bench/harness/machine.ts), printed above the table. */
  machine?: string;
}

/** Busy cores (measured before a run) from which the table warns about competing load. */
export const BUSY_WARNING_CORES = 0.25;

/** 3-4 significant figures: 136100, 64.2, 7.10, 0.4408, 0.01738. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(4);
}

function rowLabel(m: Metric): string {
  return m.unit && !m.label.includes(m.unit) ? `${m.label} [${m.unit}]` : m.label;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderTable(results: readonly Result[], opts: TableOptions = {}): string {
  // Rows in order of first appearance, so a runner's own order is kept.
  const rows: { key: string; label: string }[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    for (const m of r.metrics) {
      if (!seen.has(m.key)) { seen.add(m.key); rows.push({ key: m.key, label: rowLabel(m) }); }
    }
  }
  const notes: string[] = [];
  const noteRef = (text: string) => {
    let i = notes.indexOf(text);
    if (i < 0) { notes.push(text); i = notes.length - 1; }
    return ` [${i + 1}]`;
  };
  const cell = (r: Result, key: string): string => {
    if (r.status !== 'ok') return r.status; // 'absent' or 'failed'; the reason is listed below
    const m = r.metrics.find((x) => x.key === key);
    if (!m) return '—';
    let text = formatNumber(m.value);
    if (m.spread !== undefined && m.spread > 0) text += ` (spread ${(m.spread * 100).toFixed(1)}%)`;
    if (m.note) text += noteRef(`${r.name}: ${m.note}`);
    return text;
  };

  const header = ['measurement', ...results.map((r) => r.name)];
  const lines: string[] = [];
  if (opts.title) lines.push(`### ${opts.title}`, '');
  if (opts.machine) lines.push(`Machine: ${opts.machine}`, '');
  lines.push(`| ${header.map(escapeCell).join(' | ')} |`);
  lines.push(`| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  if (rows.length === 0) lines.push(`| (no measurements) | ${results.map((r) => (r.status === 'ok' ? '—' : r.status)).join(' | ')} |`);
  for (const row of rows) {
    lines.push(`| ${[row.label, ...results.map((r) => cell(r, row.key))].map(escapeCell).join(' | ')} |`);
  }
  if (notes.length > 0) {
    lines.push('');
    notes.forEach((n, i) => lines.push(`[${i + 1}] ${n}`));
  }
  // Other work on the cores makes every figure of that column slower than the machine allows.
  const disturbed = results.filter((r) => Math.max(r.busyCoresBefore ?? 0, r.otherBusyCores ?? 0) >= BUSY_WARNING_CORES);
  if (disturbed.length > 0) {
    lines.push('', 'Competing load (other processes on the same cores):');
    for (const r of disturbed) {
      const parts: string[] = [];
      if (r.busyCoresBefore !== undefined) parts.push(`${r.busyCoresBefore.toFixed(2)} cores busy just before it ran`);
      if (r.otherBusyCores !== undefined) parts.push(`up to ${r.otherBusyCores.toFixed(2)} cores during it`);
      lines.push(`- ${r.name}: ${parts.join(', ')}`);
    }
  }
  const missing = results.filter((r) => r.status !== 'ok');
  if (missing.length > 0) {
    lines.push('', 'Not measured:');
    for (const r of missing) lines.push(`- ${r.name}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** Writes JSON to a temporary name, then renames it into place. */
export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  renameSync(tmp, path);
}
