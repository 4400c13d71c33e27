// The one table of op codes. A backend kernel that switches on an op (the native addon's
// switch in C++, the WGSL shaders' `switch (OP)`) receives a small integer; this file is the
// only place those integers are decided. An op's code is its position in its list below, and
// new ops go at the end.
//
// Who reads the table:
// - TypeScript: the op types (UnaryOp, BinaryOp, ReduceOp, Activation) are derived from the
//   lists, and both backends look codes up in UNARY_CODES etc.
// - WGSL: every shader is rendered with `{{U_RELU}}`-style constants (opCodeConstants()), so
//   `case {{U_RELU}}u:` in unary.wgsl is the code written here (src/backend/webgpu/shader-source.ts).
// - C++: native/isa.h and native/reduce.h keep enums with the same names (U_RELU, B_ADD, R_SUM,
//   ACT_RELU) in the same order, and test/backend/opcodes.test.ts parses those headers and
//   compares them with this table. A test rather than a header generated at build time: the
//   addon is built by node-gyp at install, before any TypeScript runs (the published package
//   has only dist/), so generating isa.h would add a build step to every install for a table
//   that changes only when a developer adds an op, which the test catches in CI anyway. The
//   built addon also reports how many unary and binary ops it knows (unaryOpCount,
//   binaryOpCount), and the loader refuses one that disagrees (src/backend/native/index.ts).

/** y = f(x), elementwise. `alpha` and `beta` are the op's scalar parameters where it has them. */
export const UNARY_OPS = [
  'neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'square', 'reciprocal', 'sin', 'cos', 'erf',
  'relu',
  'step',        // step(x) = x > 0 ? 1 : 0 (relu's derivative)
  'sigmoid', 'tanh', 'softplus', 'gelu', 'selu',
  'leakyRelu',   // x > 0 ? x : alpha * x
  'elu',         // x > 0 ? x : alpha * (exp(x) - 1)
  'affine',      // alpha * x + beta
  'powScalar',   // x ** alpha
  'clamp',       // min(max(x, alpha), beta)
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/**
 * out = a (op) b with NumPy broadcasting. Comparisons produce 1 or 0.
 * 'bce' and 'bceGrad' are binary cross-entropy on a probability a and a target b, each one pass
 * instead of a chain of a dozen (src/losses/binary-cross-entropy.ts), with log clamped at −100 as
 * PyTorch (p below 2⁻¹²⁶ counts as 0):
 *   bce      −(b·L(a) + (1 − b)·L(1 − a)),  L(q) = q ≥ 2⁻¹²⁶ ? ln q : −100
 *   bceGrad  ∂bce/∂a = (1 − b)/(1 − a)·[1 − a ≥ 2⁻¹²⁶] − b/a·[a ≥ 2⁻¹²⁶]  (0 where a clamped log has no slope)
 * computed in double on js and native (rounded once), in f32 on webgpu.
 * 'bceLogits' and 'bceLogitsGrad' are the same loss on a logit a (p = σ(a)), stably, one pass each
 * (bceWithLogitsLoss; the VAE's training loss):
 *   bceLogits      max(a, 0) − a·b + log1p(e^−|a|), as c·|a| + log1p(e^−|a|) with c = a ≥ 0 ? 1 − b : b
 *                  and c·|a| = 0 where c = 0 (a = ±∞ on its target's side gives 0, not 0·∞)
 *   bceLogitsGrad  ∂bceLogits/∂a = σ(a) − b
 * (Backend.bceLogitsWithGrad writes both in one pass, for a loss whose logits need a gradient.)
 * computed in double on js, in float32 on native and wasm (vec_mathf.inc) and on webgpu.
 */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'gt', 'ge', 'lt', 'le', 'eq', 'bce', 'bceGrad',
  'bceLogits', 'bceLogitsGrad'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/**
 * Reductions over the middle axis of a tensor viewed as [outer, size, inner].
 * 'sumSquares': Σ x² over the middle axis; each square is rounded to the storage dtype before it
 * is added, so the value equals sum(square(x)) on the same backend, bit for bit, without the
 * array of squares.
 */
export const REDUCE_OPS = ['sum', 'max', 'min', 'argmax', 'argmin', 'sumSquares'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/**
 * Activations a matmul can apply in its epilogue: out = act(A·B + bias). The same codes select
 * the derivative in activationGrad (every one but 'none').
 */
export const ACTIVATIONS = ['none', 'relu', 'sigmoid', 'tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Activations whose derivative is a function of their output y = act(x). */
export type ActivationGradOp = Exclude<Activation, 'none'>;

/**
 * What the counter-based generator's kernel (Backend.random, src/backend/philox.ts) writes:
 * the raw 32-bit words (bit patterns in float32 slots, for tests), uniform [0, 1), Bernoulli
 * (p, value), normal (mean, std) by Box–Muller, and gaussianNoise: an input x plus a normal draw,
 * clipped to [low, high], in one pass (a denoising model's corruption).
 */
export const RANDOM_KINDS = ['bits', 'uniform', 'bernoulli', 'normal', 'gaussianNoise'] as const;
export type RandomKind = (typeof RANDOM_KINDS)[number];

/** name → position, on an object without a prototype (so 'toString' is not an op). */
function codes<T extends string>(names: readonly T[]): Readonly<Record<T, number>> {
  const table = Object.create(null) as Record<T, number>;
  names.forEach((name, i) => { table[name] = i; });
  return Object.freeze(table);
}

export const UNARY_CODES = codes(UNARY_OPS);
export const BINARY_CODES = codes(BINARY_OPS);
export const REDUCE_CODES = codes(REDUCE_OPS);
export const ACTIVATION_CODES = codes(ACTIVATIONS);
export const RANDOM_CODES = codes(RANDOM_KINDS);

/** The fused epilogue's code for `act` (the ACT define of the shaders, ActCode of native/isa.h); `kernel` names the caller in the error. */
export function activationCode(kernel: string, act: string): number {
  const code = (ACTIVATION_CODES as Readonly<Record<string, number | undefined>>)[act];
  if (code === undefined) throw new Error(`${kernel}: unknown activation '${act}' (expected one of ${ACTIVATIONS.join(', ')})`);
  return code;
}

/** activationGrad's code for `act`, or undefined for 'none' and for a name that is no activation. */
export function activationGradCode(act: string): number | undefined {
  return act === 'none' ? undefined : (ACTIVATION_CODES as Readonly<Record<string, number | undefined>>)[act];
}

export type OpCodePrefix = 'U' | 'B' | 'R' | 'ACT' | 'RNG';

/** The C/WGSL spelling of a code: prefix + the name in upper snake case (leakyRelu → U_LEAKY_RELU). */
export function opConstantName(prefix: OpCodePrefix, name: string): string {
  return `${prefix}_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** The families with their C/WGSL prefix, as the native headers and the test see them. */
export const OP_CODE_FAMILIES: readonly { prefix: OpCodePrefix; names: readonly string[] }[] = [
  { prefix: 'U', names: UNARY_OPS },
  { prefix: 'B', names: BINARY_OPS },
  { prefix: 'R', names: REDUCE_OPS },
  { prefix: 'ACT', names: ACTIVATIONS },
  { prefix: 'RNG', names: RANDOM_KINDS },
];

let constants: Readonly<Record<string, number>> | null = null;

/** Every code as a named constant (U_RELU: 11, B_ADD: 0, R_ARGMAX: 3, ACT_TANH: 3, ...) for the shaders. */
export function opCodeConstants(): Readonly<Record<string, number>> {
  if (constants === null) {
    const all = Object.create(null) as Record<string, number>;
    for (const f of OP_CODE_FAMILIES) f.names.forEach((name, i) => { all[opConstantName(f.prefix, name)] = i; });
    constants = Object.freeze(all);
  }
  return constants;
}
