// The PyTorch hand-off checked by PyTorch itself: the generated model.py (no tessera import)
// is built, the state dict saved by tessera loads into it with strict=True, and its eval-mode
// outputs (and the sparse penalty and a VAE's KL) equal tessera's within 1e-5 of their
// magnitude, for every family member. Needs a python3 with torch (Debian's python3-torch in CI).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Generator, SparseAutoencoder, VAE, exportTorch, gaussianKl, mul, noGrad, rand, saveModule, writeSafetensors, type Tensor,
} from '../../src/index.js';
import { familyCases, relativeError } from './family.js';

/** The first of $TESSERA_PYTHON, python3, /usr/bin/python3 that imports torch. */
function findTorchPython(): string | null {
  const candidates = [process.env.TESSERA_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  for (const p of candidates) {
    if (spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return p;
  }
  return null;
}

const python = findTorchPython();
// CI installs python3-torch (.ci/run): there a missing torch is a failure, not a skip.
if (process.env.CI && python === null) throw new Error('no python3 that imports torch, and CI installs python3-torch: see .ci/run');
const BATCH = 5;

// Runs every case's model.py in one Python process (importing torch takes seconds).
const RUNNER = `
import importlib.util, json, sys, torch
for case in json.load(open(sys.argv[1])):
    spec = importlib.util.spec_from_file_location('model_' + case['id'], case['dir'] + '/model.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    model = mod.build()
    model.load_state_dict(mod.load_file(case['dir'] + '/model.safetensors'), strict=True)
    model.eval()
    x = mod.load_file(case['dir'] + '/input.safetensors')['x']
    out = {}
    with torch.no_grad():
        out['output'] = model(x)
        if hasattr(model, 'encode_distribution'):
            mu, logvar = model.encode_distribution(x)
            out['mu'], out['logvar'] = mu, logvar
            out['kl'] = model.kl(mu, logvar).reshape(1)
        if hasattr(model, 'sparsity_penalty'):
            out['penalty'] = model.sparsity_penalty(model.encode(x)).reshape(1)
    meta = {k: list(v.shape) for k, v in out.items()}
    with open(case['dir'] + '/torch-out.bin', 'wb') as f:
        for k in out: f.write(out[k].contiguous().numpy().astype('<f4').tobytes())
    json.dump(meta, open(case['dir'] + '/torch-out.json', 'w'))
`;

describe.skipIf(python === null)('exportTorch (python3 with torch: install python3-torch, or set TESSERA_PYTHON)', () => {
  it('every family member: model.py loads the safetensors with strict=True and matches tessera in eval mode', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-torch-'));
    try {
      const cases = familyCases();
      const runs: { id: string; dir: string }[] = [];
      const inputs: Tensor[] = [];
      const gen = new Generator(6);
      for (const [i, c] of cases.entries()) {
        const dir = path.join(root, String(i));
        fs.mkdirSync(dir);
        exportTorch(c.model, path.join(dir, 'model.py'));
        expect(fs.readFileSync(path.join(dir, 'model.py'), 'utf8')).not.toMatch(/^\s*(import|from)\s+tessera/m);
        await saveModule(path.join(dir, 'model.safetensors'), c.model);
        const x = rand([BATCH, ...c.inputShape], { generator: gen });
        writeSafetensors(path.join(dir, 'input.safetensors'), { x: { dtype: 'F32', shape: [...x.shape], data: Float32Array.from(await x.data()) } });
        inputs.push(x);
        runs.push({ id: String(i), dir });
      }
      fs.writeFileSync(path.join(root, 'cases.json'), JSON.stringify(runs));
      fs.writeFileSync(path.join(root, 'runner.py'), RUNNER);
      const r = spawnSync(python!, [path.join(root, 'runner.py'), path.join(root, 'cases.json')], { encoding: 'utf8' });
      expect(r.stderr + (r.error?.message ?? '')).toBe('');
      expect(r.status).toBe(0);
      for (const [i, c] of cases.entries()) {
        const meta = JSON.parse(fs.readFileSync(path.join(runs[i].dir, 'torch-out.json'), 'utf8')) as Record<string, number[]>;
        const bytes = fs.readFileSync(path.join(runs[i].dir, 'torch-out.bin'));
        const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        const x = inputs[i];
        const want: Record<string, Tensor> = noGrad(() => {
          const w: Record<string, Tensor> = { output: c.model.forward(x) };
          if (c.model instanceof VAE) {
            const { mu, logvar } = c.model.encodeDistribution(x);
            Object.assign(w, { mu, logvar, kl: mul(gaussianKl(mu, logvar, { reduction: 'mean' }), c.model.beta) });
          }
          if (c.model instanceof SparseAutoencoder) w.penalty = c.model.sparsityPenalty(c.model.encode(x));
          return w;
        });
        let offset = 0;
        expect(Object.keys(meta).sort()).toEqual(Object.keys(want).sort());
        for (const [name, shape] of Object.entries(meta)) {
          const size = shape.reduce((a, b) => a * b, 1);
          const got = all.subarray(offset, offset + size);
          offset += size;
          expect(shape, `${c.name}: ${name}`).toEqual(want[name].rank === 0 ? [1] : want[name].shape);
          const err = relativeError(got, Float32Array.from(await want[name].data()));
          expect(err, `${c.name}: ${name}`).toBeLessThan(1e-5);
        }
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
