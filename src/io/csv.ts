// Numeric CSV: every field a number, every row the same length. An optional header line of
// column names is detected ('auto': the first line has a field that is not a number) or forced.
// Quoted fields are accepted when the quotes just wrap the text ("1.5" or "name").

import * as fs from 'node:fs';

export interface CsvOptions {
  /** 'auto' (default): the first line is a header when any field in it is not a number. */
  header?: 'auto' | boolean;
  /** Field separator; default ','. */
  delimiter?: string;
  /** Name used in error messages when content is given directly. */
  name?: string;
}

export interface CsvTable {
  rows: number;
  cols: number;
  /** rows × cols, row-major. */
  data: Float32Array;
  columns?: string[];
}

function unquote(field: string): string {
  const t = field.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
}

/** A number in the usual spellings (ints, decimals, exponents, NaN, ±Infinity); null if not one. */
function parseNumber(text: string): number | null {
  if (text === '') return null;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^(nan|NaN)$/.test(text)) return NaN;
  if (/^[+-]?(inf|Inf|Infinity|infinity)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return null;
}

/**
 * Read a numeric CSV. `source` is the CSV text itself when it holds a newline, otherwise a path
 * (so a mistyped path is an error, never an empty table).
 */
export function readCsv(source: string, options: CsvOptions = {}): CsvTable {
  const isPath = !source.includes('\n');
  if (isPath && !fs.existsSync(source)) {
    throw new Error(`readCsv: no such file '${source}' (CSV text must contain a newline to be read as content)`);
  }
  const name = options.name ?? (isPath ? source : '<csv text>');
  const text = isPath ? fs.readFileSync(source, 'utf8') : source;
  const delimiter = options.delimiter ?? ',';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);

  let columns: string[] | undefined;
  let cols = -1;
  const values: number[] = [];
  let rows = 0;
  let first = true;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '') continue;
    const fields = line.split(delimiter).map(unquote);
    if (first) {
      first = false;
      const isHeader = options.header === 'auto' || options.header === undefined
        ? fields.some((f) => parseNumber(f) === null)
        : options.header;
      if (isHeader) {
        columns = fields;
        cols = fields.length;
        continue;
      }
    }
    if (cols === -1) cols = fields.length;
    if (fields.length !== cols) {
      throw new Error(`readCsv: '${name}' line ${li + 1} has ${fields.length} fields, expected ${cols} like the ${columns ? 'header' : 'first row'}`);
    }
    for (let c = 0; c < fields.length; c++) {
      const v = parseNumber(fields[c]);
      if (v === null) {
        const colName = columns ? ` ('${columns[c]}')` : '';
        throw new Error(`readCsv: '${name}' line ${li + 1}, column ${c + 1}${colName}: '${fields[c]}' is not a number`);
      }
      values.push(v);
    }
    rows++;
  }
  return { rows, cols: Math.max(cols, 0), data: Float32Array.from(values), ...(columns ? { columns } : {}) };
}
