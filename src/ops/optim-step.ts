// The optimizers' updates as in-place ops: one fused kernel call over a parameter, its gradient
// and its state tensors, on the parameter's backend. Not recorded in the graph (Optimizer.step
// runs them under noGrad). The update rules are written out in src/optim/sgd.ts and adam.ts.
import type { AdamParams, SgdParams } from '../backend/backend.js';
import type { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { checkSameShape } from './op.js';

/** The parameter's storage, once its gradient and state are checked to be on its backend and of its shape. */
function checked(op: string, p: Tensor, others: (Tensor | null)[]): unknown {
  for (const t of others.filter((t): t is Tensor => t !== null)) {
    checkSameShape(op, p, t, () => `${shapeStr(t.shape)} does not match the parameter's shape ${shapeStr(p.shape)}`);
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
