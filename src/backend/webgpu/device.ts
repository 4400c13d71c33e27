/// <reference types="@webgpu/types" />
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDevice, type DeviceContext, type WebGPUInfo, type WebGPUOptions } from './device-core.js';
import { nodeHost } from './host-node.js';
// Finding a WebGPU device in Node, through the optional `webgpu` npm package (Dawn's dawn.node);
// the host-free rest is device-core.ts (re-exported here), which a browser page uses directly.
//
// Order: the platform's default adapter (Vulkan / Metal / D3D12) in core mode first; then
// Dawn's OpenGL backend in compatibility mode, which is what a machine without a GPU has
// (Mesa's llvmpipe runs the shaders on the CPU). Core mode returns no adapter on llvmpipe.

export * from './device-core.js';

interface WebGPUModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

const INSTALL_HINT = "install it with `npm install webgpu` (an optional dependency of tessera)";

async function loadModule(): Promise<WebGPUModule> {
  // dawn.node's OpenGL path opens EGL without a display; Mesa needs this in the C
  // environment before the library loads. Setting it here works on the main thread of a
  // process; worker threads need it set by their parent (vitest uses forked processes).
  if (process.platform === 'linux' && process.env.EGL_PLATFORM === undefined) process.env.EGL_PLATFORM = 'surfaceless';
  try {
    const name = 'webgpu';   // a variable, so bundlers and tsc leave the optional import alone
    return (await import(name)) as WebGPUModule;
  } catch (e) {
    throw new Error(`initWebGPU: the 'webgpu' package could not be loaded (${(e as Error).message}); ${INSTALL_HINT}`);
  }
}

/**
 * On Linux, Dawn's default (core) backend is Vulkan. Without the Vulkan loader the attempt
 * cannot succeed and only prints a warning, so it is skipped when libvulkan.so.1 is neither
 * in LD_LIBRARY_PATH nor in the dynamic linker's cache. Elsewhere, or when the cache cannot
 * be read, the default backend is tried.
 */
function vulkanLoaderMayExist(): boolean {
  if (process.platform !== 'linux') return true;
  const name = 'libvulkan.so.1';
  for (const dir of (process.env.LD_LIBRARY_PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return true;
  }
  try {
    return readFileSync('/etc/ld.so.cache').includes(name);
  } catch {
    return true;
  }
}

/** glibc's RTLD_NODELETE (not in os.constants.dlopen): dlclose leaves the library mapped. */
const RTLD_NOW_NODELETE = 0x2 | 0x1000;

/**
 * Keeps EGL (glvnd's libEGL and libGLdispatch, Mesa's libEGL_mesa) loaded for the life of the
 * process. Dawn's OpenGL backend opens them per device and closes them when its device goes;
 * they register pthread-key destructors for the threads that used EGL. With webgpu in two
 * worker threads, the first to finish unloaded them while the other thread still had such a
 * key, and that thread crashed at exit calling a destructor in unmapped code (glibc's
 * __nptl_deallocate_tsd; a segfault in about 1 run in 6 with 2 workers, 1 in 3 with 4).
 * Loading them once more with RTLD_NODELETE makes every later dlclose a no-op. process.dlopen
 * then throws (they are not Node addons): that is expected. Linux only; elsewhere a no-op.
 */
let eglPinned = false;
function pinEglLibraries(): void {
  if (eglPinned || process.platform !== 'linux') return;
  eglPinned = true;
  for (const lib of ['libEGL.so.1', 'libGLdispatch.so.0', 'libEGL_mesa.so.0']) {
    try {
      process.dlopen({ exports: {} }, lib, RTLD_NOW_NODELETE);
    } catch {
      // "did not self-register" (loaded and pinned), or not installed (then Dawn cannot load it either)
    }
  }
}

/** Creates the device, or rejects saying why (no package, no adapter, device refused). */
export async function createDeviceContext(options: WebGPUOptions = {}): Promise<DeviceContext> {
  const mod = await loadModule();
  // Dawn rounds timestamps down to 2^16 ns (65.5 µs) unless told not to: a browser's guard against
  // timing attacks, which a Node process does not need and which would blur `tessera profile`'s kernel times.
  const flags = ['disable-dawn-features=timestamp_quantization', ...options.dawnFlags ?? []];
  const tried: string[] = [];
  let gpu: GPU | null = null;
  let adapter: GPUAdapter | null = null;
  let featureLevel: WebGPUInfo['featureLevel'] = 'core';
  let backend: WebGPUInfo['backend'] = 'default';
  if (!options.preferOpenGL && vulkanLoaderMayExist()) {
    gpu = mod.create(flags);
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    tried.push('default backend, core');
  } else if (!options.preferOpenGL) {
    tried.push('default backend skipped: no Vulkan loader (libvulkan.so.1)');
  }
  if (!adapter) {
    pinEglLibraries();
    gpu = mod.create(['backend=opengl', ...flags]);
    featureLevel = 'compatibility';
    backend = 'opengl';
    adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
    tried.push('opengl backend, compatibility');
  }
  if (!adapter || !gpu) {
    throw new Error(`initWebGPU: no WebGPU adapter found (tried: ${tried.join('; ')}). On a machine without a GPU ` +
      'install Mesa\'s EGL/OpenGL drivers (Debian: apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri libegl-dev) ' +
      `and make sure EGL_PLATFORM=surfaceless is set before the process starts (it is '${process.env.EGL_PLATFORM ?? ''}')`);
  }
  return openDevice({ gpu, adapter, featureLevel, backend }, nodeHost());
}
