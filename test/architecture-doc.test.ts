// docs/architecture.md cannot drift: every path it names exists, every function it names
// (`name()` in backticks, and the calls in the walk-through of one training step) is defined
// where the doc says, or is part of the public API, every other backticked identifier exists in
// src/ (API, declaration, option, value, environment variable or folder), and the layering
// rules it states hold for the imports of src/.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const root = resolve(import.meta.dirname, '..');
const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
const FILE = /\.(ts|md|wgsl|cc|h|inc|mjs|json)$/;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const srcFiles = walk(join(root, 'src')).filter((f) => f.endsWith('.ts'));

/** The files a doc path means: from the package root or from src/, `*` matching within a name. */
function resolvePath(path: string, folders: readonly string[]): string[] {
  const clean = path.replace(/\/$/, '');
  const bases = clean.includes('/') ? [root, join(root, 'src')] : [...folders.map((f) => join(root, f)), root, join(root, 'src')];
  for (const base of bases) {
    const full = join(base, clean);
    if (!clean.includes('*')) {
      if (existsSync(full)) return [full];
      continue;
    }
    const dir = dirname(full);
    if (!existsSync(dir)) continue;
    const pattern = new RegExp(`^${full.slice(dir.length + 1).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    const hits = readdirSync(dir).filter((f) => pattern.test(f)).map((f) => join(dir, f));
    if (hits.length > 0) return hits;
  }
  // A bare file name (`training-session.ts`) may sit anywhere under src/ if nowhere else.
  if (!clean.includes('/')) return srcFiles.filter((f) => f.endsWith(`/${clean}`));
  return [];
}

const isPath = (span: string) => /^[\w.*-]+(\/[\w.*-]+)*\/?$/.test(span) && (span.includes('/') || FILE.test(span));

/** Whether `name` is declared in the text of a TypeScript file (function, class, method, property, re-export). */
function defines(text: string, name: string): boolean {
  const n = name.replace(/\$/g, '\\$');
  return [
    new RegExp(`\\b(function\\*?|class|interface|type|const|let|enum)\\s+${n}\\b`),
    new RegExp(`^\\s*(?:(?:public|private|protected|static|async|get|set|readonly|override)\\s+)*(?:\\*\\s*)?${n}\\s*[(<]`, 'm'),  // a generator method: *name(
    new RegExp(`\\b${n}\\s*[:=]\\s*(?:async\\s*)?(?:\\(|function\\b)`),
    new RegExp(`export\\s*(?:type\\s*)?\\{[^}]*\\b${n}\\b[^}]*\\}`),
  ].some((re) => re.test(text));
}

/** TypeScript text without its comments and string literals: what the code itself says. */
const codeOf = (text: string) => text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, "''");

/** Public API: an export of src/index.ts or a member of Tensor. */
const inApi = (name: string) => name in api || name in api.Tensor.prototype;

/** Function names in a backticked span: `fit(model, x)`, `t.backward()`, `await data()`. */
function calledNames(span: string): string[] {
  return [...span.matchAll(/(?:^|[\s.(])([A-Za-z_]\w*)\(/g)].map((m) => m[1]);
}

/** Names in a backticked list of identifiers (`add sub mul`, `sum mean max (axes, keepDims)`). */
function listedNames(span: string): string[] {
  if (calledNames(span).length > 0 || span.startsWith('tessera ')) return [];
  const bare = span.replace(/\([^)]*\)/g, ' ').trim();
  if (!/^[A-Za-z_]\w*( +[A-Za-z_]\w*)+$/.test(bare)) return [];
  return bare.split(/ +/);
}

interface Mention { line: number; text: string }

/** The walk-through of one step: the fenced block, each line `path  what it does`. */
function walkthrough(): { file: string; rest: string; line: number }[] {
  const lines = doc.split('\n');
  const start = lines.indexOf('```');
  const end = lines.indexOf('```', start + 1);
  const out: { file: string; rest: string; line: number }[] = [];
  for (let i = start + 1; i < end; i++) {
    const m = /^(\S+)\s+(.*)$/.exec(lines[i]);
    if (m) out.push({ file: m[1], rest: m[2], line: i + 1 });
    else if (out.length > 0) out[out.length - 1].rest += ` ${lines[i].trim()}`;
  }
  return out;
}

interface ProseLine { line: Mention; spans: string[]; folders: string[]; section: string }

/**
 * The prose outside the fence, one entry per bullet or paragraph (a wrapped line belongs to the
 * one it continues), with its backticked spans, its section and the folders its heading names.
 */
function prose(): ProseLine[] {
  const out: ProseLine[] = [];
  let inFence = false;
  let folders: string[] = [];
  let section = '';
  let open = false;  // whether the next line may continue the last entry
  doc.split('\n').forEach((text, i) => {
    if (text.startsWith('```')) { inFence = !inFence; open = false; return; }
    if (inFence) return;
    if (text.trim() === '') { open = false; return; }
    const spans = [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    if (text.startsWith('#')) {
      folders = spans.filter(isPath).map((s) => s.replace(/\/$/, ''));
      section = text.replace(/^#+\s*/, '');
      out.push({ line: { line: i + 1, text }, spans, folders, section });
      open = false;
      return;
    }
    const last = out[out.length - 1];
    if (open && !text.startsWith('- ') && last !== undefined) {
      last.line.text += ` ${text.trim()}`;
      last.spans.push(...spans);
    } else {
      out.push({ line: { line: i + 1, text }, spans, folders, section });
    }
    open = true;
  });
  return out;
}

/** Doc text with line breaks folded, for the sentences checked word for word. */
const flatDoc = doc.replace(/\s+/g, ' ');

const allSource = srcFiles.map((f) => readFileSync(f, 'utf8')).join('\n');
/** Declared anywhere in src/: a function, class or method, or an option (`createGraph?: boolean`). */
const declaredAnywhere = (name: string) => defines(allSource, name) || new RegExp(`^\\s*(?:readonly\\s+)?${name}\\??:`, 'm').test(allSource);

describe('docs/architecture.md', () => {
  it('names only paths that exist', () => {
    const missing: string[] = [];
    for (const w of walkthrough()) if (resolvePath(w.file, []).length === 0) missing.push(`line ${w.line}: ${w.file}`);
    for (const p of prose()) {
      for (const span of p.spans.filter(isPath)) {
        if (resolvePath(span, p.folders).length === 0) missing.push(`line ${p.line.line}: ${span}`);
      }
    }
    expect(missing).toEqual([]);
    expect(walkthrough().length).toBeGreaterThan(8);
  });

  it('walks through one step with functions each named file defines or calls', () => {
    const wrong: string[] = [];
    for (const w of walkthrough()) {
      const files = resolvePath(w.file, []).filter((f) => f.endsWith('.ts'));
      if (files.length === 0) continue;  // the C++ and WGSL kernels: their paths are checked above
      const text = files.map((f) => codeOf(readFileSync(f, 'utf8'))).join('\n');
      for (const name of calledNames(w.rest)) {
        if (!defines(text, name) && !new RegExp(`\\b${name}\\(`).test(text)) wrong.push(`line ${w.line}: ${name}() is not in ${w.file}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('names only functions that exist: in a file the same line names, or in the public API', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const p of prose()) {
      const files = p.spans.filter(isPath).flatMap((s) => resolvePath(s, p.folders)).filter((f) => f.endsWith('.ts'));
      const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
      for (const span of p.spans) {
        // `tessera <command>`: the command has its file in src/cli/.
        const command = /^tessera ([a-z][\w-]*)/.exec(span);
        if (command && !existsSync(join(root, 'src', 'cli', `${command[1]}.ts`))) wrong.push(`line ${p.line.line}: no src/cli/${command[1]}.ts for \`${span}\``);
        if (command) continue;
        for (const name of [...calledNames(span), ...listedNames(span)]) {
          checked++;
          if (!inApi(name) && !defines(text, name)) {
            wrong.push(`line ${p.line.line}: ${name} (in \`${span}\`) is neither exported by src/index.ts nor defined in ${files.map((f) => relative(root, f)).join(', ') || 'a file the line names'}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(80);
  });

  it('names only identifiers that exist: API, declared in src/, an option, a value or variable src/ uses, a folder', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const p of prose()) {
      for (const span of p.spans.filter((s) => /^[A-Za-z_]\w*$/.test(s))) {
        checked++;
        // An environment variable (TESSERA_BACKEND) is one src/ reads; a value ('float32', 'js')
        // is a string src/ uses; `ops` and `cli` are folders of src/.
        const known = /^[A-Z][A-Z0-9_]+$/.test(span) ? allSource.includes(span)
          : inApi(span) || declaredAnywhere(span) || allSource.includes(`'${span}'`) || existsSync(join(root, 'src', span));
        if (!known) wrong.push(`line ${p.line.line}: ${span}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  // The layering rules the doc states, checked on the relative imports of every file of src/.
  const imports = srcFiles.map((file) => ({
    file: relative(join(root, 'src'), file),
    targets: [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)]
      .map((m) => relative(join(root, 'src'), resolve(dirname(file), m[1]))),
  }));
  const offenders = (from: (f: string) => boolean, to: (t: string) => boolean) =>
    imports.filter((i) => from(i.file)).flatMap((i) => i.targets.filter(to).map((t) => `${i.file} → ${t}`));

  it('states layering rules that the imports keep', () => {
    expect(flatDoc).toContain('`ops` never import a specific backend');
    expect(offenders((f) => f.startsWith('ops/'), (t) => /^backend\/(js|native|webgpu)\//.test(t))).toEqual([]);
    expect(flatDoc).toContain('backends import nothing above `backend/`');
    expect(offenders((f) => f.startsWith('backend/'), (t) => !t.startsWith('backend/') && t !== 'util/package-root.js')).toEqual([]);
    expect(flatDoc).toContain('nothing outside `cli/` imports `cli/`');
    expect(offenders((f) => !f.startsWith('cli/'), (t) => t.startsWith('cli/'))).toEqual([]);
  });

  /**
   * The layers the doc lists in its ```layers block, top first: the rooms of each line (a folder
   * of src/, or `*.ts` for the files at the top of src/: the engine core).
   */
  function layers(): string[][] {
    const lines = doc.split('\n');
    const start = lines.indexOf('```layers');
    const end = lines.indexOf('```', start + 1);
    if (start < 0 || end < 0) return [];
    return lines.slice(start + 1, end).map((l) => {
      const rooms: string[] = [];
      for (const word of l.trim().split(/\s+/)) {
        if (!/^(\w[\w-]*\/|\*\.ts)$/.test(word)) break;
        rooms.push(word.replace(/\/$/, ''));
      }
      return rooms;
    });
  }
  /** A file's room: its folder under src/, or `*.ts` for the files at the top of src/. */
  const roomOf = (f: string) => (f.includes('/') ? f.slice(0, f.indexOf('/')) : '*.ts');

  it('lists every room of src/ in one layer, and each import points to its own layer or a lower one', () => {
    const list = layers();
    expect(flatDoc).toContain('Each room imports only the rooms of its own line and of the lines below it');
    expect(list.length).toBeGreaterThan(6);
    const rank = new Map<string, number>();
    list.forEach((rooms, i) => rooms.forEach((r) => {
      expect(rank.has(r), `${r} is listed twice`).toBe(false);
      rank.set(r, list.length - i);
    }));
    const rooms = new Set(imports.map((i) => roomOf(i.file)));
    expect([...rooms].filter((r) => !rank.has(r)), 'rooms of src/ missing from the layers').toEqual([]);
    expect([...rank.keys()].filter((r) => !rooms.has(r)), 'layers naming no room of src/').toEqual([]);
    // src/index.ts is the public API: it re-exports every room.
    const upward = imports.filter((i) => i.file !== 'index.ts').flatMap((i) => i.targets
      .filter((t) => (rank.get(roomOf(t)) ?? Infinity) > (rank.get(roomOf(i.file)) ?? -Infinity))
      .map((t) => `${i.file} → ${t}`));
    expect(upward).toEqual([]);
  });

  it('says truly that nothing below cli prints except the progress reporter', () => {
    expect(flatDoc).toContain('nothing below `cli` prints to the terminal except through the progress reporter');
    const printing = srcFiles.map((f) => relative(join(root, 'src'), f))
      .filter((f) => !f.startsWith('cli/') && f !== 'train/progress.ts' && f !== 'train/fit.ts')
      .filter((f) => /\bconsole\.|process\.(stdout|stderr)\b/.test(readFileSync(join(root, 'src', f), 'utf8')));
    expect(printing).toEqual([]);
  });
});
