// Every op family through the public API on webgpu against js: the same inputs, the
// forward value and every gradient (ggml's test-backend-ops idea, at the tensor level).
// This checks that the ops layer and the webgpu kernels agree on the kernel contracts
// (strides, offsets, fused epilogues, in-place optimizer buffers), not just the kernels alone.
import { describe, expect, it } from 'vitest';
import {
  tensor, setBackend, useBackend, tidy, concat, conv2d, convTranspose2d, maxPool2d, avgPool2d, upsampleNearest2d,
  linear, where, logSumExp, Generator, type Tensor,
} from '../../src/index.js';
import { expectClose } from '../helpers.js';
import { setupWebGPU, shouldSkip } from './webgpu-helpers.js';

const setup = await setupWebGPU();

interface Case {
  name: string;
  shapes: number[][];
  /** Builds a scalar loss from leaves (all requiring grad). */
  loss: (xs: Tensor[]) => Tensor;
  /** Input range (positive for log/sqrt/pow). */
  range?: [number, number];
}

const cases: Case[] = [
  { name: 'conv2d + bias + relu + maxPool2d', shapes: [[2, 3, 7, 6], [4, 3, 3, 3], [4]],
    loss: ([x, w, b]) => maxPool2d(conv2d(x, w, b, { padding: 1, stride: 1 }).relu(), { kernelSize: 2, stride: 2 }).square().sum() },
  { name: 'conv2d stride 2, dilation 2', shapes: [[1, 2, 9, 8], [3, 2, 3, 2]],
    loss: ([x, w]) => conv2d(x, w, null, { stride: 2, dilation: 2, padding: [2, 1] }).tanh().sum() },
  { name: 'convTranspose2d + sigmoid + avgPool2d', shapes: [[2, 4, 5, 5], [4, 3, 3, 3], [3]],
    loss: ([x, w, b]) => avgPool2d(convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }).sigmoid(), { kernelSize: 2 }).mean() },
  { name: 'upsampleNearest2d', shapes: [[1, 2, 3, 4]], loss: ([x]) => upsampleNearest2d(x, 2).mul(x.sum()).sum() },
  { name: 'batched matmul with broadcasting and transposes', shapes: [[2, 3, 4, 5], [5, 6], [3, 6, 4]],
    loss: ([a, b, c]) => a.matmul(b).matmul(c.transpose(-1, -2).permute([0, 2, 1])).gelu().sum() },
  { name: 'linear with fused activation', shapes: [[7, 5], [9, 5], [9]],
    loss: ([x, w, b]) => linear(x, w, b, 'tanh').square().mean() },
  { name: 'softmax / logSoftmax / logSumExp', shapes: [[4, 10], [4, 10]],
    loss: ([x, t]) => x.logSoftmax(-1).mul(t.softmax(-1)).sum().add(logSumExp(x, 0).sum()) },
  { name: 'reductions over axes, max/min', shapes: [[3, 4, 5]],
    loss: ([x]) => x.sum(1).mul(x.max(2, true).sum()).sum().add(x.min([0, 2]).sum()).add(x.mean(0).square().sum()) },
  { name: 'slice, concat, expand, broadcasting arithmetic', shapes: [[4, 6], [1, 6], [4, 1]],
    loss: ([a, r, c]) => concat([a.slice([1, 2], [3, 5]), r.expand([2, 6]).slice([0, 0], [2, 3])], 1).div(c.slice([0, 0], [2, 1]).abs().add(1)).sub(a.slice([0, 0], [2, 6]).maximum(0.1)).square().sum() },
  { name: 'where, comparisons, pow, clamp', shapes: [[5, 5], [5, 5]], range: [0.2, 2],
    loss: ([a, b]) => where(a.gt(b), a.pow(b), b.sqrt().log()).add(a.clamp(0.5, 1.5).mul(b.reciprocal())).sum() },
  { name: 'activations', shapes: [[6, 7]],
    loss: ([x]) => x.elu(0.7).add(x.selu()).add(x.softplus()).add(x.leakyRelu(0.2)).mul(x.sin().add(x.cos())).sum() },
];

describe.skipIf(shouldSkip(setup))('ops on webgpu match js (forward and gradients)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      if (!setup.backend) throw new Error(`no WebGPU adapter (CI requires one): ${setup.reason}`);
      await useBackend('webgpu');
      const gen = new Generator(c.name.length);
      const [lo, hi] = c.range ?? [-1.5, 1.5];
      const data = c.shapes.map((s) => Array.from({ length: s.reduce((p, d) => p * d, 1) }, () => lo + (hi - lo) * gen.uniform()));
      const results: { loss: number; grads: Float32Array[] }[] = [];
      for (const backend of ['js', 'webgpu'] as const) {
        setBackend(backend);
        const leaves = data.map((d, i) => tensor(d, c.shapes[i], { requiresGrad: true }));
        const loss = tidy(() => {
          const l = c.loss(leaves);
          l.backward();
          return l;
        });
        results.push({
          loss: (await loss.data())[0],
          grads: await Promise.all(leaves.map(async (l) => (await l.grad!.data()) as Float32Array)),
        });
        loss.dispose();
        for (const l of leaves) { l.zeroGrad(); l.dispose(); }
      }
      setBackend('js');
      const [js, wg] = results;
      expect(Math.abs(wg.loss - js.loss)).toBeLessThanOrEqual(1e-4 * Math.abs(js.loss) + 1e-5);
      js.grads.forEach((g, i) => expectClose(wg.grads[i], g, 1e-4, 1e-5, `${c.name}: gradient of input ${i}`));
    });
  }
});
