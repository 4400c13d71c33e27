// A picture of a step graph written by the project itself (no Graphviz needed): a layered
// layout — each node on the layer after its deepest predecessor, nodes in a layer ordered by
// the mean position of their predecessors to cut crossings — drawn as boxes and arrows.
import type { GraphEdgeKind, GraphNodeKind, StepGraph } from './step-graph.js';

const BOX_H_LINE = 14;
const PAD = 6;
const CHAR_W = 6.6;       // monospace 11px
const LAYER_GAP = 46;
const NODE_GAP = 22;
const MARGIN = 20;

const FILL: Record<GraphNodeKind, string> = {
  input: '#f3f4f6', param: '#dbeafe', op: '#ffffff', loss: '#fef3c7', rule: '#fee2e2',
};
const STROKE: Record<GraphEdgeKind, string> = { data: '#374151', grad: '#b91c1c', saved: '#9ca3af' };

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Placed { key: string; x: number; y: number; w: number; h: number; layer: number }

/**
 * Positions of every node (top-left corner and size), by layer. Forward nodes are layered by
 * their data edges (top to bottom); each backward rule sits on its forward op's layer, in a
 * column to the right, so gradients flow back up beside the ops that produced them.
 */
export function layoutGraph(g: StepGraph): { placed: Map<string, Placed>; width: number; height: number } {
  const kind = new Map(g.nodes.map((n) => [n.key, n.kind]));
  const dataEdges = g.edges.filter((e) => e.kind === 'data');
  const preds = new Map<string, string[]>(g.nodes.map((n) => [n.key, []]));
  for (const e of dataEdges) preds.get(e.to)?.push(e.from);
  const layer = new Map<string, number>();
  const depth = (key: string, seen: Set<string>): number => {
    const known = layer.get(key);
    if (known !== undefined) return known;
    if (seen.has(key)) throw new Error(`layoutGraph: the graph has a cycle through '${key}' (src/inspect/svg-graph.ts)`);
    seen.add(key);
    const ps = preds.get(key) ?? [];
    const d = ps.length === 0 ? 0 : 1 + Math.max(...ps.map((p) => depth(p, seen)));
    seen.delete(key);
    layer.set(key, d);
    return d;
  };
  const forwardNodes = g.nodes.filter((n) => n.kind !== 'rule');
  for (const n of forwardNodes) depth(n.key, new Set());
  // Sources sit just above their first consumer rather than all at the top.
  for (const n of forwardNodes) {
    if ((preds.get(n.key) ?? []).length > 0) continue;
    const consumers = dataEdges.filter((e) => e.from === n.key).map((e) => layer.get(e.to)!);
    if (consumers.length > 0) layer.set(n.key, Math.max(0, Math.min(...consumers) - 1));
  }
  for (const e of g.edges) if (e.kind === 'saved' && kind.get(e.to) === 'rule') layer.set(e.to, layer.get(e.from) ?? 0);
  for (const n of g.nodes) if (!layer.has(n.key)) layer.set(n.key, 0);
  const layers: string[][] = [];
  for (const n of g.nodes) (layers[layer.get(n.key)!] ??= []).push(n.key);
  const size = new Map(g.nodes.map((n) => [n.key, {
    w: Math.ceil(Math.max(...n.lines.map((l) => l.length)) * CHAR_W + 2 * PAD),
    h: n.lines.length * BOX_H_LINE + 2 * PAD,
  }]));
  // Column widths: the forward part of each layer is centred in the widest forward row; rules
  // start in one column to its right.
  const rowWidth = (keys: string[]) => keys.reduce((a, k) => a + size.get(k)!.w + NODE_GAP, 0) - (keys.length ? NODE_GAP : 0);
  const forwardOf = (keys: string[]) => keys.filter((k) => kind.get(k) !== 'rule');
  const rulesOf = (keys: string[]) => keys.filter((k) => kind.get(k) === 'rule');
  const forwardWidth = Math.max(0, ...layers.map((keys) => rowWidth(forwardOf(keys ?? []))));
  const ruleColumn = MARGIN + forwardWidth + 3 * NODE_GAP;
  const placed = new Map<string, Placed>();
  const centre = new Map<string, number>();
  let y = MARGIN;
  let width = MARGIN + forwardWidth + MARGIN;
  for (let li = 0; li < layers.length; li++) {
    const keys = layers[li] ?? [];
    // Barycentre of the predecessors' x centres; nodes without placed predecessors keep their order.
    const score = (k: string, i: number) => {
      const xs = (preds.get(k) ?? []).map((p) => centre.get(p)).filter((v): v is number => v !== undefined);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : i * 1e-3 - 1;
    };
    const fwd = forwardOf(keys).map((k, i) => ({ k, s: score(k, i) })).sort((a, b) => a.s - b.s).map((o) => o.k);
    const h = Math.max(0, ...keys.map((k) => size.get(k)!.h));
    let x = MARGIN + (forwardWidth - rowWidth(fwd)) / 2;
    for (const k of fwd) {
      const s = size.get(k)!;
      placed.set(k, { key: k, x, y, w: s.w, h: s.h, layer: li });
      centre.set(k, x + s.w / 2);
      x += s.w + NODE_GAP;
    }
    x = ruleColumn;
    for (const k of rulesOf(keys)) {
      const s = size.get(k)!;
      placed.set(k, { key: k, x, y, w: s.w, h: s.h, layer: li });
      x += s.w + NODE_GAP;
      width = Math.max(width, x - NODE_GAP + MARGIN);
    }
    y += h + LAYER_GAP;
  }
  return { placed, width: Math.max(width, 2 * MARGIN), height: y - LAYER_GAP + MARGIN };
}

/** The graph as a standalone SVG document. */
export function graphToSvg(g: StepGraph, title = 'training step'): string {
  const { placed, width, height } = layoutGraph(g);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" font-family="monospace" font-size="11">`);
  out.push(`<title>${xmlEscape(title)}</title>`);
  out.push('<defs>');
  for (const [k, c] of Object.entries(STROKE)) {
    out.push(`<marker id="arrow-${k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`);
  }
  out.push('</defs>');
  out.push(`<rect x="0" y="0" width="${Math.ceil(width)}" height="${Math.ceil(height)}" fill="#ffffff"/>`);
  for (const e of g.edges) {
    const a = placed.get(e.from), b = placed.get(e.to);
    if (!a || !b) continue;
    let path: string;
    const f = (v: number) => v.toFixed(1);
    if (b.layer !== a.layer) {
      // Down (forward) from bottom to top, or up (backward) from top to bottom.
      const down = b.layer > a.layer;
      const x1 = a.x + a.w / 2, y1 = down ? a.y + a.h : a.y;
      const x2 = b.x + b.w / 2, y2 = down ? b.y : b.y + b.h;
      const my = (y1 + y2) / 2;
      path = `M${f(x1)},${y1} C${f(x1)},${my} ${f(x2)},${my} ${f(x2)},${y2}`;
    } else {
      // Same layer: side to side (an op and its rule).
      const right = b.x > a.x;
      const x1 = right ? a.x + a.w : a.x, x2 = right ? b.x : b.x + b.w;
      path = `M${f(x1)},${a.y + a.h / 2} L${f(x2)},${b.y + b.h / 2}`;
    }
    const dash = e.kind === 'saved' ? ' stroke-dasharray="2,3"' : '';
    const marker = e.kind === 'saved' ? '' : ` marker-end="url(#arrow-${e.kind})"`;
    out.push(`<path d="${path}" fill="none" stroke="${STROKE[e.kind]}" stroke-width="1.2"${dash}${marker}/>`);
  }
  for (const n of g.nodes) {
    const p = placed.get(n.key)!;
    const dash = n.kind === 'rule' ? ' stroke-dasharray="4,2"' : '';
    out.push(`<g id="${n.key}"><rect x="${p.x.toFixed(1)}" y="${p.y}" width="${p.w}" height="${p.h}" rx="3" fill="${FILL[n.kind]}" stroke="#374151"${dash}/>`);
    n.lines.forEach((line, i) => {
      out.push(`<text x="${(p.x + p.w / 2).toFixed(1)}" y="${p.y + PAD + (i + 1) * BOX_H_LINE - 3}" text-anchor="middle">${xmlEscape(line)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
