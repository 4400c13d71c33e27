// Deterministic freeing of tensors: `tidy(fn)` disposes every tensor made inside it except
// what fn returns and what was `keep()`-ed; `dispose()` frees one tensor now. A
// FinalizationRegistry is the safety net for tensors nobody disposed (on backends that declare
// their storage not `garbageCollected`: GPU memory, the wasm module's memory; on the js and native
// backends the garbage collector owns the Float32Arrays anyway).
import type { Tensor, StorageRef } from './tensor.js';

const scopes: Set<Tensor>[] = [];

const finalizer = new FinalizationRegistry<StorageRef>((ref) => ref.release());

let storageBytesMade = 0;

/**
 * Bytes of tensor storage created so far in this process (aliases such as reshape's share
 * their storage and add nothing): the difference across a piece of code is what it allocated,
 * which is how evaluate() sizes its batches by bytes rather than rows.
 */
export function bytesMade(): number {
  return storageBytesMade;
}

/** @internal Called by the Tensor constructor. */
export function trackTensor(t: Tensor): void {
  const scope = scopes[scopes.length - 1];
  if (scope) scope.add(t);
  if (t.ref.refs === 1) storageBytesMade += t.size * (t.dtype === 'float64' ? 8 : 4);
  if (!t.backend.garbageCollected) finalizer.register(t, t.ref, t);
}

/** @internal Called by Tensor.dispose(). */
export function untrackTensor(t: Tensor): void {
  const scope = scopes[scopes.length - 1];
  if (scope) scope.delete(t);
  if (!t.backend.garbageCollected) finalizer.unregister(t);
}

type Kept = Tensor | Tensor[] | Record<string, Tensor> | void | number | undefined;

function collect(result: unknown, into: Set<Tensor>): void {
  if (result === null || typeof result !== 'object') return;
  if (isTensor(result)) { into.add(result); return; }
  if (Array.isArray(result)) { for (const r of result) collect(r, into); return; }
  if (Object.getPrototypeOf(result) === Object.prototype) for (const v of Object.values(result)) collect(v, into);
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'ref' in x && 'shape' in x && 'backward' in x;
}

/**
 * Runs fn and disposes every tensor it created, except the tensors it returns (in a value,
 * array or plain object) and those marked with keep(). Returned tensors move to the
 * enclosing scope. Gradients stored in `.grad` of leaves are kept by autograd.
 */
export function tidy<T extends Kept | unknown>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) {
    throw new Error('tidy: the function returned a Promise; tidy only works with synchronous code (dispose tensors by hand in async code)');
  }
  const keep = new Set<Tensor>();
  collect(result, keep);
  const outer = scopes[scopes.length - 1];
  for (const t of scope) {
    if (keep.has(t) || t.kept) { if (outer && !t.kept) outer.add(t); continue; }
    t.dispose();
  }
  return result;
}

/** Disposes tensors found in a value, array or object. */
export function dispose(x: unknown): void {
  const found = new Set<Tensor>();
  collect(x, found);
  for (const t of found) t.dispose();
}

