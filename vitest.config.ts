import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Dawn on llvmpipe (no GPU) needs EGL without a display. Set here, in the parent process, so
// that the forked test processes inherit it in their C environment.
process.env.EGL_PLATFORM ??= 'surfaceless';
// `tessera profile` caches measured peaks under the user's cache directory: tests use their own.
process.env.TESSERA_CACHE_DIR ??= join(tmpdir(), 'tessera-test-cache');

// Forks, not threads: the WebGPU tests need EGL_PLATFORM in the C library's environment,
// which a worker thread's process.env never reaches.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
