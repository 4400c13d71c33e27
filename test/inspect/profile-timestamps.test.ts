// `tessera profile --backend webgpu` on an adapter with 'timestamp-query': GPU time per kernel.
//
// This machine has no GPU, and neither of its CPU adapters that Dawn takes in Node has the feature
// by default: llvmpipe through OpenGL has none, and Debian 12's lavapipe (Mesa 22.3, Vulkan) is
// refused by Dawn ("Vulkan shaderUniform*ArrayDynamicIndexing required"). SwiftShader has it: the
// Vulkan driver that Debian's chromium package ships in /usr/lib/chromium (with its own Vulkan
// loader), which CI installs for the playground's browser tests. The CLI runs in a child process
// whose environment points Dawn's Vulkan backend at it (LD_LIBRARY_PATH for the loader,
// VK_ICD_FILENAMES for the driver: both must be set before the process starts). It needs the built
// CLI (bin/tessera.js → dist/). Outside CI a machine without either skips, saying why; under CI
// both must be there, so the test fails instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StepProfile } from '../../src/inspect/profiler.js';

const root = join(import.meta.dirname, '..', '..');
const chromiumDir = '/usr/lib/chromium';
const icd = join(chromiumDir, 'vk_swiftshader_icd.json');
const missing = [
  existsSync(join(root, 'dist', 'src', 'cli', 'main.js')) ? '' : 'dist/ is not built (npx tsc -p tsconfig.build.json)',
  existsSync(icd) && existsSync(join(chromiumDir, 'libvulkan.so.1')) ? '' : `no SwiftShader Vulkan driver in ${chromiumDir} (apt-get install chromium)`,
].filter(Boolean).join('; ');
const skip = missing !== '' && !process.env.CI;
if (skip) console.warn(`webgpu timestamp profile test skipped: ${missing}`);

/** A dense autoencoder's layer widths (the CLI's default model: 784-64-32, mirrored). */
const WIDTHS = [784, 64, 32, 64, 784];
const BATCH = 16;

describe.skipIf(skip)('tessera profile on webgpu with timestamp queries (SwiftShader, a CPU adapter)', () => {
  it('reports GPU time per op and per kernel and shape, within the step\'s wall time', () => {
    expect(missing).toBe('');   // under CI: the build and the driver must be there
    const run = spawnSync(process.execPath, [join(root, 'bin', 'tessera.js'), 'profile', '--backend', 'webgpu', '--model', 'dense',
      '--batch-size', String(BATCH), '--warmup', '1', '--warmup-seconds', '0', '--steps', '2', '--json'], {
      cwd: root, encoding: 'utf8', timeout: 280_000,
      env: { ...process.env, TESSERA_BACKEND: '', LD_LIBRARY_PATH: chromiumDir, VK_ICD_FILENAMES: icd },
    });
    expect(run.status, run.stderr).toBe(0);
    const p = JSON.parse(run.stdout) as StepProfile & { backendDetails: string };
    // The adapter is SwiftShader on Dawn's Vulkan backend, with the feature, and labelled a CPU adapter.
    expect(p.backendDetails).toMatch(/SwiftShader/);
    expect(p.gpuTiming).toMatchObject({ timestampQuery: true, perKernel: true, cpuAdapter: true });
    expect(p.gpuTiming!.reason).toContain('a CPU adapter');
    // The dense step makes no buffer copy: every kernel call ran a compute pass and was timed.
    expect(p.gpuTiming!.untimedCalls).toBe(0);

    // Op rows: GPU times, each positive; together the step's kernel time, which fits in its wall time
    // (the passes run one after another on one queue, inside the step).
    const ops = p.rows.map((r) => r.op).sort();
    expect(ops).toEqual(['backward linear', 'backward squaredError', 'forward linear', 'forward squaredError', 'optimizer update']);
    for (const r of p.rows) expect(r.ms, r.op).toBeGreaterThan(0);
    expect(p.kernelMs).toBeGreaterThan(0);
    expect(p.kernelMs).toBeLessThanOrEqual(p.stepMs);
    expect(p.rows.find((r) => r.op === 'forward linear')!.kernels).toBe(WIDTHS.length - 1);

    // Kernel rows by kernel and shape: the same time, split differently; every one positive.
    expect(p.kernels.reduce((a, k) => a + k.ms, 0)).toBeCloseTo(p.kernelMs, 6);
    for (const k of p.kernels) expect(k.ms, k.kernel).toBeGreaterThan(0);
    // The forward products of the layers: [batch, in] · [out, in]ᵀ for each layer, m×n×k = batch×out×in.
    const names = p.kernels.map((k) => k.kernel);
    for (let l = 0; l + 1 < WIDTHS.length; l++) {
      const act = l + 2 === WIDTHS.length ? 'sigmoid' : 'relu';
      expect(names).toContain(`matmul m×n×k ${BATCH}×${WIDTHS[l + 1]}×${WIDTHS[l]} Bᵀ +bias ${act}`);
    }
    // One Adam update per parameter tensor (a weight and a bias per layer).
    expect(p.kernels.find((k) => k.kernel.startsWith('adamStep'))!.calls).toBe(2 * (WIDTHS.length - 1));
  }, 300_000);
});
