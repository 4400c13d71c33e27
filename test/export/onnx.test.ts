// ONNX export checked by an independent runtime: onnxruntime-node (a dev dependency) runs the
// exported file, and its outputs must equal tessera's forward within 1e-5 of the output's
// magnitude, for every family member and several batch sizes.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { fromBinary } from '@bufbuild/protobuf';
import { Autoencoder, Generator, Linear, Module, Sequential, VAE, exportOnnx, mul, noGrad, rand, type Tensor } from '../../src/index.js';
import { ModelProtoSchema } from '../../src/export/proto/onnx-pb.js';
import { familyCases, relativeError } from './family.js';

const BATCHES = [1, 3, 8];
let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-onnx-')); });
afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

async function run(file: string, feeds: Record<string, Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(file);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', Float32Array.from(await t.data()), [...t.shape]);
  const out = await session.run(inputs);
  await session.release();
  return out;
}

async function expectClose(got: ort.Tensor, want: Tensor): Promise<void> {
  expect([...got.dims]).toEqual(want.shape);
  expect(relativeError(got.data as Float32Array, Float32Array.from(await want.data()))).toBeLessThan(1e-5);
}

describe('exportOnnx', () => {
  for (const c of familyCases()) {
    it(`${c.name}: onnxruntime's output equals tessera's forward for batches ${BATCHES.join(', ')}`, async () => {
      const file = path.join(dir, `${c.name.replace(/\W+/g, '-')}.onnx`);
      await exportOnnx(c.model, file, { inputShape: c.inputShape });
      // Initializers are state-dict entries under their own names (every parameter, and the
      // running statistics that eval-form batch norm reads).
      const proto = fromBinary(ModelProtoSchema, fs.readFileSync(file));
      const state = c.model.stateDict();
      const names = proto.graph!.initializer.map((t) => t.name);
      expect(names.every((n) => n in state)).toBe(true);
      expect(new Set(names)).toEqual(new Set(Object.keys(state).filter((n) => !n.endsWith('num_batches_tracked'))));
      expect(Number(proto.opsetImport[0].version)).toBeGreaterThanOrEqual(13);
      const gen = new Generator(3);
      for (const n of BATCHES) {
        const x = rand([n, ...c.inputShape], { generator: gen });
        const out = await run(file, { input: x });
        await expectClose(out.output, noGrad(() => c.model.forward(x)));
      }
    });
  }

  it('vae: an encoder graph gives μ and log σ², a decoder graph maps z to the output', async () => {
    const c = familyCases().find((k) => k.model instanceof VAE)!;
    const vae = c.model as VAE;
    const enc = path.join(dir, 'vae.encoder.onnx'), dec = path.join(dir, 'vae.decoder.onnx');
    await exportOnnx(vae, enc, { inputShape: c.inputShape, part: 'encoder' });
    await exportOnnx(vae, dec, { inputShape: c.inputShape, part: 'decoder' });
    const gen = new Generator(4);
    for (const n of BATCHES) {
      const x = rand([n, ...c.inputShape], { generator: gen });
      const { mu, logvar } = noGrad(() => vae.encodeDistribution(x));
      const out = await run(enc, { input: x });
      await expectClose(out.mu, mu);
      await expectClose(out.logvar, logvar);
      const z = rand([n, vae.latent], { generator: gen, low: -2, high: 2 });
      await expectClose((await run(dec, { code: z })).output, noGrad(() => vae.decode(z)));
    }
  });

  it('a plain autoencoder\'s encoder graph gives the code; its decoder graph reads only decoder weights', async () => {
    const c = familyCases()[2];
    const enc = path.join(dir, 'conv.encoder.onnx'), dec = path.join(dir, 'conv.decoder.onnx');
    await exportOnnx(c.model, enc, { inputShape: c.inputShape, part: 'encoder' });
    await exportOnnx(c.model, dec, { inputShape: c.inputShape, part: 'decoder' });
    const x = rand([2, ...c.inputShape], { generator: new Generator(5) });
    const code = noGrad(() => c.model.encode(x));
    await expectClose((await run(enc, { input: x })).code, code);
    await expectClose((await run(dec, { code })).output, noGrad(() => c.model.decode(code)));
    const names = fromBinary(ModelProtoSchema, fs.readFileSync(dec)).graph!.initializer.map((t) => t.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith('decoder.'))).toBe(true);
  });

  it('names what it cannot export: a module it does not know, a Linear on rank-3 input', async () => {
    class Doubler extends Module { forward(x: Tensor): Tensor { return mul(x, 2); } }
    const file = path.join(dir, 'unsupported.onnx');
    const custom = new Autoencoder(new Sequential(new Linear(4, 2), new Doubler()), new Linear(2, 4));
    await expect(exportOnnx(custom, file, { inputShape: [4] })).rejects.toThrow(/encoder\.1 is a Doubler, which the exporters do not know/);
    await expect(exportOnnx(new Autoencoder(new Linear(4, 2), new Linear(2, 4)), file, { inputShape: [3, 4] }))
      .rejects.toThrow(/encoder Linear gives \[1, 3, 2\]; the export writes Gemm, which takes rows \[n, features\] only/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('rejects a bad inputShape and leaves no file', async () => {
    const c = familyCases()[0];
    const file = path.join(dir, 'bad.onnx');
    await expect(exportOnnx(c.model, file, { inputShape: [0] })).rejects.toThrow(/inputShape must be the positive sizes/);
    await expect(exportOnnx(c.model, file, { inputShape: [21] })).rejects.toThrow(/21/);
    expect(fs.existsSync(file)).toBe(false);
  });
});
