// The installed entry point: bin/tessera.js → dist/src/cli/main.js, run as a real process
// (build first with `npx tsc -p tsconfig.build.json`; skipped when dist/ has no CLI yet).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const built = fs.existsSync(path.join(root, 'dist/src/cli/main.js'));

describe.skipIf(!built)('bin/tessera.js', () => {
  test('prints help, exits 2 on a bad option, and runs info', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/tessera.js'), ...args], { encoding: 'utf8', cwd: root, timeout: 30_000 });
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tessera <command>/);
    const bad = run('train', '--model', 'gan');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--model expects one of dense, conv, denoising, sparse, vae, got "gan"');
    const info = run('info', '--no-webgpu');
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/^ {2}js {6}available/m);
  });
});
