// A small parser for the subset of the Graphviz DOT language tessera writes (digraph, node and
// edge statements with attribute lists, graph attributes): throws on a syntax error, returns
// the declared nodes and the edges. Written for the tests, independently of src/inspect.

type Token = { kind: 'id' | 'string' | 'sym'; text: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let j = i + 1, text = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') { text += src[j] + src[j + 1]; j += 2; continue; }
        if (src[j] === '\n') throw new Error(`DOT: newline inside a string at ${i}`);
        text += src[j++];
      }
      if (j >= src.length) throw new Error(`DOT: unterminated string at ${i}`);
      out.push({ kind: 'string', text });
      i = j + 1;
      continue;
    }
    if (src.startsWith('->', i)) { out.push({ kind: 'sym', text: '->' }); i += 2; continue; }
    if ('{}[];,='.includes(c)) { out.push({ kind: 'sym', text: c }); i++; continue; }
    const m = /^(-?\d+(\.\d+)?|[A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i));
    if (!m) throw new Error(`DOT: unexpected character '${c}' at ${i}`);
    out.push({ kind: 'id', text: m[0] });
    i += m[0].length;
  }
  return out;
}

export function parseDot(src: string): { nodes: Set<string>; edges: [string, string][] } {
  const t = tokenize(src);
  let p = 0;
  const peek = () => t[p];
  const expect = (text: string) => {
    if (t[p]?.text !== text || t[p]?.kind === 'string') throw new Error(`DOT: expected '${text}' at token ${p}, got '${t[p]?.text}'`);
    p++;
  };
  const id = (): string => {
    const tok = t[p];
    if (!tok || (tok.kind !== 'id' && tok.kind !== 'string')) throw new Error(`DOT: expected an identifier at token ${p}, got '${tok?.text}'`);
    p++;
    return tok.text;
  };
  const attrs = () => {
    expect('[');
    while (peek()?.text !== ']') {
      id();
      expect('=');
      id();
      if (peek()?.text === ',') p++;
    }
    expect(']');
  };
  expect('digraph');
  if (peek()?.text !== '{') id();
  expect('{');
  const nodes = new Set<string>();
  const edges: [string, string][] = [];
  while (peek() && peek().text !== '}') {
    const first = id();
    if (peek()?.text === '->') {
      p++;
      const to = id();
      edges.push([first, to]);
      if (peek()?.text === '[') attrs();
    } else if (peek()?.text === '=') {
      p++;
      id();
    } else {
      if (peek()?.text === '[') attrs();
      if (!['node', 'edge', 'graph'].includes(first)) nodes.add(first);
    }
    expect(';');
  }
  expect('}');
  if (p !== t.length) throw new Error(`DOT: ${t.length - p} tokens after the closing brace`);
  return { nodes, edges };
}
