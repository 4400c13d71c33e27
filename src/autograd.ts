// Reverse-mode autodiff: a topological sort of the graph behind a tensor, then one sweep in
// reverse applying each op's backward rule and adding gradients into the op's inputs.
import type { Tensor } from './tensor.js';
import { shapeStr, sameShape } from './shape.js';
import { enableGrad, noGrad } from './grad-mode.js';
import { filled } from './ops/op.js';
import { tidy } from './memory.js';

export { enableGrad, isGradEnabled, noGrad } from './grad-mode.js';

/** One backward rule applied, as reported to a trace callback. */
export interface BackwardStep {
  /** Position in the backward sweep, from 0. */
  index: number;
  op: string;
  outputShape: readonly number[];
  gradShape: readonly number[];
  inputShapes: (readonly number[])[];
  /** Shapes of the gradients sent to each input (null: that input needs none). */
  inputGradShapes: ((readonly number[]) | null)[];
  saved: string[];
  output: Tensor;
}

export interface BackwardOptions {
  /** Keep the graph so backward can run again through it (default false: nodes are dropped). */
  retainGraph?: boolean;
  /** Record the backward computation itself, for gradients of gradients. */
  createGraph?: boolean;
  /** Called after each backward rule: how a student watches the chain rule run. */
  trace?: (step: BackwardStep) => void;
}

/**
 * Tensors reachable from root through nodes, inputs before outputs (iterative DFS: deep
 * graphs, like a long training unroll, must not overflow the call stack).
 */
export function topoSort(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, next] = top;
    if (t.isDisposed) {
      throw new Error(`backward: tensor #${t.id} of shape ${shapeStr(t.shape)} in the graph was disposed (by tidy or dispose) before backward ran; call backward inside the tidy that made the graph`);
    }
    const inputs = t.node?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const child = inputs[next];
      if (!visited.has(child) && child.requiresGrad) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

export function backward(root: Tensor, grad?: Tensor, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error(`backward: the tensor of shape ${shapeStr(root.shape)} does not require grad (no input of the graph behind it has requiresGrad)`);
  }
  if (grad === undefined && root.size !== 1) {
    throw new Error(`backward: the tensor has shape ${shapeStr(root.shape)}; backward() without a gradient needs a one-element (scalar) tensor: pass the gradient dL/dout explicitly`);
  }
  if (grad !== undefined && !sameShape(grad.shape, root.shape)) {
    throw new Error(`backward: gradient of shape ${shapeStr(grad.shape)} does not match the tensor's shape ${shapeStr(root.shape)}`);
  }
  const order = topoSort(root);
  // A node freed by an earlier backward would pass for a leaf and swallow the gradient.
  const freed = order.find((t) => t.freedOp !== null);
  if (freed) {
    throw new Error(`backward: trying to backward through the graph a second time: the '${freed.freedOp}' node that made tensor #${freed.id} of shape ${shapeStr(freed.shape)} was freed by an earlier backward(); pass { retainGraph: true } to the first backward to keep the graph (PyTorch's retain_graph=True)`);
  }
  // Gradients computed with createGraph are part of a new graph: nothing may be freed, and
  // (as in PyTorch) the forward graph is retained too.
  const keepAll = options.createGraph === true;
  const retainGraph = options.retainGraph ?? keepAll;
  const run = () => {
    const seed = grad ?? filled(root.shape, 1, root.dtype, root.backend);  // dL/dL = 1
    // dL/dt of every tensor t the sweep has yet to reach. One gradient may be pending for several
    // tensors (add's rule hands g to both inputs), so one the sweep made itself (never the caller's
    // grad, never a leaf's .grad) is freed only when no pending entry holds it any more.
    const grads = new Map<Tensor, Tensor>([[root, seed]]);
    const owned = new Set<Tensor>(grad ? [] : [seed]);
    // How many pending entries hold each gradient, so that freeing a spent one costs O(1).
    const holders = new Map<Tensor, number>([[seed, 1]]);
    const hold = (x: Tensor, n: number) => holders.set(x, (holders.get(x) ?? 0) + n);
    const drop = (x: Tensor) => {
      if (!owned.has(x) || (holders.get(x) ?? 0) > 0) return;
      owned.delete(x);
      if (!keepAll) x.dispose();
    };
    let index = 0;
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      hold(g, -1);
      const node = t.node;
      if (node === null) {
        // A leaf: accumulate into .grad, which outlives any tidy scope and belongs to the leaf.
        const previous = t.grad;
        t.grad = previous !== null ? previous.add(g) : owned.has(g) ? g : g.clone();
        if (previous !== null && !keepAll) previous.dispose();
        t.grad.keep();
        owned.delete(t.grad);
        drop(g);
        continue;
      }
      // The rule's temporaries (masks, products it sums) are freed as soon as it returns, except
      // the gradients it hands on; with createGraph they belong to the new graph and stay.
      const inputGrads = keepAll ? node.backward(g) : tidy(() => node.backward(g));
      if (inputGrads.length !== node.inputs.length) {
        throw new Error(`backward: the rule of '${node.op}' returned ${inputGrads.length} gradients for ${node.inputs.length} inputs`);
      }
      // Summed into another gradient, a gradient is spent; freed (when unheld) after the loop,
      // since a later input may be handed the same tensor.
      const spent = [g];
      for (let k = 0; k < node.inputs.length; k++) {
        const input = node.inputs[k];
        const gi = inputGrads[k];
        if (gi === null || !input.requiresGrad) continue;
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(`backward: the rule of '${node.op}' produced a gradient of shape ${shapeStr(gi.shape)} for input ${k} of shape ${shapeStr(input.shape)}`);
        }
        if (gi !== g) owned.add(gi);
        const previous = grads.get(input);
        const total = previous === undefined ? gi : previous.add(gi);
        if (previous !== undefined) { owned.add(total); spent.push(previous, gi); hold(previous, -1); }
        grads.set(input, total);
        hold(total, 1);
      }
      options.trace?.({
        index: index++, op: node.op, outputShape: t.shape, gradShape: g.shape, inputShapes: node.inputs.map((x) => x.shape),
        inputGradShapes: inputGrads.map((x) => (x ? x.shape : null)), saved: node.saved ?? [], output: t,
      });
      spent.forEach(drop);
      if (!retainGraph) { t.node = null; t.freedOp = node.op; }
    }
  };
  if (options.createGraph) enableGrad(run);
  else noGrad(run);
}
