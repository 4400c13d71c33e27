// A JSON parser for headers that come from untrusted files (safetensors). JSON.parse keeps the
// last of two equal keys without a word, returns plain objects (where a key '__proto__' or
// 'toString' meets the prototype's names as soon as someone indexes them), and parses a 100 MB
// header of a million entries whole before anyone can count them. Here objects come back as
// Maps, a repeated key is an error, and parsing stops as soon as the entry budget is spent.

export type JsonValue = null | boolean | number | string | JsonValue[] | Map<string, JsonValue>;

export interface StrictJsonOptions {
  /** The most object members in the whole document (every object counts). */
  maxEntries: number;
  /** The deepest nesting of objects and arrays. */
  maxDepth: number;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parse `text` as one JSON value. Errors name what was wrong and the character offset. */
export function parseStrictJson(text: string, options: StrictJsonOptions): JsonValue {
  let pos = 0;
  let entries = 0;
  const fail = (what: string): never => { throw new Error(`${what} at character ${pos}`); };
  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };

  function str(): string {
    const start = pos; // at the opening quote
    pos++;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) return fail(`unterminated string`);
      if (c === 0x22) break;
      if (c === 0x5c) { pos++; escaped = true; } // skip the escaped character; JSON.parse checks the escape itself
      else if (c < 0x20) return fail(`control character inside a string`);
      pos++;
    }
    pos++;
    if (!escaped) return text.slice(start + 1, pos - 1);
    try {
      return JSON.parse(text.slice(start, pos)) as string;
    } catch {
      pos = start;
      return fail(`bad escape in a string`);
    }
  }

  function value(depth: number): JsonValue {
    if (depth > options.maxDepth) fail(`nesting deeper than ${options.maxDepth}`);
    skipSpace();
    const c = text[pos];
    if (c === '"') return str();
    if (c === '{') {
      pos++;
      const obj = new Map<string, JsonValue>();
      skipSpace();
      if (text[pos] === '}') { pos++; return obj; }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail(`expected a key (a string)`);
        const keyAt = pos;
        const key = str();
        if (obj.has(key)) { pos = keyAt; fail(`repeated key ${JSON.stringify(key)}`); }
        if (++entries > options.maxEntries) { pos = keyAt; fail(`more than ${options.maxEntries} entries`); }
        skipSpace();
        if (text[pos] !== ':') fail(`expected ':'`);
        pos++;
        obj.set(key, value(depth + 1));
        skipSpace();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === '}') { pos++; return obj; }
        fail(`expected ',' or '}'`);
      }
    }
    if (c === '[') {
      pos++;
      const list: JsonValue[] = [];
      skipSpace();
      if (text[pos] === ']') { pos++; return list; }
      for (;;) {
        list.push(value(depth + 1));
        skipSpace();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === ']') { pos++; return list; }
        fail(`expected ',' or ']'`);
      }
    }
    if (text.startsWith('true', pos)) { pos += 4; return true; }
    if (text.startsWith('false', pos)) { pos += 5; return false; }
    if (text.startsWith('null', pos)) { pos += 4; return null; }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m === null) return fail(pos < text.length ? `unexpected ${JSON.stringify(text[pos])}` : `unexpected end`);
    pos += m[0].length;
    return Number(m[0]);
  }

  const v = value(0);
  skipSpace();
  if (pos < text.length) fail(`unexpected text after the JSON value`);
  return v;
}
