// A training step as a graph: forward tensors (inputs, parameters, ops) with their data edges,
// and beside them the backward rules, each fed by the rule of its op's output and feeding the
// rules of its inputs (or a parameter's .grad). One node/edge model serves DOT and SVG.
import { si } from './format-number.js';
import { attrText, tensorLabel, tensorNumber, type StepExplanation } from './explain-step.js';

export type GraphNodeKind = 'input' | 'param' | 'op' | 'loss' | 'rule';
export type GraphEdgeKind = 'data' | 'grad' | 'saved';

export interface StepGraphNode {
  key: string;
  kind: GraphNodeKind;
  lines: string[];
}

export interface StepGraphEdge {
  from: string;
  to: string;
  kind: GraphEdgeKind;
}

export interface StepGraph {
  nodes: StepGraphNode[];
  edges: StepGraphEdge[];
}

const shape = (s: readonly number[] | null) => (s === null ? '—' : `[${s.join(', ')}]`);

export function buildStepGraph(e: StepExplanation, options: { backward?: boolean } = {}): StepGraph {
  const nodes: StepGraphNode[] = [];
  const edges: StepGraphEdge[] = [];
  const declared = new Set<string>();
  // Keys from the step's own numbering, so the DOT is the same in every process.
  const forwardKey = (id: number) => (id === e.inputId ? 'x' : id === e.targetId ? 'y' : `t${e.localIds[id] ?? `_${id}`}`);
  const declareLeaf = (id: number, shapeOf: readonly number[]) => {
    const key = forwardKey(id);
    if (declared.has(key)) return;
    declared.add(key);
    // Anything else was computed without a graph node (from data that needs no gradient).
    const lines = id === e.inputId ? ['x (batch)'] : id === e.targetId ? ['y (target)'] : ['no grad', '(made from data)'];
    nodes.push({ key, kind: 'input', lines: [...lines, shape(shapeOf)] });
  };
  for (const f of e.forward) {
    const key = forwardKey(f.id);
    if (f.op === 'input') {
      declared.add(key);
      nodes.push({ key, kind: f.part === 'param' ? 'param' : 'input', lines: [tensorLabel(e, f.id), shape(f.shape)] });
      continue;
    }
    f.inputs.forEach((id, k) => declareLeaf(id, f.inputShapes[k]));
    declared.add(key);
    const attrs = attrText(f.op, f.attrs);
    nodes.push({
      key,
      kind: f.part === 'loss' ? 'loss' : 'op',
      lines: [`${tensorNumber(e, f.id)} ${f.op}${attrs ? ` (${attrs})` : ''}`, shape(f.shape), `${si(f.cost.flops)}FLOP`],
    });
    for (const id of f.inputs) edges.push({ from: forwardKey(id), to: key, kind: 'data' });
  }
  if (options.backward ?? true) {
    const ruleKey = new Map<number, string>(e.backward.map((b) => [b.forwardId, `r${b.index}`]));
    for (const b of e.backward) {
      const key = `r${b.index}`;
      nodes.push({ key, kind: 'rule', lines: [`∂ ${b.op} ${tensorNumber(e, b.forwardId)}`, `dL/dout ${shape(b.gradShape)}`, `${si(b.cost.flops)}FLOP`] });
      edges.push({ from: forwardKey(b.forwardId), to: key, kind: 'saved' });
      for (const inp of b.inputs) {
        if (inp.gradShape === null) continue;
        // The gradient goes on to the input's own rule, or into a parameter's .grad.
        const next = ruleKey.get(inp.id);
        edges.push({ from: key, to: next ?? forwardKey(inp.id), kind: 'grad' });
      }
    }
  }
  return { nodes, edges };
}

function dotEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

const DOT_NODE_STYLE: Record<GraphNodeKind, string> = {
  input: 'style=filled, fillcolor="#f3f4f6"',
  param: 'style=filled, fillcolor="#dbeafe"',
  op: 'style=filled, fillcolor="#ffffff"',
  loss: 'style=filled, fillcolor="#fef3c7"',
  rule: 'style="filled,dashed", fillcolor="#fee2e2"',
};

const DOT_EDGE_STYLE: Record<GraphEdgeKind, string> = {
  data: '',
  grad: ' [color="#b91c1c"]',
  saved: ' [style=dotted, color="#9ca3af", arrowhead=none]',
};

/** Graphviz DOT of the step: forward boxes, backward rules dashed in red. */
export function stepToDot(g: StepGraph): string {
  const lines = ['digraph step {', '  rankdir=TB;', '  node [shape=box, fontname="monospace", fontsize=10];'];
  for (const n of g.nodes) lines.push(`  ${n.key} [label="${n.lines.map(dotEscape).join('\\n')}", ${DOT_NODE_STYLE[n.kind]}];`);
  for (const e of g.edges) lines.push(`  ${e.from} -> ${e.to}${DOT_EDGE_STYLE[e.kind]};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
