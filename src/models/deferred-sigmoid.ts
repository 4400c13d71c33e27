// σ(x) computed when first read: the VAE's training reconstruction (src/models/vae.ts), which a
// fit() step's loss never reads (BCE takes the logits), so the step skips a pass over the batch.
// Internal: not exported from the package, since its contract is narrow (below).
import type { Backend } from '../backend/backend.js';
import type { StorageRef, Tensor } from '../tensor.js';
import { record, checkTensor, empty } from '../ops/op.js';
import { activationGradFromOutput } from '../ops/activation.js';

/**
 * σ(x) with sigmoid's graph node, its storage filled by the sigmoid kernel on first use
 * (Tensor.storage runs StorageRef.pending). It holds x's storage, not x, until then. The contract:
 * nothing may write x's storage before the result is first read (the fill reads it then); the
 * VAE's logits are a fresh layer output that nothing writes.
 */
export function sigmoidDeferred(x: Tensor): Tensor {
  const y = empty(checkTensor('sigmoid', x).shape, x.dtype, x.backend);
  y.ref.pending = deferredFill(x.backend, x.ref.retain(), y.ref, x.size);
  return record(y, 'sigmoid', [x], (g) => [activationGradFromOutput('sigmoid', y, g)], { saved: ['y'] });
}

/**
 * The fill, built here so that it captures the two storages only: a closure that captured the
 * tensor y would keep it reachable from the FinalizationRegistry that holds y's StorageRef
 * (src/memory.ts), and an undisposed result would never be freed on wasm or webgpu. A fill that
 * throws fails every later read too (the storage was never written), not only the first.
 */
function deferredFill(backend: Backend, source: StorageRef, out: StorageRef, size: number): (run: boolean) => void {
  return (run) => {
    try {
      if (run) backend.unary('sigmoid', source.storage, out.storage, size, {});
    } catch (error) {
      const fail = (again: boolean): void => { if (again) { out.pending = fail; throw error; } };
      out.pending = fail;
      throw error;
    } finally {
      source.release();
    }
  };
}
