// Value checks of a loss's inputs, as PyTorch makes them: a probability outside [0, 1] or a class
// index that is not one of 0…C−1 is an error, not a silently wrong loss. Backends whose memory
// the CPU reads (js, native) are checked on the host, and the error names the value and where it
// is; on webgpu (no synchronous read) the loss of each offending element is NaN instead, so that
// a training loop's non-finite-loss check stops there.
import type { Tensor } from '../tensor.js';
import type { TypedArray } from '../backend/backend.js';
import { noGrad } from '../grad-mode.js';
import { max, min } from '../ops/reduce.js';
import { shapeStr } from '../shape.js';

/** The values of t when its backend can read them synchronously; null on webgpu. */
function hostValues(op: string, t: Tensor): TypedArray | null {
  return t.peek(op);
}

/** Index i of a tensor of `shape` as [a, b, …] (row-major), for error messages. */
function indexStr(shape: readonly number[], i: number): string {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
  return `[${idx.join(', ')}]`;
}

/**
 * Throws when some value of t (read on the host) is outside [0, 1] or NaN. Returns false when
 * the backend cannot be read synchronously (the caller masks the loss with NaN instead).
 */
export function checkProbabilities(op: string, what: string, t: Tensor, hint: string): boolean {
  const values = hostValues(op, t);
  if (values === null) return false;
  // The backend's min and max first (vector passes on native: a JavaScript loop over a batch of
  // 200,704 targets took ~0.6 ms, a tenth of a W3 step); NaN makes either fail. The loop below
  // then only finds the value to name.
  if (t.size === 0) return true;
  const [lo, hi] = noGrad(() => [min(t), max(t)]);
  const inRange = lo.item() >= 0 && hi.item() <= 1;
  lo.dispose();
  hi.dispose();
  if (inRange) return true;
  for (let i = 0; i < t.size; i++) {
    const v = values[i];
    if (!(v >= 0 && v <= 1)) {
      throw new Error(`${op}: ${what} ${shapeStr(t.shape)} holds ${v} at ${indexStr(t.shape, i)}; expected values in [0, 1]${hint}`);
    }
  }
  return true;
}

/** Throws when a class index of target is not an integer in 0…classes−1; false as above. */
export function checkClassIndices(op: string, target: Tensor, classes: number, logits: Tensor): boolean {
  const values = hostValues(op, target);
  if (values === null) return false;
  for (let i = 0; i < target.size; i++) {
    const v = values[i];
    if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
      throw new Error(`${op}: target ${shapeStr(target.shape)} holds class index ${v} at ${indexStr(target.shape, i)}; expected an integer in 0…${classes - 1} for logits ${shapeStr(logits.shape)}`);
    }
  }
  return true;
}
