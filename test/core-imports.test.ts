// The engine core's imports run one way: no cycle among the value imports reachable from the
// core's files (type-only imports vanish at run time and are left out), and tensor.ts imports no
// op (the ops attach themselves as methods). The core is the list scripts/line-budget.mjs counts.
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { CORE } from '../scripts/line-budget.mjs';

const root = resolve(import.meta.dirname, '..');

function filesOf(path: string): string[] {
  const full = join(root, path);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full).flatMap((f) => filesOf(join(path, f))).filter((f) => f.endsWith('.ts'));
}

/** The relative imports of a file that load a module at run time (`import type` / `export type` do not). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*(?:from\s+)?'(\.[^']+)'/g)) {
    const [, , typeOnly, clause] = m;
    // import { type A, type B } from '…' is type-only too.
    const names = /^\{([^}]*)\}$/.exec(clause.trim());
    if (typeOnly || (names && names[1].split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type ')))) continue;
    const target = resolve(dirname(file), m[4]).replace(/\.js$/, '.ts');
    if (existsSync(target)) out.push(target);
  }
  return out;
}

/** A cycle through the value imports reachable from `starts`, as a list of files, or null. */
function findCycle(starts: string[]): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null;
    if (state.get(f) === 'open') return [...path.slice(path.indexOf(f)), f];
    state.set(f, 'open');
    path.push(f);
    for (const t of valueImports(f)) {
      const cycle = visit(t);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(f, 'done');
    return null;
  };
  for (const s of starts) {
    const cycle = visit(s);
    if (cycle) return cycle;
  }
  return null;
}

const core: string[] = (CORE as string[]).flatMap(filesOf);
const rel = (f: string) => relative(root, f);

describe('the engine core', () => {
  it('has no import cycle (value imports reachable from tensor.ts, autograd.ts, ops/, backend.ts)', () => {
    expect(core.length).toBeGreaterThan(10);
    expect(findCycle(core)?.map(rel) ?? null).toBeNull();
  });

  it('finds a cycle where there is one (the checker itself can fail)', () => {
    // ops/methods.ts imports tensor.ts; were tensor.ts to import methods.ts this would be a cycle.
    const methods = join(root, 'src/ops/methods.ts');
    expect(valueImports(methods).map(rel)).toContain('src/tensor.ts');
    expect(valueImports(join(root, 'src/ops/shape-ops.ts')).map(rel)).not.toContain('src/tensor.ts'); // import type only
    // And findCycle reports a real one: two files importing each other, one of them by `import type` too.
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cycle-'));
    const [a, b, c] = ['a.ts', 'b.ts', 'c.ts'].map((f) => join(dir, f));
    writeFileSync(a, "import { b } from './b.js';\nexport const a = 1;\n");
    writeFileSync(b, "import type { c } from './c.js';\nimport { a } from './a.js';\nexport const b = 2;\n");
    writeFileSync(c, "import type { b } from './b.js';\nexport const c = 3;\n");
    expect(findCycle([a])).toEqual([a, b, a]);
    expect(findCycle([c])).toBeNull();
  });

  it('tensor.ts imports nothing from ops/, and grad mode lives apart from autograd', () => {
    const tensorImports = [...readFileSync(join(root, 'src/tensor.ts'), 'utf8').matchAll(/(?:from|import)\s*'([^']+)'/g)].map((m) => m[1]);
    expect(tensorImports.filter((t) => t.includes('ops/'))).toEqual([]);
    expect(valueImports(join(root, 'src/ops/op.ts')).map(rel)).not.toContain('src/autograd.ts');
    expect(valueImports(join(root, 'src/autograd.ts')).map(rel).filter((t) => t.startsWith('src/ops/'))).toEqual(['src/ops/op.ts']);
  });
});

describe('scripts/line-budget.mjs', () => {
  it('counts code lines: not blanks, line comments, block or JSDoc comments', async () => {
    // @ts-expect-error: a plain .mjs script without type declarations
    const { codeLines } = await import('../scripts/line-budget.mjs');
    const text = ['// a comment', '', 'const a = 1; // trailing', '/**', ' * doc', ' */', 'function f() {', '  /* inline */ return a;', '}', '/* one */', '   '].join('\n');
    expect(codeLines(text)).toBe(4);
  });

  it('keeps the core and src/ within their budgets', async () => {
    // @ts-expect-error: a plain .mjs script without type declarations
    const { measure, BUDGET } = await import('../scripts/line-budget.mjs');
    const { figures } = measure();
    expect(figures.core).toBeLessThanOrEqual(BUDGET.core);
    expect(figures.src).toBeLessThanOrEqual(BUDGET.src);
  });
});
