// stateDict → a new optimizer → loadStateDict continues bit-identically to an uninterrupted run.
import { describe, expect, it } from 'vitest';
import { setBackend, tensor, Generator, type Tensor } from '../../src/index.js';
import { SGD, Adam, AdamW, RMSprop, Adagrad, type Optimizer, type ParamGroup } from '../../src/optim/index.js';

setBackend('js');

const shapes = [[3, 4], [4], [2, 2]];

function freshParams(values?: Float32Array[]): Tensor[] {
  const gen = new Generator(1);
  return shapes.map((s, i) => {
    const n = s.reduce((a, b) => a * b, 1);
    const data = values ? values[i] : Float32Array.from({ length: n }, () => gen.normal());
    return tensor(data, s, { requiresGrad: true });
  });
}

/** A deterministic gradient for step k of parameter i (independent of the parameter values). */
function setGrads(ps: Tensor[], k: number): void {
  ps.forEach((p, i) => {
    const gen = new Generator(1000 * k + i);
    p.grad = tensor(Float32Array.from({ length: p.size }, () => gen.normal()), p.shape);
  });
}

function groups(ps: Tensor[]): ParamGroup[] {
  return [{ params: [ps[0], ps[1]], lr: 0.01 }, { params: [ps[2]], lr: 0.003 }];
}

const makers: [string, (ps: Tensor[]) => Optimizer][] = [
  ['SGD nesterov', (ps) => new SGD(groups(ps), { momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['Adam amsgrad', (ps) => new Adam(groups(ps), { amsgrad: true })],
  ['AdamW', (ps) => new AdamW(groups(ps))],
  ['RMSprop centered', (ps) => new RMSprop(groups(ps), { centered: true, momentum: 0.5 })],
  ['Adagrad', (ps) => new Adagrad(groups(ps), { lrDecay: 0.1 })],
];

describe('optimizer state dicts', () => {
  for (const [name, make] of makers) {
    it(`${name}: N + M steps equal N steps, save, load into a new optimizer, M steps`, () => {
      const N = 4, M = 5;
      const b = freshParams();
      const optB = make(b);
      for (let k = 0; k < N; k++) { setGrads(b, k); optB.step(); }
      // lr changed by hand (as a schedule would): the state dict must carry it
      optB.paramGroups[1].lr = 0.002;
      const saved = optB.stateDict();
      const c = freshParams(b.map((p) => p.dataSync() as Float32Array));
      const optC = make(c);
      optC.loadStateDict(saved);
      expect(optC.paramGroups[1].lr).toBe(0.002);
      for (let k = N; k < N + M; k++) { setGrads(c, k); optC.step(); }

      // the uninterrupted run, with the same lr change at step N
      const d = freshParams();
      const optD = make(d);
      for (let k = 0; k < N + M; k++) {
        if (k === N) optD.paramGroups[1].lr = 0.002;
        setGrads(d, k); optD.step();
      }
      d.forEach((p, i) => expect(Array.from(c[i].dataSync()), `param ${i}`).toEqual(Array.from(p.dataSync())));
      expect(Array.from(c[0].dataSync())).not.toEqual(Array.from(freshParams()[0].dataSync()));
    });
  }

  it('validates before applying: a bad state leaves the optimizer unchanged', () => {
    const a = freshParams();
    const opt = new Adam(a, { lr: 0.01 });
    setGrads(a, 0); opt.step();
    const good = opt.stateDict();
    const wrongShape = { state: { ...good.state, 'param1.exp_avg': tensor([1, 2], [2]) }, meta: good.meta };
    const other = new Adam(freshParams(), { lr: 0.5 });
    expect(() => other.loadStateDict(wrongShape)).toThrow(/'param1.exp_avg' has shape \[2\], parameter 1 has \[4\]/);
    expect(other.paramGroups[0].lr).toBe(0.5);
    expect(() => other.loadStateDict({ state: { 'param0.momentum_buffer': tensor([0], [1]) }, meta: good.meta }))
      .toThrow(/unknown state 'momentum_buffer'/);
    expect(() => new SGD(freshParams()).loadStateDict(good)).toThrow(/the state dict is from 'Adam', not SGD/);
    expect(other.paramGroups[0].lr).toBe(0.5);
  });

  it('the snapshot is a copy: later steps do not change it', () => {
    const a = freshParams();
    const opt = new Adam(a);
    setGrads(a, 0); opt.step();
    const s = opt.stateDict();
    const before = Array.from(s.state['param0.exp_avg'].dataSync());
    setGrads(a, 1); opt.step();
    expect(Array.from(s.state['param0.exp_avg'].dataSync())).toEqual(before);
    expect(JSON.parse(JSON.stringify(s.meta))).toEqual(s.meta);
  });
});
