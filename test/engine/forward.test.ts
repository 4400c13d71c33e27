// Forward values against hand-derived cases and an independent float64 reference.
import { describe, expect, it } from 'vitest';
import {
  tensor, zeros, ones, full, arange, eye, randn, rand, linspace, setBackend, Generator, concat, stack, where,
  conv2d, convTranspose2d, maxPool2d, avgPool2d, upsampleNearest2d, linear, logSumExp,
} from '../../src/index.js';
import { atBroadcast, expectClose, prod, randomArray, unravel } from '../helpers.js';

setBackend('js');
const gen = new Generator(42);

describe('creation', () => {
  it('builds tensors from nested arrays, flat data and constants', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensor(new Float32Array([1, 2, 3, 4]), [2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensor(7).shape).toEqual([]);
    expect(tensor(7).item()).toBe(7);
    expect(Array.from(zeros([2, 2]).dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones([3]).dataSync())).toEqual([1, 1, 1]);
    expect(Array.from(full([2], 2.5).dataSync())).toEqual([2.5, 2.5]);
    expect(Array.from(arange(5).dataSync())).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(arange(1, 2, 0.25).dataSync())).toEqual([1, 1.25, 1.5, 1.75]);
    expect(Array.from(linspace(0, 1, 5).dataSync())).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });

  it('draws repeatable random numbers with the right moments', () => {
    const a = Array.from(randn([10000], { generator: new Generator(7) }).dataSync());
    const b = Array.from(randn([10000], { generator: new Generator(7) }).dataSync());
    expect(a).toEqual(b);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.04);   // 4 standard errors of the mean
    expect(Math.abs(variance - 1)).toBeLessThan(0.06);
    const u = Array.from(rand([10000], { generator: new Generator(8), low: 2, high: 4 }).dataSync());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...u)).toBeLessThan(4);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / u.length - 3)).toBeLessThan(0.03);
  });

  it('prints readably', () => {
    expect(tensor([[1, 2], [3, 4]]).toString()).toContain('[[1, 2],\n [3, 4]]');
    expect(arange(100).toString()).toContain('[0, 1, 2, ..., 97, 98, 99]');
  });
});

// Independent float64 references for elementwise ops.
const erfRef = (x: number): number => {
  // Series for small |x|, continued fraction tail otherwise: accurate to ~1e-12.
  const ax = Math.abs(x);
  if (ax < 3) {
    let sum = x, term = x;
    for (let n = 1; n < 100; n++) { term *= -x * x / n; sum += term / (2 * n + 1); }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
};
const unaryRefs: Record<string, (x: number) => number> = {
  neg: (x) => -x, abs: Math.abs, exp: Math.exp, sqrt: Math.sqrt, square: (x) => x * x, log: Math.log,
  sin: Math.sin, cos: Math.cos, relu: (x) => Math.max(x, 0), sigmoid: (x) => 1 / (1 + Math.exp(-x)), tanh: Math.tanh,
  softplus: (x) => Math.log(1 + Math.exp(x)), gelu: (x) => 0.5 * x * (1 + erfRef(x / Math.SQRT2)),
  selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1)),
  elu: (x) => (x > 0 ? x : Math.exp(x) - 1), leakyRelu: (x) => (x > 0 ? x : 0.01 * x), reciprocal: (x) => 1 / x,
};

describe('elementwise', () => {
  for (const [name, ref] of Object.entries(unaryRefs)) {
    it(`${name} matches a float64 reference`, () => {
      const positive = ['sqrt', 'log', 'reciprocal'].includes(name);
      const xs = randomArray(gen, 257, positive ? 0.1 : -6, 6);
      const x = tensor(xs);
      const y = (x as unknown as Record<string, () => { dataSync(): Float32Array }>)[name]().dataSync();
      expectClose(y, xs.map(ref), 2e-6, 2e-7, name);
    });
  }

  it('binary ops broadcast by NumPy rules', () => {
    const cases: [number[], number[]][] = [[[3, 4], [4]], [[2, 1, 5], [3, 1]], [[1], [2, 3]], [[4, 1], [1, 5]], [[], [2, 2]], [[1, 1, 3], [2, 1, 1]]];
    const refs: Record<string, (a: number, b: number) => number> = {
      add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
      maximum: Math.max, minimum: Math.min, pow: (a, b) => Math.pow(a, b),
    };
    for (const [sa, sb] of cases) {
      const out = (() => { const r = Math.max(sa.length, sb.length); const o: number[] = []; for (let i = 0; i < r; i++) { const da = sa[sa.length - r + i] ?? 1, db = sb[sb.length - r + i] ?? 1; o.push(Math.max(da, db)); } return o; })();
      const av = randomArray(gen, prod(sa), 0.5, 2), bv = randomArray(gen, prod(sb), 0.5, 2);
      const a = tensor(av, sa), b = tensor(bv, sb);
      for (const [op, ref] of Object.entries(refs)) {
        const y = (a as unknown as Record<string, (b: unknown) => { shape: number[]; dataSync(): Float32Array }>)[op](b);
        expect(y.shape).toEqual(out);
        const expected = Array.from({ length: prod(out) }, (_, i) => { const idx = unravel(i, out); return ref(atBroadcast(av, sa, idx), atBroadcast(bv, sb, idx)); });
        expectClose(y.dataSync(), expected, 1e-5, 1e-6, `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
      }
    }
  });

  it('scalar arithmetic, comparisons, clamp and where', () => {
    const x = tensor([-2, -0.5, 0, 0.5, 2]);
    expect(Array.from(x.mul(3).add(1).dataSync())).toEqual([-5, -0.5, 1, 2.5, 7]);
    expect(Array.from(x.sub(1).div(2).dataSync())).toEqual([-1.5, -0.75, -0.5, -0.25, 0.5]);
    expect(Array.from(x.pow(2).dataSync())).toEqual([4, 0.25, 0, 0.25, 4]);
    expect(Array.from(x.gt(0).dataSync())).toEqual([0, 0, 0, 1, 1]);
    expect(Array.from(x.le(0).dataSync())).toEqual([1, 1, 1, 0, 0]);
    expect(Array.from(x.eq(0.5).dataSync())).toEqual([0, 0, 0, 1, 0]);
    expect(Array.from(x.clamp(-1, 1).dataSync())).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(Array.from(where(x.gt(0), x, tensor([10])).dataSync())).toEqual([10, 10, 10, 0.5, 2]);
  });
});

describe('reductions and softmax', () => {
  it('sum/mean/max/min over any axes with keepDims', () => {
    const shape = [2, 3, 4];
    const v = randomArray(gen, 24);
    const x = tensor(v, shape);
    const refReduce = (axes: number[], f: (xs: number[]) => number) => {
      const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return Array.from({ length: prod(outShape) }, (_, o) => {
        const oi = unravel(o, outShape);
        const vals: number[] = [];
        for (let i = 0; i < 24; i++) { const idx = unravel(i, shape); if (idx.every((d, k) => axes.includes(k) || d === oi[k])) vals.push(v[i]); }
        return f(vals);
      });
    };
    const s = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    for (const axes of [[0], [1], [2], [0, 1], [1, 2], [0, 2], [0, 1, 2]]) {
      expectClose(x.sum(axes).dataSync(), refReduce(axes, s), 1e-5, 1e-6, `sum ${axes}`);
      expectClose(x.mean(axes, true).dataSync(), refReduce(axes, (xs) => s(xs) / xs.length), 1e-5, 1e-6, `mean ${axes}`);
      expectClose(x.max(axes).dataSync(), refReduce(axes, (xs) => Math.max(...xs)), 1e-7, 0, `max ${axes}`);
      expectClose(x.min(axes).dataSync(), refReduce(axes, (xs) => Math.min(...xs)), 1e-7, 0, `min ${axes}`);
    }
    expect(x.sum([0, 2], true).shape).toEqual([1, 3, 1]);
    expect(x.sum([0, 2]).shape).toEqual([3]);
    expect(x.sum().shape).toEqual([]);
  });

  it('argmax/argmin pick the first extreme', () => {
    const x = tensor([[1, 5, 5], [7, 0, 7]]);
    expect(Array.from(x.argmax(1).dataSync())).toEqual([1, 0]);
    expect(Array.from(x.argmin(0).dataSync())).toEqual([0, 1, 0]);
    expect(x.argmax().item()).toBe(3);
  });

  it('softmax and logSoftmax are stable for huge logits', () => {
    const x = tensor([[1000, 1001, 1002], [-1000, 0, 1000]]);
    const ref = (row: number[]) => { const m = Math.max(...row); const e = row.map((v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b); return e.map((v) => v / s); };
    expectClose(x.softmax().dataSync(), [...ref([1000, 1001, 1002]), ...ref([-1000, 0, 1000])], 1e-6, 1e-7, 'softmax');
    const ls = x.logSoftmax().dataSync();
    expect(ls.every(Number.isFinite)).toBe(true); // a naive log(softmax) would give log(0) = -Infinity here
    expectClose([ls[0], ls[1], ls[2]], ref([1000, 1001, 1002]).map(Math.log), 1e-6, 1e-6, 'logSoftmax');
    expect(ls[3]).toBeCloseTo(-2000, 3);
    expectClose(logSumExp(x).dataSync(), [1002 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 1000], 1e-6, 1e-4, 'logSumExp');
    // softmax along axis 0
    const y = tensor([[1, 2], [3, 4]]).softmax(0).dataSync();
    expectClose(y, [1 / (1 + Math.exp(2)), 1 / (1 + Math.exp(2)), 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(-2))], 1e-6, 1e-7, 'softmax axis 0');
  });
});

describe('shape ops', () => {
  it('reshape, permute, transpose, expand, slice, concat, stack', () => {
    const x = arange(24).reshape([2, 3, 4]);
    expect(x.reshape([4, -1]).shape).toEqual([4, 6]);
    const p = x.permute([2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    const pv = p.dataSync();
    for (let i = 0; i < 24; i++) { const [a, b, c] = unravel(i, [4, 2, 3]); expect(pv[i]).toBe(b * 12 + c * 4 + a); }
    expect(tensor([[1, 2, 3]]).T.toArray()).toEqual([[1], [2], [3]]);
    expect(tensor([[1], [2]]).expand([2, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(x.slice([1, 1, 1], [2, 3, 3]).toArray()).toEqual([[[17, 18], [21, 22]]]);
    expect(x.slice([0, -1]).shape).toEqual([2, 1, 4]);
    expect(concat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])], 0).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(concat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]])], 1).toArray()).toEqual([[1, 3, 4], [2, 5, 6]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(tensor([[[1, 2]]]).squeeze().shape).toEqual([2]);
    expect(tensor([1, 2]).unsqueeze(0).shape).toEqual([1, 2]);
  });
});

describe('matmul', () => {
  const ref = (a: number[], b: number[], m: number, k: number, n: number) =>
    Array.from({ length: m * n }, (_, o) => { const i = Math.floor(o / n), j = o % n; let s = 0; for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * n + j]; return s; });

  it('2-D products of odd sizes match a float64 reference', () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [17, 1, 9], [33, 65, 31], [130, 200, 70]]) {
      const a = randomArray(gen, m * k), b = randomArray(gen, k * n);
      const y = tensor(a, [m, k]).matmul(tensor(b, [k, n]));
      expect(y.shape).toEqual([m, n]);
      expectClose(y.dataSync(), ref(a, b, m, k, n), 1e-4, 1e-5, `matmul ${m}x${k}x${n}`);
    }
  });

  it('vectors and broadcast batches follow NumPy', () => {
    const a = randomArray(gen, 2 * 3 * 4), b = randomArray(gen, 4 * 5);
    const y = tensor(a, [2, 3, 4]).matmul(tensor(b, [4, 5]));
    expect(y.shape).toEqual([2, 3, 5]);
    expectClose(y.dataSync(), [...ref(a.slice(0, 12), b, 3, 4, 5), ...ref(a.slice(12), b, 3, 4, 5)], 1e-5, 1e-6, 'batched');
    const c = randomArray(gen, 3 * 1 * 2 * 4), d = randomArray(gen, 2 * 4 * 3);
    const z = tensor(c, [3, 1, 2, 4]).matmul(tensor(d, [2, 4, 3]));
    expect(z.shape).toEqual([3, 2, 2, 3]);
    const zv = z.dataSync();
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) {
      expectClose(zv.subarray((i * 2 + j) * 6, (i * 2 + j + 1) * 6), ref(c.slice(i * 8, i * 8 + 8), d.slice(j * 12, j * 12 + 12), 2, 4, 3), 1e-5, 1e-6, 'broadcast batch');
    }
    expect(tensor([1, 2, 3]).matmul(tensor([4, 5, 6])).item()).toBe(32);
    expect(tensor([[1, 2], [3, 4]]).matmul(tensor([1, 1])).toArray()).toEqual([3, 7]);
  });

  it('linear fuses bias and activation', () => {
    const x = randomArray(gen, 5 * 3), w = randomArray(gen, 4 * 3), b = randomArray(gen, 4);
    const wT = Array.from({ length: 12 }, (_, o) => w[(o % 4) * 3 + Math.floor(o / 4)]);
    const z = ref(x, wT, 5, 3, 4).map((v, i) => v + b[i % 4]);
    expectClose(linear(tensor(x, [5, 3]), tensor(w, [4, 3]), tensor(b)).dataSync(), z, 1e-5, 1e-6, 'linear');
    expectClose(linear(tensor(x, [5, 3]), tensor(w, [4, 3]), tensor(b), 'relu').dataSync(), z.map((v) => Math.max(v, 0)), 1e-5, 1e-6, 'linear relu');
    expectClose(linear(tensor(x, [5, 3]), tensor(w, [4, 3]), tensor(b), 'sigmoid').dataSync(), z.map((v) => 1 / (1 + Math.exp(-v))), 1e-5, 1e-6, 'linear sigmoid');
  });
});

describe('convolution and pooling', () => {
  // Direct convolution, written from the definition.
  const convRef = (x: number[], xs: number[], w: number[], ws: number[], stride: number, pad: number, dil: number) => {
    const [n, c, h, wd] = xs, [oc, , kh, kw] = ws;
    const oh = Math.floor((h + 2 * pad - dil * (kh - 1) - 1) / stride) + 1, ow = Math.floor((wd + 2 * pad - dil * (kw - 1) - 1) / stride) + 1;
    const out: number[] = [];
    for (let b = 0; b < n; b++) for (let o = 0; o < oc; o++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
      let s = 0;
      for (let ch = 0; ch < c; ch++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
        const iy = y * stride - pad + i * dil, ix = xx * stride - pad + j * dil;
        if (iy >= 0 && iy < h && ix >= 0 && ix < wd) s += x[((b * c + ch) * h + iy) * wd + ix] * w[((o * c + ch) * kh + i) * kw + j];
      }
      out.push(s);
    }
    return { out, shape: [n, oc, oh, ow] };
  };

  it('conv2d matches direct convolution (stride, padding, dilation)', () => {
    for (const [stride, pad, dil] of [[1, 0, 1], [2, 1, 1], [1, 2, 2], [3, 1, 1]]) {
      const xs = [2, 3, 7, 6], ws = [4, 3, 3, 2];
      const x = randomArray(gen, prod(xs)), w = randomArray(gen, prod(ws)), b = randomArray(gen, 4);
      const { out, shape } = convRef(x, xs, w, ws, stride, pad, dil);
      const y = conv2d(tensor(x, xs), tensor(w, ws), tensor(b), { stride, padding: pad, dilation: dil });
      expect(y.shape).toEqual(shape);
      const hw = shape[2] * shape[3];
      expectClose(y.dataSync(), out.map((v, i) => v + b[Math.floor(i / hw) % 4]), 1e-5, 1e-5, `conv s${stride} p${pad} d${dil}`);
    }
  });

  it('convTranspose2d is the adjoint of conv2d: <conv(x), y> = <x, convT(y)>', () => {
    for (const [stride, pad] of [[1, 0], [2, 1], [2, 0]]) {
      const xs = [2, 3, 8, 7];
      const w = tensor(randomArray(gen, 4 * 3 * 3 * 3), [4, 3, 3, 3]);    // conv: 3 → 4 channels
      const x = tensor(randomArray(gen, prod(xs)), xs);
      const cx = conv2d(x, w, null, { stride, padding: pad });
      const y = tensor(randomArray(gen, cx.size), cx.shape);
      // convTranspose2d's weight [cin=4, cout=3, kh, kw] is the same array as conv2d's [cout=4, cin=3, …].
      const outPad: [number, number] = [(xs[2] + 2 * pad - 3) % stride, (xs[3] + 2 * pad - 3) % stride];
      const ty = convTranspose2d(y, w, null, { stride, padding: pad, outputPadding: outPad });
      expect(ty.shape).toEqual(xs);
      const lhs = cx.mul(y).sum().item(), rhs = x.mul(ty).sum().item();
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
    }
  });

  it('max/avg pooling and nearest upsampling', () => {
    const x = arange(16).reshape([1, 1, 4, 4]);
    expect(maxPool2d(x, { kernelSize: 2 }).toArray()).toEqual([[[[5, 7], [13, 15]]]]);
    expect(avgPool2d(x, { kernelSize: 2 }).toArray()).toEqual([[[[2.5, 4.5], [10.5, 12.5]]]]);
    expect(maxPool2d(x, { kernelSize: 3, stride: 1 }).toArray()).toEqual([[[[10, 11], [14, 15]]]]);
    expect(upsampleNearest2d(tensor([[[[1, 2], [3, 4]]]]), 2).toArray()).toEqual([[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]);
  });
});
