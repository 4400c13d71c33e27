// One list of activation names (src/nn/activations.ts): every name is an op of the public API
// (or the identity), the activations a matmul fuses are among them, the CLI offers the list and
// reads its kebab-case alias as the same name, and a module built from a name or its alias
// computes that op.
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { ACTIVATION_ALIASES, ACTIVATION_NAMES, activationModule, activationName } from '../../src/nn/activations.js';
import { ACTIVATIONS } from '../../src/backend/opcodes.js';
import { ACTIVATION_CHOICES } from '../../src/models/run-config.js';
import { parseCommand } from '../../src/cli/options.js';
import { resolveTrainConfig } from '../../src/cli/train-options.js';
import { trainCommand } from '../../src/cli/train.js';

const ops = api as unknown as Record<string, unknown>;

describe('activation names', () => {
  it('are op names of the public API, once each, with the identity as none', () => {
    expect(new Set(ACTIVATION_NAMES).size).toBe(ACTIVATION_NAMES.length);
    for (const name of ACTIVATION_NAMES.filter((n) => n !== 'none')) expect(typeof ops[name], name).toBe('function');
  });

  it('include every activation a matmul fuses (backend/opcodes.ts)', () => {
    for (const a of ACTIVATIONS) expect(ACTIVATION_NAMES as readonly string[]).toContain(a);
  });

  it('read the kebab-case alias as the camel-case name it spells', () => {
    expect(Object.keys(ACTIVATION_ALIASES)).toEqual(['leaky-relu']);
    for (const [alias, name] of Object.entries(ACTIVATION_ALIASES)) {
      expect(alias.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())).toBe(name);
      expect(activationName(alias)).toBe(name);
    }
    expect(() => activationName('leaky_relu')).toThrow("activationName: unknown activation 'leaky_relu'; expected one of relu, leakyRelu, elu");
  });

  it('build modules that compute their op, from a name or its alias', () => {
    api.setBackend('js');
    const x = api.tensor([-2, -0.5, 0, 0.75, 3], [5]);
    for (const name of ACTIVATION_NAMES.filter((n) => n !== 'none')) {
      const expected = Array.from((ops[name] as (t: api.Tensor) => api.Tensor)(x).dataSync());
      expect(Array.from(activationModule(name).call(x).dataSync()), name).toEqual(expected);
    }
    expect(Array.from(activationModule('leaky-relu' as 'leakyRelu').call(x).dataSync())).toEqual(Array.from(api.leakyRelu(x).dataSync()));
    expect(Array.from(activationModule('none').call(x).dataSync())).toEqual([-2, -0.5, 0, 0.75, 3]);
  });

  it('are what the CLI offers, with linear and the aliases; --activation leaky-relu is leakyRelu', () => {
    expect([...ACTIVATION_CHOICES]).toEqual(['relu', 'leakyRelu', 'elu', 'selu', 'gelu', 'sigmoid', 'tanh', 'softplus', 'linear']);
    const spec = trainCommand.options.find((o) => o.name === 'activation');
    expect(spec?.choices).toEqual([...ACTIVATION_CHOICES, 'leaky-relu']);
    const config = (argv: string[]) => resolveTrainConfig('train', parseCommand('train', trainCommand.options, argv).values);
    expect(config(['--activation', 'leaky-relu']).activation).toBe('leakyRelu');
    expect(config(['--activation', 'leakyRelu']).activation).toBe('leakyRelu');
    expect(config(['--activation', 'linear']).activation).toBe('linear');
  });
});
