// Module bookkeeping: names, state dicts (PyTorch's for the dense autoencoder), loading with
// validation, modes, gradients, extra losses; and the initialisers' statistics.
import { describe, expect, it } from 'vitest';
import { Generator, setBackend, tensor, zeros, noGrad, assign, type Tensor } from '../../src/index.js';
import { Linear, ReLU, Sequential, Dropout, BatchNorm1d, init, Module } from '../../src/nn/index.js';
import { denseAutoencoder } from '../../src/models/dense-autoencoder.js';
import { host, randomInput } from './nn-helpers.js';

setBackend('js');

describe('Module naming and state dicts', () => {
  it('the dense autoencoder has PyTorch’s names and layouts', () => {
    const ae = denseAutoencoder({ generator: new Generator(1) });
    const shapes = Object.fromEntries(Object.entries(ae.stateDict()).map(([k, t]) => [k, t.shape]));
    expect(shapes).toEqual({
      'encoder.0.weight': [64, 784], 'encoder.0.bias': [64],
      'encoder.2.weight': [32, 64], 'encoder.2.bias': [32],
      'decoder.0.weight': [64, 32], 'decoder.0.bias': [64],
      'decoder.2.weight': [784, 64], 'decoder.2.bias': [784],
    });
    // 784·64 + 64 + 64·32 + 32 + 32·64 + 64 + 64·784 + 784
    expect(ae.numParameters()).toBe(784 * 64 + 64 + 64 * 32 + 32 + 32 * 64 + 64 + 64 * 784 + 784);
    expect(ae.parameters()[2].name).toBe('encoder.2.weight');
  });

  it('with batch norm and dropout, names follow PyTorch’s Linear, BN, act, Dropout order', () => {
    const ae = denseAutoencoder({ hidden: [16], latent: 4, inputDim: 20, batchNorm: true, dropout: 0.2 });
    expect(Object.keys(ae.stateDict())).toEqual([
      'encoder.0.weight', 'encoder.0.bias', 'encoder.1.weight', 'encoder.1.bias',
      'encoder.1.running_mean', 'encoder.1.running_var', 'encoder.1.num_batches_tracked',
      'encoder.4.weight', 'encoder.4.bias',
      'decoder.0.weight', 'decoder.0.bias', 'decoder.1.weight', 'decoder.1.bias',
      'decoder.1.running_mean', 'decoder.1.running_var', 'decoder.1.num_batches_tracked',
      'decoder.4.weight', 'decoder.4.bias',
    ]);
    expect(ae.buffers().length).toBe(6);
  });

  it('a shared parameter is listed once', () => {
    class Tied extends Module {
      a = this.registerModule('a', new Linear(3, 3));
      constructor() { super(); this.registerParameter('w', this.a.weight); }
      forward(x: Tensor): Tensor { return this.a.forward(x); }
    }
    expect(new Tied().parameters().length).toBe(2);
  });

  it('train() and eval() reach every submodule', () => {
    const seq = new Sequential(new Linear(2, 2), new Sequential(new Dropout(0.5), new BatchNorm1d(2)));
    seq.eval();
    expect(seq.namedModules().map(([n, m]) => [n, m.training])).toEqual([['', false], ['0', false], ['1', false], ['1.0', false], ['1.1', false]]);
    seq.train();
    expect(seq.namedModules().every(([, m]) => m.training)).toBe(true);
  });

  it('zeroGrad clears every parameter’s gradient', () => {
    const seq = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
    seq.forward(randomInput(new Generator(1), [4, 3])).sum().backward();
    expect(seq.parameters().every((p) => p.grad !== null)).toBe(true);
    seq.zeroGrad();
    expect(seq.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('takeLosses collects terms from every submodule once', () => {
    const inner = new Linear(1, 1);
    const seq = new Sequential(inner);
    seq.addLoss(tensor(1));
    inner.addLoss(tensor(2));
    expect(seq.takeLosses().map((t) => t.item())).toEqual([1, 2]);
    expect(seq.takeLosses()).toEqual([]);
  });
});

describe('loadStateDict', () => {
  const make = () => new Sequential(new Linear(3, 2, { generator: new Generator(1) }), new ReLU(), new Linear(2, 1, { generator: new Generator(2) }));

  it('copies values from another model with the same names', () => {
    const a = make(), b = new Sequential(new Linear(3, 2, { generator: new Generator(9) }), new ReLU(), new Linear(2, 1, { generator: new Generator(8) }));
    expect(host(b.parameters()[0])).not.toEqual(host(a.parameters()[0]));
    b.loadStateDict(a.stateDict());
    a.parameters().forEach((p, i) => expect(host(b.parameters()[i])).toEqual(host(p)));
    // A copy, not an alias: changing a afterwards leaves b as it was.
    const loaded = host(b.parameters()[0]);
    noGrad(() => assign(a.parameters()[0], zeros([2, 3])));
    expect(host(b.parameters()[0])).toEqual(loaded);
  });

  it('a wrong shape, a missing or an extra name fails and leaves every parameter unchanged', () => {
    const m = make();
    const before = m.parameters().map(host);
    const state = m.stateDict();
    const good = Object.fromEntries(Object.entries(state).map(([k, t]) => [k, zeros(t.shape)]));
    expect(() => m.loadStateDict({ ...good, '2.weight': zeros([2, 1]) })).toThrow(/'2\.weight' has shape \[2, 1\], expected \[1, 2\].*Nothing was loaded/);
    const { ['0.bias']: _drop, ...missing } = good;
    expect(() => m.loadStateDict(missing)).toThrow(/missing: '0\.bias'/);
    expect(() => m.loadStateDict({ ...good, 'extra.weight': zeros([1]) })).toThrow(/unexpected: 'extra\.weight'/);
    m.parameters().forEach((p, i) => expect(host(p)).toEqual(before[i]));
    // strict: false skips the missing name and loads the rest.
    m.loadStateDict(missing, { strict: false });
    expect(host(m.parameters()[1])).toEqual(before[1]);
    expect(host(m.parameters()[0]).every((v) => v === 0)).toBe(true);
  });
});

describe('initialisers', () => {
  const variance = (t: Tensor) => { const v = host(t); const m = v.reduce((a, b) => a + b) / v.length; return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length; };
  const g = new Generator(21);
  const shape = [200, 300];          // fan_in 300, fan_out 200

  it('xavier uniform / normal have variance 2/(fan_in + fan_out)', () => {
    const want = 2 / 500;
    for (const t of [init.xavierUniform(shape, { generator: g }), init.xavierNormal(shape, { generator: g })]) {
      expect(variance(t) / want).toBeGreaterThan(0.97);
      expect(variance(t) / want).toBeLessThan(1.03);
    }
    expect(Math.max(...host(init.xavierUniform(shape, { generator: g })).map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 500));
  });

  it('kaiming uniform / normal for ReLU have variance 2/fan_in (fan_out with mode fan_out)', () => {
    for (const t of [init.kaimingUniform(shape, { generator: g, nonlinearity: 'relu' }), init.kaimingNormal(shape, { generator: g, nonlinearity: 'relu' })]) {
      expect(variance(t) / (2 / 300)).toBeGreaterThan(0.97);
      expect(variance(t) / (2 / 300)).toBeLessThan(1.03);
    }
    const fo = init.kaimingNormal(shape, { generator: g, nonlinearity: 'relu', mode: 'fan_out' });
    expect(variance(fo) / (2 / 200)).toBeGreaterThan(0.97);
    expect(variance(fo) / (2 / 200)).toBeLessThan(1.03);
  });

  it('conv fans count the receptive field; zeros are zeros; the same seed repeats', () => {
    expect(init.fanInOut([16, 8, 3, 3])).toEqual({ fanIn: 72, fanOut: 144 });
    expect(host(init.zeros([3, 2]))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(host(init.kaimingUniform([4, 4], { generator: new Generator(3) }))).toEqual(host(init.kaimingUniform([4, 4], { generator: new Generator(3) })));
    expect(() => init.fanInOut([5])).toThrow(/rank ≥ 2/);
  });

  it('a layer takes a named initialiser', () => {
    const l = new Linear(300, 200, { weightInit: 'xavier-normal', biasInit: 'zeros', generator: g });
    expect(variance(l.weight) / (2 / 500)).toBeGreaterThan(0.97);
    expect(variance(l.weight) / (2 / 500)).toBeLessThan(1.03);
    expect(host(l.bias!).every((v) => v === 0)).toBe(true);
  });
});
