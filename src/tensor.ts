// Tensor: a shape, a dtype, storage on one backend, and (when it was made by a differentiable
// op) the graph node that says how to send a gradient back to its inputs. This file imports no
// op: the ops and backward() are attached as methods by src/ops/methods.ts, so that the import
// graph of the core runs one way (tensor → ops → methods), without a cycle.
import type { Backend, DType, TypedArray } from './backend/backend.js';
import { shapeStr, type Shape } from './shape.js';
import { trackTensor, untrackTensor } from './memory.js';
import { formatTensor, nest } from './format-tensor.js';

/** How a tensor was made: the op, its inputs, and the rule that maps dL/dout to dL/dinputs. */
export interface GraphNode {
  op: string;
  inputs: Tensor[];
  /** Given dL/dout, returns dL/dinput for each input (null where an input needs none). */
  backward: (grad: Tensor) => (Tensor | null)[];
  /** What the backward rule keeps from the forward pass, for `explain` (names only). */
  saved?: string[];
  /** Op attributes (axes, strides, …) for `explain`. */
  attrs?: Record<string, unknown>;
}

/**
 * Storage shared by tensors that alias it (reshape). Freed when the last one is disposed.
 * @internal
 */
export class StorageRef {
  refs = 1;
  /** What fills the storage when it is first used (true) or frees what it holds (false); null once filled. */
  pending: ((run: boolean) => void) | null = null;
  constructor(readonly backend: Backend, public storage: unknown, readonly size: number, readonly dtype: DType) {}
  retain(): this { this.refs++; return this; }
  release(): void {
    if (--this.refs === 0) {
      this.pending?.(false);
      this.backend.free(this.storage);
      this.storage = null;
    }
  }
}

let nextId = 1;

export class Tensor {
  readonly id = nextId++;
  readonly shape: Shape;
  readonly size: number;
  /** @internal */ ref: StorageRef;
  requiresGrad = false;
  grad: Tensor | null = null;
  /** @internal The op that made this tensor; null for leaves and for tensors made without grad. */
  node: GraphNode | null = null;
  /** @internal The op of the graph node that a backward without retainGraph freed (null: none freed). */
  freedOp: string | null = null;
  /** A name for `explain` and error messages (parameters get theirs from their module). */
  name: string | undefined;
  private disposed = false;
  /** Set by `keep()`: a `tidy` scope will not dispose this tensor. */
  kept = false;

  /** @internal Use the creation functions (`tensor`, `zeros`, `randn`, …) instead. */
  constructor(ref: StorageRef, shape: Shape) {
    this.ref = ref;
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);  // another tensor's shape is shared
    this.size = ref.size;
    trackTensor(this);
  }

  get dtype(): DType { return this.ref.dtype; }
  get backend(): Backend { return this.ref.backend; }
  get rank(): number { return this.shape.length; }
  get isLeaf(): boolean { return this.node === null && this.freedOp === null; }
  get isDisposed(): boolean { return this.disposed; }

  /** The backend storage; throws if the tensor was disposed. @internal */
  storage(op: string): unknown {
    if (this.disposed) throw new Error(`${op}: tensor #${this.id}${this.name ? ` '${this.name}'` : ''} of shape ${shapeStr(this.shape)} was disposed and cannot be used`);
    const fill = this.ref.pending;  // a deferred result (sigmoidDeferred, src/ops/activation.ts) is computed on first use
    if (fill !== null) { fill(true); this.ref.pending = null; }  // cleared once it ran: a fill that threw runs again
    return this.ref.storage;
  }

  /** Frees the storage now (it is shared with reshaped aliases until they are disposed too). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    untrackTensor(this);
    this.ref.release();
    this.node = null;
  }

  /** Keeps this tensor alive past the `tidy` scope it was made in. */
  keep(): this { this.kept = true; return this; }

  // ---- reading data --------------------------------------------------------------------

  /**
   * @internal The data without a copy where the CPU can read the backend's memory synchronously
   * (callers must not mutate it), else null.
   */
  peek(op: string): TypedArray | null {
    return this.backend.readSync(this.storage(op), this.dtype, this.size);
  }

  private readable(op: string, instead: string): TypedArray {
    const data = this.peek(op);
    if (data === null) throw new Error(`${op}: the '${this.backend.name}' backend cannot be read synchronously; use 'await tensor.${instead}()'`);
    return data;
  }

  private checkOne(op: string): void {
    if (this.size !== 1) throw new Error(`${op}: expected a tensor with one element, got shape ${shapeStr(this.shape)}`);
  }

  /** A copy of the data, synchronously; only on backends whose memory the CPU can read. */
  dataSync(): TypedArray {
    return this.readable('dataSync', 'data').slice(0, this.size);
  }

  /** A copy of the data; works on every backend. */
  async data(): Promise<TypedArray> {
    const data = await this.backend.read(this.storage('data'), this.dtype, this.size);
    return data.length === this.size && data !== this.ref.storage ? data : data.slice(0, this.size);
  }

  /** The value of a one-element tensor. */
  item(): number {
    this.checkOne('item');
    return this.readable('item', 'itemAsync')[0];
  }

  async itemAsync(): Promise<number> {
    this.checkOne('itemAsync');
    return (await this.data())[0];
  }

  /** Nested arrays, like PyTorch's tolist(). */
  toArray(): unknown {
    return nest(this.dataSync(), this.shape, 0);
  }

  /** Shape, dtype, backend and the values as PyTorch prints them (src/format-tensor.ts). */
  toString(): string {
    return formatTensor(this);
  }

  // ---- autograd (backward() and the ops as methods are attached by src/ops/methods.ts) ------

  /** The same data, cut from the graph. */
  detach(): Tensor {
    return this.view(this.shape, 'detach');
  }

  /** @internal A new tensor sharing this one's storage, with another shape of the same size (reshape). */
  view(shape: Shape, op: string): Tensor {
    this.storage(op);
    return new Tensor(this.ref.retain(), shape);
  }

  /** Marks a leaf as needing gradients (in place, like PyTorch's requires_grad_). */
  requiresGrad_(value = true): this {
    if (!this.isLeaf && !value) throw new Error('requiresGrad_: only leaves can stop requiring grad; use detach()');
    this.requiresGrad = value;
    return this;
  }

  zeroGrad(): void { this.grad?.dispose(); this.grad = null; }
}
