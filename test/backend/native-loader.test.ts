// The native loader and its controls: the reason given when the addon is missing, ISA and
// thread selection by function and by environment variable (read by the addon at load time).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { findAddonFile, loadAddon, missingAddonFunctions, packageRoot } from '../../src/backend/native/addon.js';
import { loadNativeBackend, nativeInfo, setNativeIsa, setNativeThreads, threadsEnvProblem } from '../../src/backend/native/index.js';

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
    // (and four numbers: maxThreads and the op counts, checked in test/backend/opcodes.test.ts)
    const numbers = ['maxThreads', 'unaryOpCount', 'binaryOpCount', 'reduceOpCount'];
    expect(Object.keys(addon).filter((k) => typeof (addon as unknown as Record<string, unknown>)[k] === 'number').sort()).toEqual(numbers.sort());
    expect(missingAddonFunctions({}).sort()).toEqual(Object.keys(addon).filter((k) => !numbers.includes(k)).sort());
    expect(addon.maxThreads).toBe(1024);
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
    expect(() => setNativeThreads(0)).toThrow(/expected an integer in \[1, 1024\], got 0/);
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

  it('a thread count past the cap is refused with the range, and the pool is left as it was', () => {
    const before = nativeInfo().threads;
    expect(() => setNativeThreads(100_000)).toThrow(/setNativeThreads: expected an integer in \[1, 1024\], got 100000/);
    expect(nativeInfo().threads).toBe(before);
  });

  /** Runs `script` with the raw addon as `a` in a fresh node, with `env`, under `shell` limits. */
  const rawAddon = (script: string, env: Record<string, string> = {}, limits = '') => {
    const file = join(packageRoot()!, 'build', 'Release', 'tessera.node');
    const js = `const a = require(${JSON.stringify(file)}); ${script}`;
    return spawnSync('bash', ['-c', `${limits} exec "$0" -e "$1"`, process.execPath, js], { env: { ...process.env, ...env }, encoding: 'utf8' });
  };

  it('TESSERA_THREADS=100000 no longer aborts the process: the pool is capped', () => {
    const r = rawAddon('process.stdout.write(String(a.info().threads))', { TESSERA_THREADS: '100000' });
    expect(r.stderr).not.toMatch(/system_error/);
    expect(r.status).toBe(0);
    expect(Number(r.stdout)).toBeLessThanOrEqual(1024);
    expect(Number(r.stdout)).toBeGreaterThanOrEqual(1);
  });

  it('when the system refuses threads, setThreads throws a JS error and the pool runs with what it got', () => {
    // 1.5 GB of address space: node starts, but 1000 thread stacks of 8 MiB cannot all be mapped.
    // The pool's stacks then fill the address space to within one stack, so the script shrinks
    // the pool before printing: V8 committing a semi-space there aborted the process at some
    // limits (1 in 10 of 1.40-1.58 GB), whichever the addon's own size.
    const r = rawAddon(
      'let msg = "no error"; try { a.setThreads(1000); } catch (e) { msg = e.message; } const got = a.info().threads;' +
      ' a.setThreads(2); console.log(msg); console.log("threads " + got);',
      {}, 'ulimit -s 8192; ulimit -v 1500000;');
    expect(r.stderr).not.toMatch(/system_error|Aborted/);
    expect(r.status).toBe(0);
    const m = /the system refused to start more than (\d+) of 1000 threads \(.+\); the pool runs with \1\nthreads (\d+)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![2])).toBe(Number(m![1]));
    expect(Number(m![1])).toBeLessThan(1000);
  });

  it('when the system refuses a thread of the peak loops, the addon throws a JS error instead of ending the process', () => {
    // 64 MiB stacks in 1.5 GB of address space: 64 threads cannot all be mapped, a few can.
    const r = rawAddon(
      'for (const [name, f] of [["fma", () => a.peakFma(256, 64, 0.001)], ["copy", () => a.peakCopy(1 << 16, 64, 1)]]) {' +
      ' try { console.log(name + " no error " + f()); } catch (e) { console.log(e.message); } }' +
      ' console.log("after " + (a.peakCopy(1 << 16, 1, 1) > 0));',
      {}, 'ulimit -s 65536; ulimit -v 1500000;');
    expect(r.stderr).not.toMatch(/could not start|system_error|Aborted|terminate/);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // The FMA loop exists on x86-64 with AVX2 and FMA only (native/peak.cc); elsewhere peakFma is −1 before any thread starts.
    const fmaHere = process.arch === 'x64' && nativeInfo().available.includes('avx2');
    expect(lines[0], r.stdout).toMatch(fmaHere ? /^tessera native peakFma: the system refused to start thread (\d+) of 64 \(.+\)$/ : /^fma no error -1$/);
    expect(lines[1], r.stdout).toMatch(/^tessera native peakCopy: the system refused to start thread (\d+) of 64 \(.+\)$/);
    expect(Number(/thread (\d+) of/.exec(lines[1])![1])).toBeGreaterThan(1);
    if (fmaHere) expect(Number(/thread (\d+) of/.exec(lines[0])![1])).toBeGreaterThan(1);
    expect(lines[2]).toBe('after true');   // the process goes on, and one thread still measures
  });

  it('a bad TESSERA_THREADS or TESSERA_ISA makes the backend unavailable with the reason, not ignored', async () => {
    for (const bad of ['abc', '0', '-3', '2.5', '100000', '4x']) {
      expect(threadsEnvProblem(bad, 1024)).toBe(`TESSERA_THREADS='${bad}' is not a thread count: expected a whole number in [1, 1024], or unset for one thread per core`);
    }
    for (const good of [undefined, '', '1', ' 8 ', '1024']) expect(threadsEnvProblem(good, 1024)).toBeNull();

    const isaBefore = nativeInfo().isa;
    const saved = { threads: process.env.TESSERA_THREADS, isa: process.env.TESSERA_ISA };
    const fresh = async (env: { TESSERA_THREADS?: string; TESSERA_ISA?: string }) => {
      vi.resetModules();
      process.env.TESSERA_THREADS = env.TESSERA_THREADS ?? '';
      process.env.TESSERA_ISA = env.TESSERA_ISA ?? '';
      const m = await import('../../src/backend/native/index.js');
      return m.loadNativeBackend();
    };
    try {
      expect((await fresh({ TESSERA_THREADS: 'lots' })).reason).toBe(
        "native backend: TESSERA_THREADS='lots' is not a thread count: expected a whole number in [1, 1024], or unset for one thread per core");
      const isa = await fresh({ TESSERA_ISA: 'avx9' });
      expect(isa.backend).toBeNull();
      expect(isa.reason).toMatch(/^native backend: TESSERA_ISA='avx9' cannot be used: setNativeIsa: unknown ISA 'avx9' \(expected portable, avx2 or avx512\)/);
      expect((await fresh({ TESSERA_ISA: 'portable' })).reason).toBe('loaded');
    } finally {
      for (const [k, v] of [['TESSERA_THREADS', saved.threads], ['TESSERA_ISA', saved.isa]] as const) {
        if (v === undefined) delete process.env[k]; else process.env[k] = v;
      }
      vi.resetModules();
      setNativeIsa(isaBefore as 'portable');
    }
  });
});
