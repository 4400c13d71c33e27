// Whether the tests of a backend run here. A missing backend skips them (vitest's skipIf) and
// says why; under CI (process.env.CI) it is a failure instead, because CI builds the addon and the
// .wasm (clang, lld, wasi-libc) and installs Mesa, so all three must be there (the policy of test/backend/webgpu-helpers.ts).
import { availableBackends, getBackend, setBackend, useBackend, type Backend } from '../src/index.js';

export interface BackendProbe {
  backend: Backend | null;
  /** Why there is none ('' when there is one). */
  reason: string;
  /** True when the tests skip: no backend, outside CI. */
  skip: boolean;
}

function probe(name: string, backend: Backend | null, reason: string): BackendProbe {
  const skip = backend === null && !process.env.CI;
  if (skip) console.warn(`${name} tests skipped: ${reason}`);
  return { backend, reason, skip };
}

export function probeNative(): BackendProbe {
  const native = availableBackends().find((b) => b.name === 'native')!;
  return probe('native', native.available ? getBackend('native') : null, native.reason ?? 'unavailable');
}

export function probeWasm(): BackendProbe {
  const wasm = availableBackends().find((b) => b.name === 'wasm')!;
  return probe('wasm', wasm.available ? getBackend('wasm') : null, wasm.reason ?? 'unavailable');
}

/** Sets webgpu up (if it can be) and leaves js the current backend. */
export async function probeWebGPU(): Promise<BackendProbe> {
  try {
    return probe('webgpu', await useBackend('webgpu'), '');
  } catch (e) {
    return probe('webgpu', null, (e as Error).message);
  } finally {
    setBackend('js');
  }
}

/** The backend of a probe whose tests did not skip: under CI a missing one fails, naming why. */
export function probedBackend(p: BackendProbe, name: string): Backend {
  if (p.backend === null) throw new Error(`${name} backend unavailable (CI requires it): ${p.reason}`);
  return p.backend;
}
