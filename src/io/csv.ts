// Numeric CSV: every field a number, every row the same length. An optional header line of
// column names is detected ('auto': every field of the first line is text, none a number) or
// forced. A first line that mixes numbers and text is an error, never a header: it is a data
// row with a typo as often as it is a header with a numeric name, and only the user can say.
// Quoted fields are accepted when the quotes just wrap the text ("1.5" or "name").
//
// `parseCsv` parses text it is given; `readCsv` reads a file. They are two functions so that
// text from elsewhere (a request, a form) can never be taken for a path and read a local file.

import * as fs from 'node:fs';

export interface CsvOptions {
  /** 'auto' (default): the first line is a header when none of its fields is a number. */
  header?: 'auto' | boolean;
  /** Field separator; default ',' (readCsv: tab for a .tsv file). */
  delimiter?: string;
  /** Name used in error messages (parseCsv; default '<csv text>'). */
  name?: string;
}

export interface CsvTable {
  rows: number;
  cols: number;
  /** rows × cols, row-major. */
  data: Float32Array;
  columns?: string[];
}

/** The largest finite float32: a value beyond it would be stored as ±Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

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

/** A decimal literal (not an explicit inf/nan spelling) whose value float32 cannot hold. */
function overflows(text: string, v: number): boolean {
  return /\d/.test(text) && Math.abs(v) > FLOAT32_MAX;
}

/** Parses numeric CSV text. Errors name `options.name`, the row (1-based line) and column. */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const name = options.name ?? '<csv text>';
  const delimiter = options.delimiter ?? ',';
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const where = (li: number, c: number, columns?: string[]) =>
    `'${name}' row ${li + 1}, column ${c + 1}${columns ? ` ('${columns[c]}')` : ''}`;

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
      let isHeader = options.header === true;
      if (options.header === 'auto' || options.header === undefined) {
        const numeric = fields.map((f) => parseNumber(f) !== null);
        isHeader = numeric.every((n) => !n);
        if (!isHeader && numeric.some((n) => !n)) {
          const c = numeric.indexOf(false);
          throw new Error(`readCsv: ${where(li, c)}: '${fields[c]}' is not a number, but other fields of row ${li + 1} are: ` +
            `it is neither a header (names only) nor a data row; fix the value, or say that row ${li + 1} is a header (header: true, --header)`);
        }
      }
      if (isHeader) {
        columns = fields;
        cols = fields.length;
        continue;
      }
    }
    if (cols === -1) cols = fields.length;
    if (fields.length !== cols) {
      throw new Error(`readCsv: '${name}' row ${li + 1} has ${fields.length} fields, expected ${cols} like the ${columns ? 'header' : 'first row'}`);
    }
    for (let c = 0; c < fields.length; c++) {
      const v = parseNumber(fields[c]);
      if (v === null) throw new Error(`readCsv: ${where(li, c, columns)}: '${fields[c]}' is not a number`);
      if (overflows(fields[c], v)) throw new Error(`readCsv: ${where(li, c, columns)}: '${fields[c]}' is beyond float32's range (±3.4e38); it would be stored as ${v > 0 ? '' : '-'}Infinity`);
      values.push(v);
    }
    rows++;
  }
  return { rows, cols: Math.max(cols, 0), data: Float32Array.from(values), ...(columns ? { columns } : {}) };
}

/** Reads a numeric CSV (or, with a .tsv name, tab-separated) file; errors name the file. */
export function readCsv(file: string, options: Omit<CsvOptions, 'name'> = {}): CsvTable {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`readCsv: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const delimiter = options.delimiter ?? (/\.tsv$/i.test(file) ? '\t' : ',');
  return parseCsv(text, { ...options, delimiter, name: file });
}
