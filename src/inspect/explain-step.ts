// explainStep: one training step laid out in execution order — every forward op with its input
// and output shapes, the loss, every backward rule with the gradient shapes and what it saved
// from the forward pass, then the optimizer's update per parameter — each with the FLOPs and
// bytes of the kernels it ran (src/inspect/kernel-cost.ts).
import type { Tensor } from '../tensor.js';
import { bytes, shapeText, si, table } from './format-number.js';
import { describeOptimizer, type OptimizerDescription } from './optimizer-rules.js';
import { traceStep, type OpCost, type StepLoss, type StepModel, type StepOptimizer, type TracedStep } from './step-trace.js';

export interface PhaseTotals {
  flops: number;
  bytes: number;
  kernelCalls: number;
}

export interface StepExplanation extends TracedStep {
  model: string;
  optimizer: OptimizerDescription | null;
  parameters: { name: string; shape: readonly number[]; size: number }[];
  totals: { forward: PhaseTotals; backward: PhaseTotals; optimizer: PhaseTotals };
  /**
   * Tensor id → its number in this step (1, 2, … in execution order), so the text and the
   * pictures do not depend on how many tensors the process made before.
   */
  localIds: Record<number, number>;
}

function sumCosts(costs: OpCost[]): PhaseTotals {
  return costs.reduce((acc, c) => ({ flops: acc.flops + c.flops, bytes: acc.bytes + c.bytes, kernelCalls: acc.kernelCalls + c.calls.length }),
    { flops: 0, bytes: 0, kernelCalls: 0 });
}

/**
 * Runs one training step of `model` on the batch (x, y) and explains it. With an optimizer the
 * step is complete (the parameters change, as in fit); without one it stops after backward.
 */
export async function explainStep(model: StepModel, lossFn: StepLoss, x: Tensor, y: Tensor, optimizer?: StepOptimizer,
  options: { modelName?: string } = {}): Promise<StepExplanation> {
  const traced = await traceStep(model, lossFn, x, y, optimizer);
  const parameters = model.namedParameters().map(([name, t]) => ({ name, shape: t.shape, size: t.size }));
  const localIds: Record<number, number> = {};
  let next = 1;
  for (const f of traced.forward) localIds[f.id] = next++;
  return {
    localIds,
    ...traced,
    model: options.modelName ?? ((model as object).constructor?.name || 'model'),
    optimizer: optimizer ? describeOptimizer(optimizer) : null,
    parameters,
    totals: {
      forward: sumCosts([...traced.forward.map((f) => f.cost), traced.unattributed.forward]),
      backward: sumCosts([...traced.backward.map((b) => b.cost), traced.unattributed.backward]),
      optimizer: sumCosts([...traced.updates.map((u) => u.cost), traced.unattributed.optimizer]),
    },
  };
}

/** A tensor's number in the step (#1, #2, … in execution order); other tensors keep their id. */
export function tensorNumber(e: StepExplanation, id: number): string {
  return `#${e.localIds[id] ?? `id${id}`}`;
}

/** How a tensor is called in the explanation: its parameter name, x, y, or its number. */
export function tensorLabel(e: StepExplanation, id: number): string {
  if (id === e.inputId) return 'x';
  if (id === e.targetId) return 'y';
  const f = e.forward.find((o) => o.id === id);
  if (f === undefined) return '(no grad)';   // made without a graph node: a constant, ε, a mask
  return f.name ?? tensorNumber(e, id);
}

const num = (v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(4)).toString() : String(v));

/** The op's attributes worth reading (the rest are in the DOT and the JSON). */
export function attrText(op: string, attrs: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof attrs.activation === 'string' && attrs.activation !== 'none') parts.push(attrs.activation);
  if (op === 'affine') parts.push(`${num(attrs.alpha)}·x + ${num(attrs.beta)}`);
  if (Array.isArray(attrs.axes)) parts.push(`axes [${attrs.axes.join(', ')}]`);
  if (Array.isArray(attrs.perm)) parts.push(`perm [${attrs.perm.join(', ')}]`);
  if (attrs.transA === true || attrs.transB === true) parts.push(`${attrs.transA ? 'Aᵀ' : 'A'}·${attrs.transB ? 'Bᵀ' : 'B'}`);
  return parts.join(', ');
}

function kernelList(cost: OpCost): string {
  if (cost.calls.length === 0) return '— (no kernel: shares storage or passes g through)';
  return cost.calls.map((c) => c.detail).join('; ');
}

/** The explanation as text: the forward table, the loss, the backward table, the update. */
export function formatStep(e: StepExplanation): string {
  const out: string[] = [];
  const x = e.forward.find((f) => f.inputs.includes(e.inputId));
  const xShape = x ? x.inputShapes[x.inputs.indexOf(e.inputId)] : null;
  const nParams = e.parameters.reduce((a, p) => a + p.size, 0);
  out.push(`One training step of ${e.model} on the '${e.backend}' backend: batch x ${shapeText(xShape)}, loss ${e.loss.toPrecision(6)}`);
  out.push(`Parameters: ${e.parameters.length} tensors, ${nParams.toLocaleString('en-US')} values`);
  out.push('');
  out.push('Forward, in execution order (each op: its kernels, FLOPs and bytes moved)');
  const fwd = e.forward.filter((f) => f.op !== 'input');
  out.push(table(['step', 'tensor', 'op', 'inputs', 'output', 'FLOPs', 'bytes', 'kernels'], fwd.map((f, i) => [
    String(i + 1),
    `${tensorNumber(e, f.id)}${f.part === 'loss' ? ' (loss)' : ''}`,
    `${f.op}${attrText(f.op, f.attrs) ? ` (${attrText(f.op, f.attrs)})` : ''}`,
    f.inputs.map((id, k) => `${tensorLabel(e, id)} ${shapeText(f.inputShapes[k])}`).join(', '),
    shapeText(f.shape),
    si(f.cost.flops),
    bytes(f.cost.bytes),
    kernelList(f.cost),
  ]), [true, false, false, false, false, true, true, false]));
  out.push('');
  const lossOps = fwd.filter((f) => f.part === 'loss').map((f) => `${tensorNumber(e, f.id)} ${f.op}`);
  const chain = lossOps.length <= 6 ? lossOps.join(' → ') : `${lossOps.length} ops (${lossOps[0]} … ${lossOps[lossOps.length - 1]})`;
  out.push(`Loss: ${e.loss.toPrecision(6)} = the last tensor ${tensorNumber(e, e.lossId)}, computed from the prediction ${tensorNumber(e, e.outputId)} and y by ${chain}`);
  out.push('');
  out.push('Backward, in reverse order: each rule maps dL/d(output) to dL/d(each input), using what its op saved');
  out.push(table(['rule', 'of', 'dL/d output', 'gradients sent to inputs', 'saved', 'FLOPs', 'bytes', 'kernels'], e.backward.map((b) => [
    String(b.index + 1),
    `${b.op} ${tensorNumber(e, b.forwardId)}`,
    shapeText(b.gradShape),
    b.inputs.map((inp) => `${tensorLabel(e, inp.id)} ${shapeText(inp.gradShape)}`).join(', '),
    b.saved.length ? b.saved.join(', ') : '—',
    si(b.cost.flops),
    bytes(b.cost.bytes),
    kernelList(b.cost),
  ]), [true, false, false, false, false, true, true, false]));
  if (e.unattributed.backward.calls.length > 0) {
    out.push(`  + accumulating leaf gradients: ${kernelList(e.unattributed.backward)}`);
  }
  out.push('');
  if (e.optimizer) {
    const hp = Object.entries(e.optimizer.hyperparameters).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('/') : String(v)}`).join(', ');
    out.push(`Optimizer: ${e.optimizer.name} (${hp})`);
    for (const r of e.optimizer.rule) out.push(`  ${r}`);
    out.push(table(['parameter', 'shape', 'FLOPs', 'bytes', 'kernels'], e.updates.map((u) => [
      u.name, shapeText(u.shape), si(u.cost.flops), bytes(u.cost.bytes), kernelList(u.cost),
    ]), [false, false, true, true, false]));
  } else {
    out.push('Optimizer: none given (the step stops after backward; gradients are in .grad)');
  }
  out.push('');
  const t = e.totals;
  const ratio = t.forward.flops > 0 ? (t.backward.flops / t.forward.flops).toFixed(2) : '—';
  out.push(`Totals: forward ${si(t.forward.flops)}FLOP / ${bytes(t.forward.bytes)} in ${t.forward.kernelCalls} kernel calls; ` +
    `backward ${si(t.backward.flops)}FLOP / ${bytes(t.backward.bytes)} in ${t.backward.kernelCalls} (${ratio}× forward); ` +
    `optimizer ${si(t.optimizer.flops)}FLOP / ${bytes(t.optimizer.bytes)} in ${t.optimizer.kernelCalls}`);
  return out.join('\n');
}
