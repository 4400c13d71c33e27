// The registry of backends: which are registered (or load lazily, as native does), and which one
// new tensors are created on. select.ts registers the built-in backends and decides the default.
// Apart from backend.ts (the kernel interface), which re-exports it: choosing a backend is no
// part of the arithmetic the core's ops and kernels do.
import type { Backend, BackendName } from './backend.js';

const registry = new Map<BackendName, Backend>();
const lazyLoaders = new Map<BackendName, { load: () => Backend | null; whyNot: () => string }>();
let current: Backend | null = null;
let defaultChooser: (() => Backend) | null = null;

export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
}

/** A backend that is set up synchronously on first use (native: loading the addon). */
export function registerLazyBackend(name: BackendName, load: () => Backend | null, whyNot: () => string): void {
  lazyLoaders.set(name, { load, whyNot });
}

function lookup(name: BackendName): Backend | undefined {
  const loaded = registry.has(name) ? null : lazyLoaders.get(name)?.load();
  if (loaded) registry.set(name, loaded);
  return registry.get(name);
}

/** Called once by index.ts: decides the default backend lazily (native if it loaded). */
export function setDefaultBackendChooser(choose: () => Backend): void {
  defaultChooser = choose;
}

export function getBackend(name?: BackendName): Backend {
  if (name !== undefined) {
    const b = lookup(name);
    if (!b) {
      const why = lazyLoaders.get(name)?.whyNot();
      throw new Error(`getBackend: backend '${name}' is not available${why ? `: ${why}` : ''} (available: ${[...registry.keys()].join(', ') || 'none'})`);
    }
    return b;
  }
  if (current === null) {
    if (defaultChooser === null) throw new Error('getBackend: no backend registered');
    current = defaultChooser();
  }
  return current;
}

/** Makes `name` the backend new tensors are created on. */
export function setBackend(name: BackendName): Backend {
  current = getBackend(name);
  return current;
}

export function registeredBackends(): BackendName[] {
  return [...registry.keys()];
}

export function hasBackend(name: BackendName): boolean {
  return lookup(name) !== undefined;
}
