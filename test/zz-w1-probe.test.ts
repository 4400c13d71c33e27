import { it } from 'vitest';
import { randn, setBackend, getBackend, linear, tidy, zerosLike, Generator, tensor, type Tensor } from '../src/index.js';
it('w1 probe', () => {
  for (const be of ['native', 'js'] as const) {
    setBackend(be);
    const g = new Generator(1);
    const dims = [784, 64, 32, 64, 784];
    const params: Tensor[] = [];
    for (let i = 0; i < 4; i++) {
      params.push(randn([dims[i + 1], dims[i]], { generator: g }).mul(0.05).detach().requiresGrad_());
      params.push(randn([dims[i + 1]], { generator: g }).mul(0.01).detach().requiresGrad_());
    }
    const m = params.map((p) => zerosLike(p).keep()), v = params.map((p) => zerosLike(p).keep());
    const x = randn([256, 784], { generator: g }).sigmoid();
    const backend = getBackend();
    const acts = ['relu', 'relu', 'relu', 'sigmoid'] as const;
    let step = 0;
    const run = () => tidy(() => {
      let h = x;
      for (let i = 0; i < 4; i++) h = linear(h, params[2 * i], params[2 * i + 1], acts[i]);
      const loss = h.sub(x).square().mean();
      loss.backward();
      step++;
      params.forEach((p, i) => {
        backend.adamStep(p.storage('a'), p.grad!.storage('a'), m[i].storage('a'), v[i].storage('a'), null, p.size, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step });
        p.zeroGrad();
      });
      return loss.item();
    });
    for (let i = 0; i < 20; i++) run();
    const n = be === 'js' ? 20 : 200;
    const t0 = performance.now();
    let l = 0;
    for (let i = 0; i < n; i++) l = run();
    const ms = (performance.now() - t0) / n;
    console.log(`${be}: ${ms.toFixed(3)} ms/step -> ${(ms * 235 / 1000).toFixed(3)} s/epoch, loss ${l}`);
  }
});
