// Field-by-field checks of the JSON a run folder keeps (the checkpoint's training state), so a
// damaged or hand-edited file is refused with the field, what it holds and what was expected,
// instead of resuming into a history loss of -12436 or a generator that draws 0 forever.
// Each check throws a FieldError naming the field's path ('loader.nextBatch'); the caller adds
// the file's name.
import { Generator } from '../random.js';

export class FieldError extends Error {}

/** A value as the message shows it: JSON, shortened. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function fail(field: string, expected: string, got: unknown): never {
  throw new FieldError(`'${field}' must be ${expected}, got ${show(got)}`);
}

export function object(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(field, 'an object', v);
  return v as Record<string, unknown>;
}

/** A list, of `length` entries when given (`why` says where that length comes from). */
export function list(v: unknown, field: string, length?: number, why = ''): unknown[] {
  const expected = length === undefined ? 'a list' : `a list of ${length}${why}`;
  if (!Array.isArray(v)) fail(field, expected, v);
  if (length !== undefined && v.length !== length) throw new FieldError(`'${field}' must be ${expected}, got a list of ${v.length}`);
  return v;
}

export function integer(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(field, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`, v);
  }
  return v;
}

/** A finite number >= min (JSON has no NaN or Infinity: those come back as null). */
export function finite(v: unknown, field: string, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(field, min === -Infinity ? 'a finite number' : `a finite number >= ${min}`, v);
  return v;
}

/** A number, or null for NaN (a loss that could not be computed, such as no validation data). */
export function numberOrNaN(v: unknown, field: string): number {
  if (v === null) return NaN;
  if (typeof v !== 'number') fail(field, 'a number or null', v);
  return v;
}

/** A Generator state ([s0, s1, s2, s3, spare normal or null, key0, key1, counter], or the first 5), checked by Generator.setState itself. */
export function generatorState(v: unknown, field: string): (number | null)[] {
  const state = list(v, field) as (number | null)[];
  try {
    new Generator().setState(state);
  } catch (e) {
    throw new FieldError(`'${field}' is not a generator state: ${(e as Error).message.replace(/^Generator\.setState: /, '')}`);
  }
  return state;
}
