// Each optimizer's first three steps against PyTorch's update rule computed in float64 (reference.ts).
import { describe, expect, it } from 'vitest';
import { setBackend, tensor, type Tensor } from '../../src/index.js';
import { SGD, Adam, AdamW, RMSprop, Adagrad, getOptimizer, type Optimizer } from '../../src/optim/index.js';
import { expectClose } from '../helpers.js';
import { sgdRef, adamRef, rmspropRef, adagradRef, type Vec } from './reference.js';

setBackend('js');

const p0: Vec = [0.5, -1.2, 2.0, 0.1, -0.3, 0.8];
// Gradients chosen to change sign and size between steps (so momentum/amsgrad/centering matter).
const grads: Vec[] = [
  [0.3, -0.2, 1.5, -0.05, 0.0, 0.7],
  [-0.4, 0.1, 0.9, 0.2, -0.6, 0.65],
  [0.25, -0.35, -1.1, 0.05, 0.3, 0.1],
];

function param(): Tensor {
  return tensor(p0, [2, 3], { requiresGrad: true });
}

/** Runs the optimizer over `grads`, returning the parameter after each step. */
function run(make: (params: Tensor[]) => Optimizer): Vec[] {
  const p = param();
  const opt = make([p]);
  return grads.map((g) => {
    opt.zeroGrad();
    p.grad = tensor(g, [2, 3]);
    opt.step();
    return Array.from(p.dataSync());
  });
}

function check(actual: Vec[], expected: Vec[]): void {
  actual.forEach((a, k) => expectClose(a, expected[k], 2e-6, 1e-6, `step ${k + 1}`));
}

describe('SGD', () => {
  it('plain: p ← p − lr·g', () => {
    check(run((ps) => new SGD(ps, { lr: 0.1 })), sgdRef(p0, grads, { lr: 0.1 }));
  });
  it('momentum with dampening', () => {
    check(run((ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, dampening: 0.3 })), sgdRef(p0, grads, { lr: 0.05, momentum: 0.9, dampening: 0.3 }));
  });
  it('momentum + nesterov + weight decay', () => {
    const o = { lr: 0.1, momentum: 0.8, nesterov: true, weightDecay: 0.01 };
    check(run((ps) => new SGD(ps, o)), sgdRef(p0, grads, { lr: 0.1, momentum: 0.8, nesterov: true, wd: 0.01 }));
  });
  it('maximize ascends', () => {
    check(run((ps) => new SGD(ps, { lr: 0.1, momentum: 0.5, maximize: true })), sgdRef(p0, grads, { lr: 0.1, momentum: 0.5, maximize: true }));
  });
  it('rejects nesterov without momentum', () => {
    expect(() => new SGD([param()], { lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum > 0/);
  });
});

describe('Adam / AdamW', () => {
  it("PyTorch's defaults", () => {
    const a = new Adam([param()]).paramGroups[0];
    expect([a.lr, a.betas, a.eps, a.weightDecay, a.amsgrad]).toEqual([1e-3, [0.9, 0.999], 1e-8, 0, false]);
    expect(new AdamW([param()]).paramGroups[0].weightDecay).toBe(1e-2);
  });
  it('Adam', () => {
    check(run((ps) => new Adam(ps, { lr: 0.01 })), adamRef(p0, grads, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 }));
  });
  it('Adam with L2 weight decay and other betas', () => {
    const o = { lr: 0.02, betas: [0.8, 0.95] as [number, number], eps: 1e-6, weightDecay: 0.1 };
    check(run((ps) => new Adam(ps, o)), adamRef(p0, grads, { lr: 0.02, beta1: 0.8, beta2: 0.95, eps: 1e-6, wd: 0.1 }));
  });
  it('amsgrad keeps the running maximum of v', () => {
    // the third gradient is smaller in magnitude than the second at several positions: v falls, v̂ must not
    check(run((ps) => new Adam(ps, { lr: 0.05, betas: [0.9, 0.5], amsgrad: true })),
      adamRef(p0, grads, { lr: 0.05, beta1: 0.9, beta2: 0.5, eps: 1e-8, amsgrad: true }));
    const plain = run((ps) => new Adam(ps, { lr: 0.05, betas: [0.9, 0.5] }));
    const ams = run((ps) => new Adam(ps, { lr: 0.05, betas: [0.9, 0.5], amsgrad: true }));
    expect(plain[2]).not.toEqual(ams[2]);
  });
  it('AdamW decouples weight decay', () => {
    const o = { lr: 0.01, weightDecay: 0.5 };
    check(run((ps) => new AdamW(ps, o)), adamRef(p0, grads, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, wd: 0.5, decoupled: true }));
    const coupled = run((ps) => new Adam(ps, o));
    expect(coupled[2][0]).not.toBeCloseTo(run((ps) => new AdamW(ps, o))[2][0], 6);
  });
  it('AdamW with amsgrad', () => {
    check(run((ps) => new AdamW(ps, { lr: 0.03, amsgrad: true, betas: [0.9, 0.6] })),
      adamRef(p0, grads, { lr: 0.03, beta1: 0.9, beta2: 0.6, eps: 1e-8, wd: 1e-2, decoupled: true, amsgrad: true }));
  });
  it('rejects betas outside [0, 1)', () => {
    expect(() => new Adam([param()], { betas: [0.9, 1] })).toThrow(/Adam: betas\[1\] must be a number in \[0, 1\)/);
  });
});

describe('RMSprop', () => {
  it("PyTorch's defaults", () => {
    const g = new RMSprop([param()]).paramGroups[0];
    expect([g.lr, g.alpha, g.eps, g.momentum, g.centered]).toEqual([1e-2, 0.99, 1e-8, 0, false]);
  });
  it('plain', () => {
    check(run((ps) => new RMSprop(ps)), rmspropRef(p0, grads, { lr: 0.01, alpha: 0.99, eps: 1e-8 }));
  });
  it('centered with momentum and weight decay', () => {
    const o = { lr: 0.005, alpha: 0.9, momentum: 0.7, centered: true, weightDecay: 0.05 };
    check(run((ps) => new RMSprop(ps, o)), rmspropRef(p0, grads, { lr: 0.005, alpha: 0.9, eps: 1e-8, momentum: 0.7, centered: true, wd: 0.05 }));
  });
});

describe('Adagrad', () => {
  it("PyTorch's defaults", () => {
    const g = new Adagrad([param()]).paramGroups[0];
    expect([g.lr, g.lrDecay, g.weightDecay, g.initialAccumulatorValue, g.eps]).toEqual([1e-2, 0, 0, 0, 1e-10]);
  });
  it('plain', () => {
    check(run((ps) => new Adagrad(ps, { lr: 0.1 })), adagradRef(p0, grads, { lr: 0.1, eps: 1e-10 }));
  });
  it('lr decay, weight decay and an initial accumulator', () => {
    const o = { lr: 0.1, lrDecay: 0.5, weightDecay: 0.02, initialAccumulatorValue: 0.3 };
    check(run((ps) => new Adagrad(ps, o)), adagradRef(p0, grads, { lr: 0.1, lrDecay: 0.5, wd: 0.02, init: 0.3, eps: 1e-10 }));
  });
});

describe('Optimizer base', () => {
  it('skips parameters without a gradient and honours per-group lr', () => {
    const a = param(), b = param(), c = param();
    const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b, c], lr: 0.5 }], { lr: 0.01 });
    a.grad = tensor(grads[0], [2, 3]);
    b.grad = tensor(grads[0], [2, 3]);
    opt.step();
    expectClose(a.dataSync(), sgdRef(p0, [grads[0]], { lr: 0.1 })[0], 1e-6, 1e-7, 'a');
    expectClose(b.dataSync(), sgdRef(p0, [grads[0]], { lr: 0.5 })[0], 1e-6, 1e-7, 'b');
    expect(Array.from(c.dataSync())).toEqual(Array.from(new Float32Array(p0)));
  });
  it('zeroGrad clears gradients', () => {
    const a = param();
    const opt = new Adam([a]);
    a.grad = tensor(grads[0], [2, 3]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });
  it('rejects non-leaf or non-trainable parameters, and duplicates', () => {
    expect(() => new SGD([tensor([1, 2])])).toThrow(/must be a leaf with requiresGrad/);
    const a = param();
    expect(() => new SGD([{ params: [a], lr: 1 }, { params: [a], lr: 1 }])).toThrow(/more than one place/);
  });
  it('getOptimizer builds by name', () => {
    expect(getOptimizer('AdamW', [param()])).toBeInstanceOf(AdamW);
    expect(getOptimizer('rmsprop', [param()], { lr: 0.5 }).paramGroups[0].lr).toBe(0.5);
    expect(() => getOptimizer('lbfgs', [param()])).toThrow(/unknown optimizer 'lbfgs'/);
  });
});
