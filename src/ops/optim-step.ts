// The optimizers' updates as in-place ops: one fused kernel call over a parameter, its gradient
// and its state tensors, on the parameter's backend (Adam: over all of a group's parameters at
// once). Not recorded in the graph (Optimizer.step runs them under noGrad). The update rules are
// written out in src/optim/sgd.ts and adam.ts.
import type { AdamParams, SgdParams } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { checkSameShape } from './op.js';

/** The parameter's storage, once its gradient and state are checked to be on its backend and of its shape. */
function checked(op: string, p: Tensor, others: (Tensor | null)[]): unknown {
  for (const t of others) {
    if (t !== null) checkSameShape(op, p, t, () => `${shapeStr(t.shape)} does not match the parameter's shape ${shapeStr(p.shape)}`);
  }
  return p.storage(op);
}

/** SGD's update of p (and of its momentum buffer, when given), in place. */
export function sgdStep(p: Tensor, grad: Tensor, momentumBuf: Tensor | null, params: SgdParams): Tensor {
  const s = checked('sgdStep', p, [grad, momentumBuf]);
  p.backend.sgdStep(s, grad.storage('sgdStep'), momentumBuf?.storage('sgdStep') ?? null, p.size, params);
  return p;
}

/** Adam/AdamW's update of p, m and v (and vMax with amsgrad), in place. */
export function adamStep(p: Tensor, grad: Tensor, m: Tensor, v: Tensor, vMax: Tensor | null, params: AdamParams): Tensor {
  const s = checked('adamStep', p, [grad, m, v, vMax]);
  p.backend.adamStep(s, grad.storage('adamStep'), m.storage('adamStep'), v.storage('adamStep'), vMax?.storage('adamStep') ?? null, p.size, params);
  return p;
}

/** adamStep of every slot (one step count): one kernel call where the backend has adamSteps, else one per slot. */
export function adamSteps(slots: { param: Tensor; grad: Tensor; m: Tensor; v: Tensor; vMax: Tensor | null }[], params: AdamParams): void {
  const b = slots[0]?.param.backend;
  if (!b?.adamSteps || slots.some((s) => s.param.backend !== b)) { for (const s of slots) adamStep(s.param, s.grad, s.m, s.v, s.vMax, params); return; }
  const st = (t: Tensor) => t.storage('adamStep');
  b.adamSteps(slots.map((s) => ({ param: checked('adamStep', s.param, [s.grad, s.m, s.v, s.vMax]), grad: st(s.grad), m: st(s.m), v: st(s.v), vMax: s.vMax && st(s.vMax), size: s.param.size })), params);
}
