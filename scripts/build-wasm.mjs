// Builds build/tessera.wasm, the `wasm` backend's module, from the same C++ kernels as the native
// addon (native/: the portable kernel table, whose GCC vector extensions clang compiles to 128-bit
// wasm SIMD), with clang and wasm-ld (Debian: clang, lld, wasi-libc). Runs at install (beside
// build-native.mjs) and at prepack, so the packed package carries the .wasm and users never
// compile it. Without clang it says so once and exits 0: the engine then goes without `wasm`.
//
//   node scripts/build-wasm.mjs [--quiet]
//
// The module imports one shared memory (threads: every worker instantiates the module on it) and
// links wasi-libc only for memcpy/memset/memmove and libm's sin, cos and pow (pure functions: no
// WASI imports remain), hence --no-check-features: that libc is built without the atomics feature.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'tessera.wasm');
const statusFile = join(root, 'build', 'wasm-status.json');
const quiet = process.argv.includes('--quiet');

/** The shared kernels (the native addon's, minus N-API, the CPU dispatch and std::thread) and the wasm glue. */
export const WASM_SOURCES = [
  'elementwise.cc', 'reduce.cc', 'conv.cc', 'conv_direct.cc', 'optim.cc', 'gemm.cc', 'gemm_portable.cc',
  'simd_portable.cc', 'gather.cc', 'random.cc', 'wasm_runtime.cc', 'wasm_api.cc',
];
const WASI_LIB = '/usr/lib/wasm32-wasi';
// Initial 16 MiB; maximum 4 GiB (all of wasm32): shared memory must declare one, and it only reserves addresses.
const INITIAL_PAGES = 256;
export const MAX_PAGES = 65536;

function record(ok, reason) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ ok, reason, at: new Date().toISOString() }, null, 2));
}

function tool(names) {
  for (const name of names) {
    if (spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0) return name;
  }
  return null;
}

function main() {
  // A packed package carries its .wasm (tsconfig.json is not packed): nothing to build.
  if (!existsSync(join(root, 'tsconfig.json')) && existsSync(out)) {
    record(true, 'shipped with the package');
    return;
  }
  const clang = tool(['clang++', 'clang++-14']);
  const ld = tool(['wasm-ld', 'wasm-ld-14']);
  if (clang === null || ld === null || !existsSync(join(WASI_LIB, 'libc.a'))) {
    const missing = [clang === null && 'clang', ld === null && 'wasm-ld (lld)', !existsSync(join(WASI_LIB, 'libc.a')) && `wasi-libc (${WASI_LIB})`].filter(Boolean);
    record(false, `not built: ${missing.join(', ')} not found`);
    console.warn(`tessera: ${missing.join(', ')} not found; the wasm backend is not built (apt-get install clang lld wasi-libc).`);
    return;
  }
  const objDir = join(root, 'build', 'wasm-obj');
  mkdirSync(objDir, { recursive: true });
  const cflags = [
    '--target=wasm32-wasi', '-std=c++17', '-O3', '-msimd128', '-matomics', '-mbulk-memory',
    // As binding.gyp: no errno from libm, no fused multiply-add (results round as the js backend's).
    '-fno-exceptions', '-fno-rtti', '-fno-math-errno', '-ffp-contract=off',
    // Threads share the memory; TLS (the GEMM packing buffers) is set up per instance by the loader.
    '-ftls-model=local-exec', '-nostdinc++', '-isystem', join(root, 'native', 'wasm', 'include'), '-Wno-bitwise-conditional-parentheses',
  ];
  const objects = [];
  for (const src of WASM_SOURCES) {
    const obj = join(objDir, src.replace(/\.cc$/, '.o'));
    const r = spawnSync(clang, [...cflags, '-c', join(root, 'native', src), '-o', obj], { stdio: 'inherit' });
    if (r.status !== 0) return fail(`${clang} failed on native/${src} (status ${r.status})`);
    objects.push(obj);
  }
  const ldflags = [
    '--no-entry', '--import-memory', '--shared-memory', `--initial-memory=${INITIAL_PAGES * 65536}`,
    `--max-memory=${MAX_PAGES * 65536}`, '-z', 'stack-size=1048576', '--no-check-features', '--gc-sections', '--strip-all',
    // What the loader (src/backend/wasm/instance.ts) sets per instance: the stack and the thread-locals.
    '--export=__stack_pointer', '--export=__wasm_init_tls', '--export=__tls_size', '--export=__tls_align',
    '--export=__wasm_call_ctors',
  ];
  const r = spawnSync(ld, [...objects, join(WASI_LIB, 'libc.a'), ...ldflags, '-o', out], { stdio: 'inherit' });
  if (r.status !== 0) return fail(`${ld} failed (status ${r.status})`);
  record(true, 'built');
  if (!quiet) console.log(`tessera: built ${out} (${Math.round(statSync(out).size / 1024)} KB)`);
}

function fail(reason) {
  record(false, reason);
  console.warn(`tessera: the wasm backend failed to build (${reason}); tessera works without it.`);
}

main();
