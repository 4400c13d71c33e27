// Helpers for layer tests: gradcheck through a module's parameters, and reading tensors.
import { expect } from 'vitest';
import { gradcheck, formatGradcheck, Generator, tensor, noGrad, add, type Tensor } from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import { prod, randomArray } from '../helpers.js';

/**
 * gradcheck of module(x) with respect to x and every parameter. gradcheck hands fn fresh
 * tensors; we put them in the module's parameter fields (each layer's forward reads
 * this.weight / this.bias) before calling forward. `reseed` restores any random state
 * (dropout) so every evaluation sees the same mask.
 */
export function checkModule(name: string, m: Module, x: Tensor, reseed?: () => void): void {
  const named = m.namedParameters();
  const owners = named.map(([full]) => {
    const parts = full.split('.');
    const field = parts.pop()!;
    const path = parts.join('.');
    const owner = m.namedModules().find(([p]) => p === path)![1];
    return { owner: owner as unknown as Record<string, Tensor>, field };
  });
  const originals = owners.map(({ owner, field }) => owner[field]);
  const fn = (xi: Tensor, ...ps: Tensor[]) => {
    owners.forEach(({ owner, field }, i) => { owner[field] = ps[i]; });
    reseed?.();
    return m.forward(xi);
  };
  x.requiresGrad_();
  for (const [, p] of named) p.requiresGrad_();
  try {
    // The check means something only if forward really reads the swapped-in tensors: a shifted
    // copy of each parameter must change the output.
    const base = Array.from(noGrad(() => fn(x, ...originals)).dataSync());
    named.forEach(([pname, p], i) => {
      const shifted = originals.map((q, k) => (k === i ? noGrad(() => add(p, 0.5)) : q));
      const out = Array.from(noGrad(() => fn(x, ...shifted)).dataSync());
      expect(out.some((v, k) => Math.abs(v - base[k]) > 1e-6), `${name}: forward ignores a swapped '${pname}'`).toBe(true);
    });
    const report = gradcheck(fn, [x, ...named.map(([, p]) => p)], { maxElements: 40 });
    expect(report.ok, `${name}\n${formatGradcheck(report)}`).toBe(true);
    expect(report.inputs.length).toBe(1 + named.length);
  } finally {
    owners.forEach(({ owner, field }, i) => { owner[field] = originals[i]; });
  }
}

export function randomInput(gen: Generator, shape: number[], low = -1, high = 1): Tensor {
  return tensor(randomArray(gen, prod(shape), low, high), shape);
}

export function host(t: Tensor): number[] {
  return Array.from(t.dataSync());
}
