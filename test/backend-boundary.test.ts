// A backend is reached only through the kernel interface of src/backend/backend.ts, and its
// kernels only through the ops of the engine core: library code outside the core and
// src/backend/ calls no Backend kernel or memory method on a backend, builds no StorageRef,
// swaps no tensor's storage by hand and loads no backend's internals (the native addon). What
// it may ask a backend: its name, its declared capabilities (hostVisible, garbageCollected),
// supportsDType, describe, sync, and alloc (to fill a host-visible backend's storage on the host
// and adopt it with fromStorage, as the interface documents).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { CORE } from '../scripts/line-budget.mjs';

const root = resolve(import.meta.dirname, '..');
const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
});
const rel = (f: string) => relative(root, f);
const inCore = (f: string) => (CORE as string[]).some((c) => (c.endsWith('/') ? f.startsWith(c) : f === c));

/**
 * The llm.c-style walkthrough beside docs/backprop.md: its point is to show the kernel calls
 * themselves on plain Float32Arrays, without Tensor or graph.
 */
const KERNEL_WALKTHROUGH = 'src/inspect/manual-backprop.ts';

/** The methods of the Backend interface, read from its declaration. */
function backendMethods(): string[] {
  const text = readFileSync(join(root, 'src/backend/backend.ts'), 'utf8');
  const body = /export interface Backend<S = unknown> \{([\s\S]*?)\n\}/.exec(text)![1];
  return [...body.matchAll(/^ {2}(\w+)\??\(/gm)].map((m) => m[1]);
}
const ALLOWED = new Set(['supportsDType', 'describe', 'sync', 'alloc']);

const library = walk(join(root, 'src')).map(rel).filter((f) => !f.startsWith('src/backend/') && !inCore(f));
const code = (f: string) => readFileSync(join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');

/** `backend.matmul(`, `x.backend.adamStep(`, `model.backend?.read(`: a call of a Backend method on something named backend. */
function kernelCalls(text: string, forbidden: Set<string>): string[] {
  return [...text.matchAll(/\b\w*[bB]ackend\)?\??\.(\w+)\s*\(/g)].map((m) => m[1]).filter((name) => forbidden.has(name));
}

describe('the backend boundary', () => {
  const methods = backendMethods();
  const forbidden = new Set(methods.filter((m) => !ALLOWED.has(m)));

  it('reads the kernel list from backend.ts (the check has something to check)', () => {
    for (const k of ['matmul', 'copy', 'adamStep', 'sgdStep', 'gatherRows', 'readSync', 'upload']) expect(forbidden.has(k)).toBe(true);
    expect(library.length).toBeGreaterThan(100);
    // The walkthrough does call kernels: the pattern finds them.
    expect(kernelCalls(code(KERNEL_WALKTHROUGH), forbidden)).toContain('adamStep');
  });

  it('library code outside the core and src/backend/ calls no Backend kernel or memory method', () => {
    const found = library.filter((f) => f !== KERNEL_WALKTHROUGH)
      .flatMap((f) => kernelCalls(code(f), forbidden).map((k) => `${f}: ${k}()`));
    expect(found).toEqual([]);
  });

  it('builds no StorageRef, assigns no tensor storage and loads no backend internals outside the core', () => {
    const found: string[] = [];
    for (const f of library) {
      const text = code(f);
      // memory.ts (tidy/dispose) names the StorageRef type for its FinalizationRegistry.
      if (/\bnew StorageRef\b/.test(text) || (/\bStorageRef\b/.test(text) && f !== 'src/memory.ts')) found.push(`${f}: StorageRef`);
      if (/\.ref\s*=[^=]/.test(text)) found.push(`${f}: assigns .ref`);
      if (/\bnativeAddon\b|backend\/native\/addon/.test(text)) found.push(`${f}: the native addon`);
    }
    expect(found).toEqual([]);
  });
});
