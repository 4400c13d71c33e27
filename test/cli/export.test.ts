// `tessera export` on trained run folders: the ONNX files run in onnxruntime and give the run's
// reconstructions; --format torch writes model.py beside the weights (test/export/torch.test.ts
// runs such files in PyTorch for every family member).
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Generator, noGrad, rand } from '../../src/index.js';
import { readRun } from '../../src/cli/run-folder.js';
import { SMALL, cli, tempDir } from './helpers.js';
import { relativeError } from '../export/family.js';

const root = tempDir('export');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function ortRun(file: string, name: string, data: Float32Array, dims: number[]): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(file);
  try {
    return await session.run({ [name]: new ort.Tensor('float32', data, dims) });
  } finally {
    await session.release();
  }
}

describe('tessera export', () => {
  for (const [model, extra, shape] of [['conv', ['--hidden', '4', '--batch-norm'], [1, 28, 28]], ['vae', ['--hidden', '32', '--latent', '2'], [784]]] as const) {
    it(`${model}: --format onnx writes model.onnx, .encoder.onnx and .decoder.onnx that match the run`, async () => {
      const dir = path.join(root, model);
      expect((await cli(['train', ...SMALL, '--epochs', '1', '--model', model, ...extra, '--out', dir])).code).toBe(0);
      const r = await cli(['export', dir, '--format', 'onnx']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      for (const f of ['model.onnx', 'model.encoder.onnx', 'model.decoder.onnx']) expect(fs.existsSync(path.join(dir, f))).toBe(true);
      const run = readRun('test', dir);
      const x = rand([3, ...shape], { generator: new Generator(1) });
      const got = (await ortRun(path.join(dir, 'model.onnx'), 'input', Float32Array.from(await x.data()), [3, ...shape])).output;
      const want = Float32Array.from(await noGrad(() => run.model.forward(x)).data());
      expect([...got.dims]).toEqual([3, ...shape]);
      expect(relativeError(got.data as Float32Array, want)).toBeLessThan(1e-5);
      const enc = await ortRun(path.join(dir, 'model.encoder.onnx'), 'input', Float32Array.from(await x.data()), [3, ...shape]);
      expect(Object.keys(enc).sort()).toEqual(model === 'vae' ? ['logvar', 'mu'] : ['code']);
    });
  }

  it('--format torch writes model.py beside the weights (and copies them beside --out)', async () => {
    const dir = path.join(root, 'vae');
    const out = path.join(root, 'elsewhere');
    fs.mkdirSync(out);
    const r = await cli(['export', dir, '--format', 'torch', '--out', path.join(out, 'model.py')]);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'model.py'), 'utf8')).toMatch(/^def build\(\):/m);
    expect(fs.readFileSync(path.join(out, 'model.safetensors'))).toEqual(fs.readFileSync(path.join(dir, 'model.safetensors')));
  });

  it('names a missing run folder and a missing --out folder', async () => {
    let r = await cli(['export', path.join(root, 'nope')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the run folder '.*nope' does not exist/);
    r = await cli(['export', path.join(root, 'vae'), '--out', path.join(root, 'no', 'dir', 'm.onnx')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the folder of --out '.*m\.onnx' does not exist/);
  });
});
