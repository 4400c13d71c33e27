// Saving and loading modules as safetensors: round trip, a file from an independent writer,
// and failures (truncated, corrupt, wrong shape, wrong names) that leave the model unchanged.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend, Generator, tensor, noGrad } from '../../src/index.js';
import { saveModule, saveModuleSync, loadModule } from '../../src/nn/checkpoint.js';
import { denseAutoencoder } from '../../src/models/dense-autoencoder.js';
import { BatchNorm1d, Linear, ReLU, Sequential } from '../../src/nn/index.js';

setBackend('js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-checkpoint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const host = (m: { stateDict(): Record<string, { dataSync(): Float32Array | Float64Array }> }) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.dataSync())]));

/**
 * A minimal safetensors writer written from the format's description, independent of
 * src/io/safetensors.ts: u64 header length, JSON header, raw little-endian F32 data in the
 * order given (no sorting, no padding).
 */
function writeMinimalSafetensors(file: string, tensors: [string, number[], number[]][]): void {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, shape, data] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + 4 * data.length] };
    offset += 4 * data.length;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeUInt32LE(json.length, 0); // the high 32 bits stay 0
  json.copy(out, 8);
  let pos = 8 + json.length;
  for (const [, , data] of tensors) for (const v of data) { out.writeFloatLE(v, pos); pos += 4; }
  fs.writeFileSync(file, out);
}

describe('saveModule / loadModule', () => {
  it('round-trips every parameter and buffer, with metadata, and leaves no temporary file', async () => {
    const model = new Sequential(new Linear(5, 4, { generator: new Generator(1) }), new BatchNorm1d(4), new ReLU(), new Linear(4, 2, { generator: new Generator(2) }));
    noGrad(() => model.forward(tensor(Array.from({ length: 15 }, (_, i) => Math.cos(i)), [3, 5]))); // move the running stats
    const file = path.join(dir, 'model.safetensors');
    await saveModule(file, model, { epoch: '3' });
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
    const fresh = new Sequential(new Linear(5, 4, { generator: new Generator(7) }), new BatchNorm1d(4), new ReLU(), new Linear(4, 2, { generator: new Generator(8) }));
    expect(host(fresh)).not.toEqual(host(model));
    const meta = loadModule(file, fresh);
    expect(host(fresh)).toEqual(host(model));
    expect(meta.epoch).toBe('3');
    expect(meta.format).toBe('pt');
    // The sync writer produces an identical file.
    saveModuleSync(path.join(dir, 'sync.safetensors'), model, { epoch: '3' });
    expect(fs.readFileSync(path.join(dir, 'sync.safetensors'))).toEqual(fs.readFileSync(file));
  });

  it('loads a file written by an independent minimal writer (PyTorch names, [out, in] layout)', () => {
    const w0 = Array.from({ length: 6 }, (_, i) => i / 10), b0 = [1, -1], w2 = [0.5, -0.25], b2 = [3];
    const file = path.join(dir, 'independent.safetensors');
    writeMinimalSafetensors(file, [['2.bias', [1], b2], ['0.weight', [2, 3], w0], ['0.bias', [2], b0], ['2.weight', [1, 2], w2]]);
    const model = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
    loadModule(file, model);
    expect(host(model)).toEqual({ '0.weight': w0.map(Math.fround), '0.bias': b0, '2.weight': w2, '2.bias': b2 });
    // y = W2·relu(W0·x + b0) + b2 at x = [1, 2, 3]: W0·x = [0.8, 2.6], + b0 = [1.8, 1.6]; 0.9 − 0.4 + 3 = 3.5
    expect(model.forward(tensor([[1, 2, 3]])).item()).toBeCloseTo(3.5, 5);
  });

  it('a truncated or corrupt file fails with a clear message and changes nothing', async () => {
    const source = denseAutoencoder({ hidden: [8], latent: 4, inputDim: 10, generator: new Generator(3) });
    const file = path.join(dir, 'ae.safetensors');
    await saveModule(file, source);
    const bytes = fs.readFileSync(file);
    const target = denseAutoencoder({ hidden: [8], latent: 4, inputDim: 10, generator: new Generator(4) });
    const before = host(target);
    const truncated = path.join(dir, 'truncated.safetensors');
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 10));
    expect(() => loadModule(truncated, target)).toThrow(/loadModule: cannot read '.*truncated\.safetensors'.*(truncated|past the end|cover).*The model was not changed/);
    const garbage = path.join(dir, 'garbage.safetensors');
    fs.writeFileSync(garbage, Buffer.from('this is not a safetensors file at all'));
    expect(() => loadModule(garbage, target)).toThrow(/loadModule: cannot read '.*garbage\.safetensors'/);
    expect(() => loadModule(path.join(dir, 'missing.safetensors'), target)).toThrow(/loadModule: cannot read '.*missing\.safetensors'/);
    expect(host(target)).toEqual(before);
  });

  it('a wrong shape or wrong names fail, naming the tensor, and change nothing', async () => {
    const file = path.join(dir, 'small.safetensors');
    await saveModule(file, denseAutoencoder({ hidden: [8], latent: 4, inputDim: 10, generator: new Generator(5) }));
    const wider = denseAutoencoder({ hidden: [8], latent: 5, inputDim: 10, generator: new Generator(6) });
    const before = host(wider);
    expect(() => loadModule(file, wider)).toThrow(/'encoder\.2\.weight' is \[4, 8\] in the file but \[5, 8\] in the model.*The model was not changed/);
    expect(host(wider)).toEqual(before);
    const other = new Sequential(new Linear(10, 8));
    expect(() => loadModule(file, other)).toThrow(/missing in the file: '0\.weight', '0\.bias'; not in the model: .*'encoder\.0\.weight'/);
  });
});
