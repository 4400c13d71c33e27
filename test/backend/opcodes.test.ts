// The one table of op codes (src/backend/opcodes.ts) against everything that must agree with it:
// the C++ enums (parsed from native/isa.h and native/reduce.h), the WGSL switches (every case
// label a table constant, every op of the family given a case, rendered to the table's number),
// and the built addon (the loader refuses one that counts a different number of ops).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, ACTIVATION_CODES, BINARY_CODES, BINARY_OPS, OP_CODE_FAMILIES, RANDOM_KINDS, REDUCE_CODES, REDUCE_OPS, UNARY_CODES, UNARY_OPS,
  activationGradCode, opCodeConstants, opConstantName,
} from '../../src/backend/opcodes.js';
import { loadAddon, packageRoot } from '../../src/backend/native/addon.js';
import { opCountProblem } from '../../src/backend/native/index.js';
import { renderShader } from '../../src/backend/webgpu/shader-source.js';

const root = packageRoot()!;
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');

/** The enumerators of `enum <name> { ... }` in a C++ header, in order, comments removed. */
function cEnum(header: string, name: string): string[] {
  const text = header.replace(/\/\/[^\n]*/g, '');
  const m = new RegExp(`enum\\s+${name}\\s*\\{([^}]*)\\}`).exec(text);
  if (!m) throw new Error(`no enum ${name} in the header`);
  return m[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (s.includes('=')) throw new Error(`enum ${name}: '${s}' sets a value; codes are positions, as in src/backend/opcodes.ts`);
    return s;
  });
}

describe('op codes: one table', () => {
  it('names each code by its op (prefix + upper snake case)', () => {
    expect(opConstantName('U', 'leakyRelu')).toBe('U_LEAKY_RELU');
    expect(opConstantName('U', 'powScalar')).toBe('U_POW_SCALAR');
    expect(opConstantName('R', 'sumSquares')).toBe('R_SUM_SQUARES');
    expect(opConstantName('B', 'maximum')).toBe('B_MAXIMUM');
    expect(UNARY_CODES.clamp).toBe(UNARY_OPS.length - 1);
    expect(REDUCE_CODES.sumSquares).toBe(5);
    expect(ACTIVATION_CODES.none).toBe(0);
    // A prototype-free table: a name that is not an op has no code.
    expect((UNARY_CODES as Record<string, number | undefined>).toString).toBeUndefined();
    expect([activationGradCode('relu'), activationGradCode('tanh')]).toEqual([ACTIVATION_CODES.relu, 3]);
    expect([activationGradCode('none'), activationGradCode('toString'), activationGradCode('gelu')]).toEqual([undefined, undefined, undefined]);
    expect(opCodeConstants()).toMatchObject({ U_NEG: 0, U_CLAMP: UNARY_CODES.clamp, B_EQ: BINARY_CODES.eq, R_ARGMIN: 4, ACT_TANH: 3 });
  });

  it('matches the enums of native/isa.h and native/reduce.h, name by name and in order', () => {
    const isa = read('native', 'isa.h');
    const reduce = read('native', 'reduce.h');
    const headers: Record<string, string[]> = {
      U: cEnum(isa, 'UnaryCode'), B: cEnum(isa, 'BinaryCode'), ACT: cEnum(isa, 'ActCode'), R: cEnum(reduce, 'ReduceCode'),
      RNG: cEnum(isa, 'RandomCode'),
    };
    for (const f of OP_CODE_FAMILIES) {
      const expected = f.names.map((n) => opConstantName(f.prefix, n));
      const found = headers[f.prefix].filter((e) => e !== `${f.prefix}_COUNT`);
      expect(found, `the ${f.prefix}_ enum of native/ against src/backend/opcodes.ts`).toEqual(expected);
      // *_COUNT, where there is one, is last: it counts the ops.
      const count = headers[f.prefix].indexOf(`${f.prefix}_COUNT`);
      if (count >= 0) expect(count).toBe(headers[f.prefix].length - 1);
    }
  });

  it('is where every WGSL switch takes its case labels from', () => {
    const dir = join(root, 'shaders');
    const constants = opCodeConstants();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.wgsl'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      // No op number written by hand: no numeric case label, no OP/ACT compared with a literal.
      expect(text, `${file}: a numeric case label`).not.toMatch(/\bcase\s+\d+u?\s*[:,]/);
      expect(text, `${file}: OP or ACT compared with a number`).not.toMatch(/\b(OP|ACT)\s*==\s*\d/);
      // Every placeholder in a case label or compared with OP/ACT is a code of the table.
      for (const [, key] of text.matchAll(/(?:\bcase\s+|,\s*|==\s*)\{\{([A-Z0-9_]+)\}\}u/g)) {
        expect(constants[key], `${file}: {{${key}}} is not in src/backend/opcodes.ts`).toBeDefined();
      }
    }
    // Each family's switch has a case for every op of the table (activations: all but none).
    const labels = (file: string) => new Set([...read('shaders', file).matchAll(/\{\{((?:U|B|R|ACT|RNG)_[A-Z0-9_]+)\}\}/g)]
      .map((m) => m[1]).filter((key) => key in constants));
    const want = (prefix: 'U' | 'B' | 'R' | 'ACT' | 'RNG', names: readonly string[]) => names.map((n) => opConstantName(prefix, n));
    expect([...labels('unary.wgsl')].sort()).toEqual(want('U', UNARY_OPS).sort());
    expect([...labels('binary.wgsl')].sort()).toEqual(want('B', BINARY_OPS).sort());
    // reduce.wgsl: argmin is the switch's default, named in IS_ARG.
    expect([...labels('reduce.wgsl')].sort()).toEqual(want('R', REDUCE_OPS).sort());
    const acts = want('ACT', ACTIVATIONS.filter((a) => a !== 'none')).sort();
    expect([...labels('activation_grad.wgsl')].sort()).toEqual(acts);
    expect([...labels('matmul_common.wgsl')].sort()).toEqual(acts);
    expect([...labels('random.wgsl')].sort()).toEqual(want('RNG', RANDOM_KINDS).sort());
  });

  it('fills the shaders in with its numbers when they are rendered', () => {
    const unary = renderShader('unary', { WG: 64, OP: UNARY_CODES.relu });
    expect(unary).toContain(`const OP: u32 = ${UNARY_CODES.relu}u;`);
    expect(unary).toContain(`case ${UNARY_CODES.relu}u: { return relu_f32(v); }`);
    expect(unary).toContain(`case ${UNARY_CODES.clamp}u: {`);
    expect(unary).not.toMatch(/\{\{/);
    const binary = renderShader('binary', { WG: 64, OP: BINARY_CODES.eq, RUN: 1, A_SCALAR: false, B_SCALAR: false });
    expect(binary).toContain(`case ${BINARY_CODES.eq}u: { return select(0.0, 1.0, x == y); }`);
    const reduce = renderShader('reduce', { WG: 64, OP: REDUCE_CODES.argmax, PAIRS_IN: false, PAIRS_OUT: false });
    expect(reduce).toContain(`const IS_ARG: bool = OP == ${REDUCE_CODES.argmax}u || OP == ${REDUCE_CODES.argmin}u;`);
    // A missing define is still an error, and a define may not shadow an op code.
    expect(() => renderShader('unary', { WG: 64 })).toThrow(/needs a value for \{\{OP\}\}/);
    expect(() => renderShader('unary', { WG: 64, OP: 0, U_RELU: 5 })).toThrow(/define U_RELU would hide the op code U_RELU/);
  });
});

const native = loadAddon();

describe('op codes: the built addon', () => {
  it.skipIf(native.addon === null && !process.env.CI)(`counts the table's ops (${native.addon === null ? `skipped: ${native.reason}` : 'built'})`, () => {
    // Under CI the addon must be built: a missing one fails here.
    expect(native.addon, native.reason).not.toBeNull();
    const addon = native.addon!;
    expect([addon.unaryOpCount, addon.binaryOpCount, addon.reduceOpCount]).toEqual([UNARY_OPS.length, BINARY_OPS.length, REDUCE_OPS.length]);
    expect(opCountProblem(addon)).toBeNull();
  });

  it('refuses an addon that knows fewer ops (a build from older sources)', () => {
    const counts = { unaryOpCount: UNARY_OPS.length, binaryOpCount: BINARY_OPS.length, reduceOpCount: REDUCE_OPS.length };
    expect(opCountProblem(counts)).toBeNull();
    expect(opCountProblem({ ...counts, unaryOpCount: UNARY_OPS.length - 1 })).toBe(
      `native backend: the addon knows ${UNARY_OPS.length - 1} unary ops, src/backend/opcodes.ts has ${UNARY_OPS.length} (it was built from other sources); run \`npx node-gyp rebuild\``);
    expect(opCountProblem({ ...counts, reduceOpCount: undefined as unknown as number })).toMatch(/does not say how many reduce ops it knows/);
  });
});
