// Compact numbers for tables: 25.7M FLOPs, 1.2 MB, 3.45 ms.

/** 1234 → '1.23k', 25_700_000 → '25.7M'. */
export function si(n: number, unit = ''): string {
  const a = Math.abs(n);
  const [div, suffix] = a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : [1, ''];
  const v = n / div;
  const digits = div === 1 ? (Number.isInteger(v) ? 0 : 2) : Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)}${suffix}${unit}`;
}

/** Bytes with binary prefixes: '3.06 MiB'. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function shapeText(shape: readonly number[] | null): string {
  return shape === null ? '—' : `[${shape.join(', ')}]`;
}

/** Left-aligned text table with a header row and a rule under it. */
export function table(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
