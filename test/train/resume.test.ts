// Training state capture/restore: validation and errors (the exact-resume check is in golden.test.ts).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setBackend, Generator } from '../../src/index.js';
import { Adam, StepLR } from '../../src/optim/index.js';
import { saveModuleSync } from '../../src/nn/checkpoint.js';
import { captureTrainingState, restoreTrainingState, saveTrainingCheckpoint, loadTrainingCheckpoint } from '../../src/train/index.js';
import { mlp } from './helpers.js';

setBackend('js');

describe('training state', () => {
  it('round-trips generators (including the cached normal) through JSON', () => {
    const model = mlp(1);
    const optimizer = new Adam(model.parameters());
    const g = new Generator(9);
    g.normal();                                      // leaves a cached second normal
    const state = JSON.parse(JSON.stringify(captureTrainingState(4, { optimizer, generators: [g] })));
    const expected = [g.normal(), g.uniform()];
    const g2 = new Generator(0);
    expect(restoreTrainingState({ ...state, optimizer: optimizer.stateDict() }, { optimizer, generators: [g2] })).toBe(4);
    expect([g2.normal(), g2.uniform()]).toEqual(expected);
  });

  it('rejects mismatched parts', () => {
    const model = mlp(1);
    const optimizer = new Adam(model.parameters());
    const state = captureTrainingState(1, { optimizer, generators: [new Generator(1)] });
    expect(() => restoreTrainingState(state, { optimizer })).toThrow(/holds 1 generator states, 0 generators were given/);
    expect(() => restoreTrainingState(state, { optimizer, generators: [new Generator(1)], scheduler: new StepLR(optimizer, { stepSize: 1 }) }))
      .toThrow(/the state has no schedule, but one was given/);
  });

  it('a training checkpoint file restores the model; a model-only file is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-state-'));
    try {
      const a = mlp(1);
      const optimizer = new Adam(a.parameters());
      const file = path.join(dir, 'state.safetensors');
      await saveTrainingCheckpoint(file, a, captureTrainingState(2, { optimizer }));
      const b = mlp(2);
      const epoch = loadTrainingCheckpoint(file, b, { optimizer: new Adam(b.parameters()) });
      expect(epoch).toBe(2);
      b.parameters().forEach((p, i) => expect(Array.from(p.dataSync())).toEqual(Array.from(a.parameters()[i].dataSync())));
      const modelOnly = path.join(dir, 'model.safetensors');
      saveModuleSync(modelOnly, a);
      expect(() => loadTrainingCheckpoint(modelOnly, b, { optimizer })).toThrow(/has no 'tessera.training' metadata/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
