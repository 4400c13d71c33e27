// Each layer's forward against values computed here by direct loops (float64 arithmetic).
import { describe, expect, it } from 'vitest';
import { Generator, setBackend, noGrad, backward, type Tensor } from '../../src/index.js';
import {
  Linear, Conv2d, ConvTranspose2d, Flatten, Unflatten, Reshape, MaxPool2d, AvgPool2d, Upsample,
  ReLU, LeakyReLU, ELU, SELU, GELU, Sigmoid, Tanh, Softplus, Softmax, LogSoftmax, Sequential,
} from '../../src/nn/index.js';
import { expectClose } from '../helpers.js';
import { host, randomInput } from './nn-helpers.js';

setBackend('js');
const gen = new Generator(11);

describe('Linear', () => {
  it('computes x·Wᵀ + b with weight [out, in]', () => {
    const layer = new Linear(5, 3, { generator: gen });
    expect(layer.weight.shape).toEqual([3, 5]);
    expect(layer.bias!.shape).toEqual([3]);
    const x = randomInput(gen, [4, 5]);
    const y = noGrad(() => layer.forward(x));
    const W = host(layer.weight), b = host(layer.bias!), xs = host(x);
    const want: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (let o = 0; o < 3; o++) {
        let s = b[o];
        for (let k = 0; k < 5; k++) s += xs[i * 5 + k] * W[o * 5 + k];
        want.push(s);
      }
    }
    expect(y.shape).toEqual([4, 3]);
    expectClose(host(y), want, 1e-5, 1e-6, 'Linear');
  });

  it('applies a fused activation and works without bias', () => {
    const layer = new Linear(4, 6, { bias: false, activation: 'sigmoid', generator: gen });
    expect(layer.bias).toBeNull();
    expect(layer.namedParameters().map(([n]) => n)).toEqual(['weight']);
    const x = randomInput(gen, [2, 4]);
    const W = host(layer.weight), xs = host(x);
    const want = [];
    for (let i = 0; i < 2; i++) for (let o = 0; o < 6; o++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += xs[i * 4 + k] * W[o * 4 + k];
      want.push(1 / (1 + Math.exp(-s)));
    }
    expectClose(host(layer.forward(x)), want, 1e-5, 1e-6, 'Linear sigmoid');
  });

  it('PyTorch default init: weight and bias within ±1/√in, spread over the range', () => {
    const layer = new Linear(400, 50, { generator: gen });
    const bound = 1 / Math.sqrt(400);
    for (const t of [layer.weight, layer.bias!]) {
      const v = host(t);
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    }
    // U(−a, a) has variance a²/3.
    const w = host(layer.weight);
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeGreaterThan(0.95 * bound * bound / 3);
    expect(variance).toBeLessThan(1.05 * bound * bound / 3);
  });

  it('rejects an input with the wrong feature count', () => {
    const layer = new Linear(3, 2);
    expect(() => layer.forward(randomInput(gen, [2, 4]))).toThrow(/Linear\(3 → 2\).*\[2, 4\].*3 features/);
  });
});

/** Direct convolution: out[n,o,i,j] = b[o] + Σ_c,p,q x[n,c,i·s+p·d−pad, j·s+q·d−pad]·w[o,c,p,q]. */
function convRef(x: number[], xs: number[], w: number[], ws: number[], b: number[], s: number, pad: number, d: number) {
  const [N, C, H, W] = xs, [O, , KH, KW] = ws;
  const OH = Math.floor((H + 2 * pad - d * (KH - 1) - 1) / s) + 1, OW = Math.floor((W + 2 * pad - d * (KW - 1) - 1) / s) + 1;
  const out = new Array(N * O * OH * OW).fill(0);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    let acc = b[o];
    for (let c = 0; c < C; c++) for (let p = 0; p < KH; p++) for (let q = 0; q < KW; q++) {
      const r = i * s + p * d - pad, col = j * s + q * d - pad;
      if (r < 0 || r >= H || col < 0 || col >= W) continue;
      acc += x[((n * C + c) * H + r) * W + col] * w[((o * C + c) * KH + p) * KW + q];
    }
    out[((n * O + o) * OH + i) * OW + j] = acc;
  }
  return { out, shape: [N, O, OH, OW] };
}

describe('Conv2d and ConvTranspose2d', () => {
  it('Conv2d matches a direct convolution loop (stride 2, padding 1, dilation 1 and 2)', () => {
    for (const [s, pad, d] of [[1, 0, 1], [2, 1, 1], [1, 2, 2]]) {
      const layer = new Conv2d(3, 4, 3, { stride: s, padding: pad, dilation: d, generator: gen });
      expect(layer.weight.shape).toEqual([4, 3, 3, 3]);
      const x = randomInput(gen, [2, 3, 7, 6]);
      const ref = convRef(host(x), [2, 3, 7, 6], host(layer.weight), [4, 3, 3, 3], host(layer.bias!), s, pad, d);
      const y = layer.forward(x);
      expect(y.shape).toEqual(ref.shape);
      expectClose(host(y), ref.out, 1e-5, 1e-5, `Conv2d s${s} p${pad} d${d}`);
    }
  });

  it('default init: weight and bias U(±1/√fan_in), fan_in = weight.shape[1]·kh·kw (cin for Conv2d, cout for the transpose)', () => {
    const maxAbs = (t: Parameters<typeof host>[0]) => Math.max(...host(t).map(Math.abs));
    const conv = new Conv2d(2, 64, 3, { generator: gen });
    const transpose = new ConvTranspose2d(2, 64, 3, { generator: gen });
    for (const [layer, fanIn] of [[conv, 2 * 9], [transpose, 64 * 9]] as const) {
      const bound = 1 / Math.sqrt(fanIn);
      for (const t of [layer.weight, layer.bias!]) {
        expect(maxAbs(t)).toBeLessThanOrEqual(bound);
        // 64 or more draws: the largest comes within 10% of the bound (all below: 0.9⁶⁴ ≈ 0.1%).
        expect(maxAbs(t)).toBeGreaterThan(0.9 * bound);
      }
    }
  });

  it('ConvTranspose2d matches a direct scatter loop, weight [cin, cout, kh, kw]', () => {
    const [N, CI, CO, H, W, K, S, P, OP] = [2, 3, 2, 4, 3, 3, 2, 1, 1];
    const layer = new ConvTranspose2d(CI, CO, K, { stride: S, padding: P, outputPadding: OP, generator: gen });
    expect(layer.weight.shape).toEqual([CI, CO, K, K]);
    // PyTorch's fan_in for the transpose is weight.shape[1]·k·k = cout·k·k.
    expect(Math.max(...host(layer.bias!).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(CO * K * K));
    const x = randomInput(gen, [N, CI, H, W]);
    const OH = (H - 1) * S - 2 * P + K + OP, OW = (W - 1) * S - 2 * P + K + OP;
    const xs = host(x), w = host(layer.weight), b = host(layer.bias!);
    const out = new Array(N * CO * OH * OW).fill(0);
    for (let n = 0; n < N; n++) for (let o = 0; o < CO; o++) for (let i = 0; i < OH * OW; i++) out[(n * CO + o) * OH * OW + i] = b[o];
    // Each input pixel scatters w[c, o] into the output at (i·s − p + kh, j·s − p + kw).
    for (let n = 0; n < N; n++) for (let c = 0; c < CI; c++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
      for (let o = 0; o < CO; o++) for (let p = 0; p < K; p++) for (let q = 0; q < K; q++) {
        const r = i * S - P + p, col = j * S - P + q;
        if (r < 0 || r >= OH || col < 0 || col >= OW) continue;
        out[((n * CO + o) * OH + r) * OW + col] += xs[((n * CI + c) * H + i) * W + j] * w[((c * CO + o) * K + p) * K + q];
      }
    }
    const y = layer.forward(x);
    expect(y.shape).toEqual([N, CO, OH, OW]);
    expectClose(host(y), out, 1e-5, 1e-5, 'ConvTranspose2d');
  });
});

describe('pooling, upsampling and shape layers', () => {
  const x = randomInput(gen, [2, 3, 4, 6]);
  const xs = host(x);
  const at = (n: number, c: number, i: number, j: number) => xs[((n * 3 + c) * 4 + i) * 6 + j];

  it('MaxPool2d(2) and AvgPool2d(2) take the max / mean of each 2×2 window', () => {
    const mx: number[] = [], av: number[] = [];
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
      const w = [at(n, c, 2 * i, 2 * j), at(n, c, 2 * i, 2 * j + 1), at(n, c, 2 * i + 1, 2 * j), at(n, c, 2 * i + 1, 2 * j + 1)];
      mx.push(Math.max(...w));
      av.push(w.reduce((a, b) => a + b) / 4);
    }
    const m = new MaxPool2d(2).forward(x);
    expect(m.shape).toEqual([2, 3, 2, 3]);
    expectClose(host(m), mx, 0, 0, 'MaxPool2d');
    expectClose(host(new AvgPool2d(2).forward(x)), av, 1e-6, 1e-7, 'AvgPool2d');
  });

  it('Upsample(2) repeats each pixel in a 2×2 block', () => {
    const y = new Upsample(2).forward(x);
    expect(y.shape).toEqual([2, 3, 8, 12]);
    const ys = host(y);
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let i = 0; i < 8; i++) for (let j = 0; j < 12; j++) {
      expect(ys[((n * 3 + c) * 8 + i) * 12 + j]).toBe(at(n, c, i >> 1, j >> 1));
    }
  });

  it('Flatten, Unflatten and Reshape change only the shape', () => {
    const f = new Flatten().forward(x);
    expect(f.shape).toEqual([2, 72]);
    expect(host(f)).toEqual(xs);
    expect(new Unflatten(1, [3, 4, 6]).forward(f).shape).toEqual([2, 3, 4, 6]);
    expect(new Reshape([12, 6]).forward(x).shape).toEqual([2, 12, 6]);
    expect(() => new Unflatten(1, [5, 5]).forward(f)).toThrow(/Unflatten.*\[2, 72\].*72.*\[5, 5\]/);
  });
});

describe('activation modules', () => {
  const x = randomInput(gen, [3, 5], -3, 3);
  const xs = host(x);
  const erf = (v: number) => {
    // Abramowitz–Stegun 7.1.26 is too coarse; integrate e^(−t²) with Simpson's rule instead.
    const n = 2000, h = v / n;
    let s = 1 + Math.exp(-v * v);
    for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
    return (2 / Math.sqrt(Math.PI)) * (h / 3) * s;
  };
  const selu = (v: number) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1));
  const cases: [string, { forward: (t: typeof x) => typeof x }, (v: number) => number][] = [
    ['ReLU', new ReLU(), (v) => Math.max(v, 0)],
    ['LeakyReLU(0.2)', new LeakyReLU(0.2), (v) => (v > 0 ? v : 0.2 * v)],
    ['ELU(0.5)', new ELU(0.5), (v) => (v > 0 ? v : 0.5 * (Math.exp(v) - 1))],
    ['SELU', new SELU(), selu],
    ['GELU', new GELU(), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
    ['Sigmoid', new Sigmoid(), (v) => 1 / (1 + Math.exp(-v))],
    ['Tanh', new Tanh(), Math.tanh],
    ['Softplus', new Softplus(), (v) => Math.log1p(Math.exp(v))],
  ];
  for (const [name, m, f] of cases) {
    it(name, () => expectClose(host(m.forward(x)), xs.map(f), 1e-5, 1e-6, name));
  }
  it('Softmax and LogSoftmax along the last axis', () => {
    const want: number[] = [], wantLog: number[] = [];
    for (let r = 0; r < 3; r++) {
      const row = xs.slice(r * 5, r * 5 + 5);
      const z = row.reduce((s, v) => s + Math.exp(v), 0);
      for (const v of row) { want.push(Math.exp(v) / z); wantLog.push(v - Math.log(z)); }
    }
    expectClose(host(new Softmax().forward(x)), want, 1e-5, 1e-7, 'Softmax');
    expectClose(host(new LogSoftmax().forward(x)), wantLog, 1e-5, 1e-6, 'LogSoftmax');
  });
});

describe('Sequential', () => {
  it('names children 0, 1, … and fuses Linear + ReLU without changing the result', () => {
    const g = new Generator(3);
    const seq = new Sequential(new Linear(4, 8, { generator: g }), new ReLU(), new Linear(8, 2, { generator: g }), new Sigmoid());
    expect(seq.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['0.weight', [8, 4]], ['0.bias', [8]], ['2.weight', [2, 8]], ['2.bias', [2]],
    ]);
    const x = randomInput(g, [5, 4]);
    const fused = host(seq.forward(x));
    seq.fuse = false;
    const plain = host(seq.forward(x));
    expectClose(fused, plain, 1e-6, 1e-7, 'fused vs unfused');
    // And against a hand computation.
    const [w0, b0, w2, b2] = seq.parameters().map(host);
    const xs = host(x);
    const want: number[] = [];
    for (let i = 0; i < 5; i++) {
      const h = Array.from({ length: 8 }, (_, o) => Math.max(0, b0[o] + [0, 1, 2, 3].reduce((s, k) => s + xs[i * 4 + k] * w0[o * 4 + k], 0)));
      for (let o = 0; o < 2; o++) want.push(1 / (1 + Math.exp(-(b2[o] + h.reduce((s, v, k) => s + v * w2[o * 8 + k], 0)))));
    }
    expectClose(fused, want, 1e-5, 1e-6, 'Sequential');
  });

  it('fuses Conv2d + ReLU and ConvTranspose2d + Sigmoid: the same outputs and gradients as unfused', () => {
    const g = new Generator(4);
    const seq = new Sequential(new Conv2d(2, 3, 3, { padding: 1, generator: g }), new ReLU(),
      new ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1, generator: g }), new Sigmoid());
    const x = randomInput(g, [2, 2, 5, 4]);
    const run = (fuse: boolean) => {
      seq.fuse = fuse;
      for (const p of seq.parameters()) p.grad = null;
      const y = seq.forward(x);
      backward(y.square().sum());
      return [host(y), ...seq.parameters().map((p) => host(p.grad as Tensor))];
    };
    const [fused, plain] = [run(true), run(false)];
    expect(plain[0].length).toBe(2 * 2 * 10 * 8);
    fused.forEach((a, i) => expectClose(a, plain[i], 1e-5, 1e-6, `fused vs unfused, output/gradient ${i}`));
  });

  it('runs Conv2d, ReLU, MaxPool2d as conv, pool, relu: bit for bit the same outputs and gradients', () => {
    const g = new Generator(6);
    // Overlapping windows (3, stride 2) on an odd map (5×4): windows whose max is ≤ 0 pass no gradient.
    const seq = new Sequential(new Conv2d(2, 3, 3, { padding: 1, generator: g }), new ReLU(), new MaxPool2d(2),
      new Conv2d(3, 4, 2, { padding: 1, generator: g }), new ReLU(), new MaxPool2d(3, 2));
    const x = randomInput(g, [2, 2, 9, 6]);
    x.requiresGrad = true;
    const run = (fuse: boolean) => {
      seq.fuse = fuse;
      for (const p of [x, ...seq.parameters()]) p.grad = null;
      const y = seq.forward(x);
      const last = y.node?.op;
      backward(y.mul(y.detach().add(0.5)).sum());
      return { last, values: [host(y), host(x.grad as Tensor), ...seq.parameters().map((p) => host(p.grad as Tensor))] };
    };
    const [commuted, plain] = [run(true), run(false)];
    // The relu ran last (after the pool) only when fusing.
    expect([commuted.last, plain.last]).toEqual(['relu', 'maxPool2d']);
    expect(plain.values[0].length).toBe(2 * 4 * 2 * 1);
    expect(plain.values[0].some((v) => v === 0) && plain.values[0].some((v) => v > 0)).toBe(true);
    commuted.values.forEach((a, i) => expect(Array.from(a), `output/gradient ${i}`).toEqual(Array.from(plain.values[i])));
  });
});
