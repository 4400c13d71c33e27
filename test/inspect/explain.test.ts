// explainStep: every op of one training step with its shapes, the backward rules, the update,
// and the DOT / SVG pictures of it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Generator, fromTyped, noGrad, rand, setBackend } from '../../src/index.js';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import { saveModule } from '../../src/nn/checkpoint.js';
import { buildModel } from '../../src/models/build-model.js';
import { MODEL_TRAINING_OPTIONS, configToJson, resolveTrainConfig } from '../../src/cli/train-options.js';
import { denseAutoencoder } from '../../src/models/dense-autoencoder.js';
import { convAutoencoder } from '../../src/models/conv-autoencoder.js';
import { mseLoss } from '../../src/losses/regression.js';
import { Adam } from '../../src/optim/index.js';
import { explainStep, formatStep } from '../../src/inspect/explain-step.js';
import { buildStepGraph, stepToDot } from '../../src/inspect/step-graph.js';
import { graphToSvg } from '../../src/inspect/svg-graph.js';
import { parseDot } from './dot-syntax.js';
import type { Command } from '../../src/cli/command.js';
import { parseCommand } from '../../src/cli/options.js';
import { explainCommand } from '../../src/cli/explain.js';
import { profileCommand } from '../../src/cli/profile.js';

setBackend('js');

const hasDot = (() => { try { execFileSync('dot', ['-V'], { stdio: 'ignore' }); return true; } catch { return false; } })();

async function smallStep() {
  const model = denseAutoencoder({ inputDim: 20, hidden: [8], latent: 4, generator: new Generator(3) });
  const x = rand([5, 20], { generator: new Generator(4) });
  // The loss the step must report, computed on the host in float64 from a plain forward pass.
  const pred = noGrad(() => model.forward(x)).dataSync();
  const xs = x.dataSync();
  let sq = 0;
  for (let i = 0; i < xs.length; i++) sq += (pred[i] - xs[i]) ** 2;
  const before = new Map(model.namedParameters().map(([n, p]) => [n, Float64Array.from(p.dataSync())]));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const e = await explainStep(model, (p, t) => mseLoss(p, t), x, x, optimizer);
  return { model, x, e, expectedLoss: sq / xs.length, before };
}

describe('explainStep', () => {
  it('names every forward op with its shapes, in execution order, and the loss', async () => {
    const { e, expectedLoss } = await smallStep();
    expect(e.loss).toBeCloseTo(expectedLoss, 6);
    const model = e.forward.filter((f) => f.part === 'model');
    // 20 → 8 → 4 → 8 → 20, each a fused linear: relu, relu, relu, sigmoid.
    expect(model.map((f) => f.op)).toEqual(['linear', 'linear', 'linear', 'linear']);
    expect(model.map((f) => f.shape)).toEqual([[5, 8], [5, 4], [5, 8], [5, 20]]);
    expect(model.map((f) => f.attrs.activation)).toEqual(['relu', 'relu', 'relu', 'sigmoid']);
    expect(model[0].inputShapes).toEqual([[5, 20], [8, 20], [8]]);
    expect(model[0].inputs[0]).toBe(e.inputId);
    const params = e.forward.filter((f) => f.part === 'param').map((f) => f.name);
    expect(params).toEqual(['encoder.0.weight', 'encoder.0.bias', 'encoder.2.weight', 'encoder.2.bias',
      'decoder.0.weight', 'decoder.0.bias', 'decoder.2.weight', 'decoder.2.bias']);
    // Each op's inputs were made before it (execution order), and the loss comes last.
    const position = new Map(e.forward.map((f, i) => [f.id, i]));
    for (const f of e.forward) for (const id of f.inputs) if (position.has(id)) expect(position.get(id)!).toBeLessThan(position.get(f.id)!);
    expect(e.forward[e.forward.length - 1].id).toBe(e.lossId);
    expect(e.forward[e.forward.length - 1].shape).toEqual([]);
    // Cost model: a fused linear is one matmul (2·N·in·out) plus its bias and activation.
    model.forEach((f, i) => {
      const [n, inF, outF] = [5, f.inputShapes[1][1], f.inputShapes[1][0]];
      expect(f.cost.calls.map((c) => c.kernel)).toEqual(['matmul']);
      expect(f.cost.flops).toBeGreaterThanOrEqual(2 * n * inF * outF + n * outF);
      expect(f.cost.flops).toBeLessThanOrEqual(2 * n * inF * outF + 4 * n * outF);
      expect(f.cost.bytes).toBe(4 * (n * inF + inF * outF + n * outF + outF));
      void i;
    });
  });

  it('lists one backward rule per op, in reverse, with the gradient shapes and saved tensors', async () => {
    const { e } = await smallStep();
    const ops = e.forward.filter((f) => f.op !== 'input');
    expect(e.backward.map((b) => b.forwardId)).toEqual(ops.map((f) => f.id).reverse());
    for (const b of e.backward) {
      const f = ops.find((o) => o.id === b.forwardId)!;
      expect(b.op).toBe(f.op);
      expect(b.gradShape).toEqual(f.shape);
      b.inputs.forEach((inp, k) => {
        expect(inp.shape).toEqual(f.inputShapes[k]);
        // Every input gets a gradient of its own shape, except the data, which needs none.
        expect(inp.gradShape).toEqual(inp.id === e.inputId ? null : f.inputShapes[k]);
      });
    }
    const linears = e.backward.filter((b) => b.op === 'linear');
    expect(linears).toHaveLength(4);
    for (const b of linears) expect(b.saved).toEqual(expect.arrayContaining(['x', 'weight']));
    // dW = gᵀ·x and (except for the first layer) dx = g·W: one or two matmuls of the forward's size.
    for (const b of linears) {
      const [outF, inF] = b.inputs[1].shape;
      const matmuls = b.cost.calls.filter((c) => c.kernel === 'matmul').length;
      expect(matmuls).toBe(b.inputs[0].id === e.inputId ? 1 : 2);
      expect(b.cost.flops).toBeGreaterThanOrEqual(matmuls * 2 * 5 * inF * outF);
    }
  });

  it("reports the optimizer's update per parameter, and the step applies it", async () => {
    const { model, e, before } = await smallStep();
    expect(e.optimizer?.name).toBe('Adam');
    expect(e.updates.map((u) => u.name)).toEqual(model.namedParameters().map(([n]) => n));
    for (const u of e.updates) expect(u.cost.calls.some((c) => c.kernel === 'adamStep')).toBe(true);
    // Adam's first step: m̂ = g, v̂ = g², so p ← p − lr·g / (|g| + ε).
    for (const [name, p] of model.namedParameters()) {
      const g = p.grad!.dataSync(), now = p.dataSync(), was = before.get(name)!;
      for (let i = 0; i < now.length; i++) expect(now[i]).toBeCloseTo(was[i] - 0.01 * g[i] / (Math.abs(g[i]) + 1e-8), 5);
    }
    const text = formatStep(e);
    for (const [name, p] of model.namedParameters()) expect(text).toContain(`${name} [${p.shape.join(', ')}]`);
    expect(text).toContain('adamStep');
    expect(text).toContain(e.loss.toPrecision(6));
  });

  it('draws the step as DOT that parses and SVG with one box per node', async () => {
    const { e } = await smallStep();
    const graph = buildStepGraph(e);
    const dot = stepToDot(graph);
    const parsed = parseDot(dot);
    // Forward tensors (leaves and ops), the batch, and one node per backward rule.
    expect(parsed.nodes.size).toBe(e.forward.length + 1 + e.backward.length);
    for (const [from, to] of parsed.edges) { expect(parsed.nodes.has(from)).toBe(true); expect(parsed.nodes.has(to)).toBe(true); }
    if (hasDot) expect(() => execFileSync('dot', ['-Tsvg'], { input: dot, stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
    const svg = graphToSvg(graph);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<g id="/g)?.length).toBe(graph.nodes.length);
    expect(svg.match(/<path /g)?.length).toBe(graph.edges.length + 3);   // + the three arrow heads
    // Balanced tags (a well-formedness check of the XML structure).
    const stack: string[] = [];
    for (const m of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
      if (m[3] === '/') continue;
      if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2]);
    }
    expect(stack).toEqual([]);
  });

  it('explains a convolution as one direct conv2d kernel call', async () => {
    const model = convAutoencoder({ channels: [4, 2], generator: new Generator(5) });
    const x = rand([2, 1, 28, 28], { generator: new Generator(6) });
    const e = await explainStep(model, (p, t) => mseLoss(p, t), x, x);
    // 3×3 kernel, padding 1 on 28×28, 1 → 4 channels: 9 products per output pixel and channel.
    const conv = e.forward.find((f) => f.op === 'conv2d' && f.inputShapes.some((s) => s.join() === '2,1,28,28'))!;
    expect(conv.shape).toEqual([2, 4, 28, 28]);
    expect(conv.cost.calls.map((c) => c.kernel)).toEqual(['conv2d']);
    expect(conv.cost.flops).toBe(2 * 2 * 4 * 784 * 9);
    // Max-pooling 2×2 of [2, 4, 28, 28] keeps its argmax: one kernel call, output [2, 4, 14, 14].
    const pool = e.forward.find((f) => f.op === 'maxPool2d')!;
    expect(pool.shape).toEqual([2, 4, 14, 14]);
    expect(pool.cost.calls.map((c) => c.kernel)).toEqual(['maxPool2d']);
    expect(e.optimizer).toBeNull();
    expect(e.updates).toEqual([]);
  });
});

describe('tessera explain / profile (in-process)', () => {
  const run = async (command: Command, argv: string[]) => {
    let out = '', err = '';
    const io = { stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } } };
    const code = await command.run(parseCommand(command.name, command.options, argv, command.positionals), io);
    return { code, out, err };
  };

  it('explain writes text and DOT for the seed model', async () => {
    const text = await run(explainCommand, ['--backend', 'js', '--batch-size', '4']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('encoder.0.weight [64, 784]');
    expect(text.out).toContain('matmul m×n×k 4×64×784');
    const dot = await run(explainCommand, ['--backend', 'js', '--batch-size', '4', '--format', 'dot']);
    const parsed = parseDot(dot.out);
    expect(parsed.nodes.has('x')).toBe(true);
    expect(parsed.edges.length).toBeGreaterThan(20);
  });

  it('explain --run uses the run folder\'s model and weights', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-explain-'));
    try {
      const values: Record<string, unknown> = {};
      for (const o of MODEL_TRAINING_OPTIONS) if (o.default !== undefined) values[o.name] = o.default;
      const config = resolveTrainConfig('test', { ...values, latent: 8 } as never);
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(configToJson(config)));
      // Weights from another seed than the config's, so a fresh build would differ.
      const model = buildModel(config, new Generator(123));
      await saveModule(path.join(dir, 'model.safetensors'), model);
      const x = fromTyped(loadFashionMnist({ split: 'test', limit: 4 }).images, [4, 784]);
      const expected = noGrad(() => mseLoss(model.forward(x), x).item());
      const r = await run(explainCommand, ['--run', dir, '--backend', 'js', '--batch-size', '4', '--format', 'json']);
      expect(r.code).toBe(0);
      const e = JSON.parse(r.out) as { loss: number; parameters: { name: string; shape: number[] }[] };
      expect(e.loss).toBeCloseTo(expected, 6);
      expect(e.parameters.find((p) => p.name === 'encoder.2.weight')!.shape).toEqual([8, 64]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('profile prints a JSON profile whose rows add up to the step', async () => {
    const r = await run(profileCommand, ['--backend', 'js', '--batch-size', '16', '--warmup', '0', '--warmup-seconds', '0', '--steps', '1', '--json']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.out) as { stepMs: number; rows: { ms: number }[]; batchSize: number };
    expect(p.batchSize).toBe(16);
    expect(p.rows.reduce((a, x) => a + x.ms, 0)).toBeCloseTo(p.stepMs, 6);
  });

  it('profile refuses --peak-gflops alone on a backend with no measured bandwidth (it printed NaN% of peak)', async () => {
    await expect(run(profileCommand, ['--backend', 'wasm', '--batch-size', '8', '--warmup', '0', '--warmup-seconds', '0', '--steps', '1', '--peak-gflops', '100']))
      .rejects.toThrow('tessera profile: the wasm backend has no measured memory bandwidth; give --peak-gbps with --peak-gflops');
  });
});
