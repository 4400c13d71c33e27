import { it } from 'vitest';
import { randn, setBackend, getBackend, linear, tidy, zerosLike, Generator, type Tensor } from '../src/index.js';
it('w1 prof', () => {
  setBackend('native');
  const backend = getBackend() as unknown as Record<string, unknown>;
  const times = new Map<string, [number, number]>();
  for (const k of ['fill', 'unary', 'binary', 'where', 'reduce', 'copy', 'matmul', 'softmax', 'adamStep', 'alloc', 'upload']) {
    const f = backend[k] as (...a: unknown[]) => unknown;
    backend[k] = (...a: unknown[]) => {
      const t0 = performance.now(); const r = f.apply(backend, a); const dt = performance.now() - t0;
      let key = k;
      if (k === 'matmul') { const p = a[3] as any; key = `matmul ${p.m}x${p.n}x${p.k} tA${+p.transA} tB${+p.transB} ${p.activation ?? ''}`; }
      if (k === 'unary' || k === 'binary' || k === 'reduce') key = `${k} ${a[0]}`;
      const e = times.get(key) ?? [0, 0]; e[0] += dt; e[1]++; times.set(key, e); return r;
    };
  }
  const g = new Generator(1);
  const dims = [784, 64, 32, 64, 784];
  const params: Tensor[] = [];
  for (let i = 0; i < 4; i++) {
    params.push(randn([dims[i + 1], dims[i]], { generator: g }).mul(0.05).detach().requiresGrad_());
    params.push(randn([dims[i + 1]], { generator: g }).mul(0.01).detach().requiresGrad_());
  }
  const x = randn([256, 784], { generator: g }).sigmoid();
  const acts = ['relu', 'relu', 'relu', 'sigmoid'] as const;
  const run = () => tidy(() => {
    let h = x;
    for (let i = 0; i < 4; i++) h = linear(h, params[2 * i], params[2 * i + 1], acts[i]);
    const loss = h.sub(x).square().mean();
    loss.backward();
    params.forEach((p) => p.zeroGrad());
    return loss.item();
  });
  for (let i = 0; i < 5; i++) run();
  times.clear();
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) run();
  const total = (performance.now() - t0) / 50;
  const rows = [...times].sort((a, b) => b[1][0] - a[1][0]).map(([k, [t, c]]) => `${(t / 50).toFixed(3).padStart(8)} ms  ${String(c / 50).padStart(4)}x  ${k}`);
  console.log(`total ${total.toFixed(3)} ms/step\n` + rows.join('\n'));
});
