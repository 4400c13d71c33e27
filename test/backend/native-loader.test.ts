// The native loader and its controls: the reason given when the addon is missing, ISA and
// thread selection by function and by environment variable (read by the addon at load time).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAddonFile, loadAddon, missingAddonFunctions, packageRoot } from '../../src/backend/native/addon.js';
import { loadNativeBackend, nativeInfo, setNativeIsa, setNativeThreads } from '../../src/backend/native/index.js';

describe('native loader', () => {
  it('loads from the package root and describes itself', () => {
    const { backend, reason } = loadNativeBackend();
    expect(reason).toBe('loaded');
    expect(backend?.name).toBe('native');
    const info = nativeInfo();
    expect(info.available).toContain('portable');
    expect(info.available).toContain(info.isa);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(backend?.describe()).toMatchObject({ backend: 'native', isa: info.isa });
  });

  it('knows every function the addon registers, and names the ones a stale build lacks', () => {
    const addon = loadAddon().addon!;
    expect(missingAddonFunctions(addon)).toEqual([]);
    // the list is exactly what native/addon.cc registers: a new function must be added to it
    expect(missingAddonFunctions({}).sort()).toEqual(Object.keys(addon).sort());
    const stale = { ...addon } as Record<string, unknown>;
    delete stale.gatherBytes;
    delete stale.activationGrad;
    expect(missingAddonFunctions(stale)).toEqual(['activationGrad', 'gatherBytes']);
  });

  it('says why when the addon was not built, with the install-time reason', () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-native-'));
    try {
      writeFileSync(join(root, 'package.json'), '{}');
      writeFileSync(join(root, 'binding.gyp'), '{}');
      const missing = loadAddon(root);
      expect(missing.addon).toBeNull();
      expect(missing.reason).toMatch(/neither build\/Release\/tessera\.node nor a prebuild in .*prebuilds fits this machine \(No native build was found for platform=.*\) \(it was never built\)/);
      mkdirSync(join(root, 'build'));
      writeFileSync(join(root, 'build', 'native-status.json'), JSON.stringify({ ok: false, reason: 'node-gyp rebuild exited with status 1' }));
      expect(loadAddon(root).reason).toMatch(/fits this machine \(.*\) \(node-gyp rebuild exited with status 1\)/);
      mkdirSync(join(root, 'build', 'Release'));
      writeFileSync(join(root, 'build', 'Release', 'tessera.node'), 'not a shared object');
      expect(loadAddon(root).reason).toMatch(/loading .*tessera\.node failed/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('loads the prebuild for this platform when there is no build from source, and a build from source first', () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-native-'));
    try {
      writeFileSync(join(root, 'package.json'), '{"name": "tessera"}');
      const prebuilds = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
      mkdirSync(prebuilds, { recursive: true });
      const real = findAddonFile(packageRoot()!);
      copyFileSync((real as { file: string }).file, join(prebuilds, 'tessera.node'));
      expect(findAddonFile(root)).toEqual({ file: join(prebuilds, 'tessera.node') });
      const loaded = loadAddon(root);
      expect(loaded.reason).toBe('loaded');
      expect(typeof loaded.addon!.info().isa).toBe('string');
      mkdirSync(join(root, 'build', 'Release'), { recursive: true });
      writeFileSync(join(root, 'build', 'Release', 'tessera.node'), 'not a shared object');
      expect(findAddonFile(root)).toEqual({ file: join(root, 'build', 'Release', 'tessera.node') });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('setNativeIsa switches paths and rejects unknown or unsupported ones', () => {
    const before = nativeInfo().isa;
    for (const isa of nativeInfo().available) {
      setNativeIsa(isa as 'portable');
      expect(nativeInfo().isa).toBe(isa);
    }
    expect(() => setNativeIsa('sse9' as 'portable')).toThrow(/unknown ISA 'sse9'/);
    setNativeIsa(before as 'portable');
  });

  it('setNativeThreads resizes the pool and validates its argument', () => {
    const before = nativeInfo().threads;
    setNativeThreads(1);
    expect(nativeInfo().threads).toBe(1);
    setNativeThreads(3);
    expect(nativeInfo().threads).toBe(3);
    setNativeThreads(before);
    expect(() => setNativeThreads(0)).toThrow(/expected an integer >= 1/);
  });

  it('TESSERA_ISA and TESSERA_THREADS are honoured at load time', () => {
    const file = join(packageRoot()!, 'build', 'Release', 'tessera.node');
    const script = `const a = require(${JSON.stringify(file)}); process.stdout.write(JSON.stringify(a.info()));`;
    const run = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { isa: string; threads: number };
    };
    expect(run({ TESSERA_ISA: 'portable', TESSERA_THREADS: '1' })).toMatchObject({ isa: 'portable', threads: 1 });
    expect(run({ TESSERA_ISA: 'portable', TESSERA_THREADS: '3' })).toMatchObject({ isa: 'portable', threads: 3 });
  });
});
