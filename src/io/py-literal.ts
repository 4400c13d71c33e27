// A parser for the few Python literals a .npy header holds (NumPy reads it with ast.literal_eval):
// dicts, tuples, lists, strings, ints, True/False/None. The header is parsed as the literal it
// is, not searched with regular expressions: a string value holding "'shape': (24,)" is a string,
// never a second 'shape'. Dicts come back as Maps (no prototype keys), and a repeated key is an
// error (Python would silently keep the last; in a header it can only be a forgery).

export type PyValue = string | number | boolean | null | PyValue[] | Map<string | number, PyValue>;

/** Nesting deeper than this is refused: no real header nests more than two levels. */
const MAX_DEPTH = 32;

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '0': '\0' };

/** Parse `text` (one literal, surrounded by optional whitespace); errors say what and where. */
export function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${pos} of ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const expect = (ch: string): void => {
    skipSpace();
    if (text[pos] !== ch) fail(`expected '${ch}', found ${pos < text.length ? `'${text[pos]}'` : 'the end'}`);
    pos++;
  };

  function str(): string {
    const quote = text[pos++];
    let out = '';
    for (;;) {
      if (pos >= text.length) return fail(`unterminated string`);
      const c = text[pos++];
      if (c === quote) return out;
      if (c === '\n') return fail(`newline inside a string`);
      if (c !== '\\') { out += c; continue; }
      const e = text[pos++];
      if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(pos, pos + 2))) {
        out += String.fromCharCode(parseInt(text.slice(pos, pos + 2), 16));
        pos += 2;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
      } else {
        fail(`unsupported escape '\\${e ?? ''}'`);
      }
    }
  }

  /** Items up to `close`, separated by commas, a trailing comma allowed; says whether a comma was seen. */
  function items(close: string, item: () => void): boolean {
    let n = 0;
    let comma = false;
    for (;;) {
      skipSpace();
      if (text[pos] === close) { pos++; return comma; }
      if (n > 0) {
        expect(',');
        comma = true;
        skipSpace();
        if (text[pos] === close) { pos++; return comma; }
      }
      item();
      n++;
    }
  }

  function value(depth: number): PyValue {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipSpace();
    const c = text[pos];
    if (c === "'" || c === '"') return str();
    if (c === '{') {
      pos++;
      const dict = new Map<string | number, PyValue>();
      items('}', () => {
        const at = pos;
        const key = value(depth + 1);
        if (typeof key !== 'string' && typeof key !== 'number') fail(`a dict key must be a string or a number`);
        if (dict.has(key as string | number)) { pos = at; fail(`repeated key ${JSON.stringify(key)}`); }
        expect(':');
        dict.set(key as string | number, value(depth + 1));
      });
      return dict;
    }
    if (c === '(' || c === '[') {
      pos++;
      const list: PyValue[] = [];
      const comma = items(c === '(' ? ')' : ']', () => { list.push(value(depth + 1)); });
      // (x) is x in Python; only (x,) is a one-element tuple.
      if (c === '(' && list.length === 1 && !comma) return list[0];
      return list;
    }
    const word = /^(True|False|None|-?\d+L?)(?![\w.])/.exec(text.slice(pos, pos + 40));
    if (word === null) return fail(`unexpected ${pos < text.length ? `'${text[pos]}'` : 'end'} (expected a dict, tuple, list, string, int, True, False or None)`);
    pos += word[1].length;
    if (word[1] === 'True') return true;
    if (word[1] === 'False') return false;
    if (word[1] === 'None') return null;
    const n = Number(word[1].replace(/L$/, ''));
    if (!Number.isSafeInteger(n)) fail(`integer ${word[1]} is too large`);
    return n;
  }

  const v = value(0);
  skipSpace();
  if (pos < text.length) fail(`unexpected text after the literal`);
  return v;
}
