import { it } from 'vitest';
import { tensor, setBackend, tidy } from '../src/index.js';
it('overhead', () => {
  for (const be of ['js', 'native'] as const) {
    setBackend(be);
    const a = tensor([1, 2, 3]), b = tensor([3, 4, 5]);
    for (let i = 0; i < 20000; i++) tidy(() => a.add(b));
    const n = 200000;
    let t0 = performance.now();
    for (let i = 0; i < n; i++) a.add(b);
    const add = (performance.now() - t0) * 1000 / n;
    t0 = performance.now();
    for (let i = 0; i < n; i++) tidy(() => a.add(b));
    const addTidy = (performance.now() - t0) * 1000 / n;
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    t0 = performance.now();
    for (let i = 0; i < n; i++) x.mul(b);
    const mulGrad = (performance.now() - t0) * 1000 / n;
    console.log(`${be}: add ${add.toFixed(2)} µs, add in tidy ${addTidy.toFixed(2)} µs, mul recording grad ${mulGrad.toFixed(2)} µs`);
  }
});
