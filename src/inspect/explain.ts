// Looking at a graph: the ops behind a tensor in execution order, as text or Graphviz DOT.
import type { Tensor } from '../tensor.js';
import { topoSort } from '../autograd.js';
import { shapeStr } from '../shape.js';

export interface ExplainedOp {
  /** Position in execution order. */
  step: number;
  /** 'input' for leaves (parameters and data), else the op name. */
  op: string;
  id: number;
  name?: string;
  shape: readonly number[];
  inputs: number[];
  inputShapes: (readonly number[])[];
  saved: string[];
  attrs: Record<string, unknown>;
  requiresGrad: boolean;
}

/** The graph behind `root`, inputs first, one entry per tensor. */
export function explain(root: Tensor): ExplainedOp[] {
  const order = root.node ? topoSort(root) : [root];
  return order.map((t, step) => ({
    step,
    op: t.node ? t.node.op : 'input',
    id: t.id,
    name: t.name,
    shape: t.shape,
    inputs: t.node ? t.node.inputs.map((x) => x.id) : [],
    inputShapes: t.node ? t.node.inputs.map((x) => x.shape) : [],
    saved: t.node?.saved ?? [],
    attrs: t.node?.attrs ?? {},
    requiresGrad: t.requiresGrad,
  }));
}

/** One line per op: `#7 matmul [256, 784] · [64, 784] → [256, 64]`. */
export function formatExplain(ops: ExplainedOp[]): string {
  return ops.map((o) => {
    const label = o.name ? ` '${o.name}'` : '';
    if (o.op === 'input') return `#${o.id} input${label} ${shapeStr(o.shape)}${o.requiresGrad ? ' (requires grad)' : ''}`;
    const ins = o.inputs.map((id, i) => `#${id}${shapeStr(o.inputShapes[i])}`).join(', ');
    const saved = o.saved.length ? `  saves: ${o.saved.join(', ')}` : '';
    return `#${o.id} ${o.op}(${ins}) → ${shapeStr(o.shape)}${saved}`;
  }).join('\n');
}

/** Graphviz DOT: one box per tensor, edges from inputs to the op that used them. */
export function toDot(ops: ExplainedOp[]): string {
  const lines = ['digraph tessera {', '  rankdir=TB;', '  node [shape=box, fontname="monospace"];'];
  for (const o of ops) {
    const label = `${o.op}${o.name ? `\\n${o.name}` : ''}\\n${shapeStr(o.shape)}`.replace(/"/g, '\\"');
    const style = o.op === 'input' ? (o.requiresGrad ? ', style=filled, fillcolor="#dbeafe"' : ', style=filled, fillcolor="#f3f4f6"') : '';
    lines.push(`  t${o.id} [label="${label}"${style}];`);
    for (const i of o.inputs) lines.push(`  t${i} -> t${o.id};`);
  }
  lines.push('}');
  return lines.join('\n');
}
