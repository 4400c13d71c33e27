// What Node supplies to the webgpu runtime besides the device (device-core.ts's WebGPUHost):
// the shaders read from the package's shaders/ folder, the machine's core count, and V8's
// garbage collector for reclaim.ts.
import os from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { WebGPUHost } from './device-core.js';
import { loadShaders } from './shader-source.js';

let collector: (() => void) | null | undefined;

/** V8's gc(): the global one under --expose-gc, else one exposed for a fresh context; null if neither works. */
function garbageCollector(): (() => void) | null {
  if (collector !== undefined) return collector;
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === 'function') return (collector = global);
  try {
    setFlagsFromString('--expose-gc');
    collector = runInNewContext('gc') as () => void;
  } catch {
    collector = null;
  }
  return collector;
}

export function nodeHost(): WebGPUHost {
  return {
    shaders: loadShaders(),
    cores: os.cpus().length,
    // Looked up on first need: exposing gc sets a V8 flag, which a process that never reclaims should not pay for.
    collectGarbage: () => {
      const gc = garbageCollector();
      if (gc === null) return false;
      gc();
      return true;
    },
  };
}
