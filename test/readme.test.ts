// The README's code must run as written: each ```ts block is executed against the sources.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './cli/helpers.js';
import { pngBytes } from './data/independent-writers.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
// "Your own data" works on files: the test below writes them and runs that section's commands.
const ownStart = readme.indexOf('## Your own data');
const ownEnd = readme.indexOf('\n## ', ownStart + 1);
const ownData = readme.slice(ownStart, ownEnd);
const blocks = [...(readme.slice(0, ownStart) + readme.slice(ownEnd)).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('README', () => {
  it('has code blocks to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  blocks.forEach((code, i) => {
    it(`block ${i + 1} runs`, async () => {
      const file = join(import.meta.dirname, `.readme-block-${i}.ts`);
      // The package name resolves to the built dist/ for users; here it points at the sources.
      writeFileSync(file, `${code.replace(/from 'tessera'/g, "from '../src/index.js'")}\nexport {};\n`);
      try {
        await import(file);
      } finally {
        rmSync(file, { force: true });
      }
    }, 120_000);
  });
});

describe('README: Your own data', () => {
  it('runs its commands and its Node code on files written here', async () => {
    expect(ownStart).toBeGreaterThan(0);
    const dir = tempDir('readme-own');
    // 200 rows of 6 features with a header; the label says whether the first feature is large.
    const row = (i: number) => Array.from({ length: 6 }, (_, j) => ((i * (j + 3)) % 17) / 4 + j).join(',');
    writeFileSync(join(dir, 'table.csv'), `a,b,c,d,e,f\n${Array.from({ length: 200 }, (_, i) => row(i)).join('\n')}\n`);
    writeFileSync(join(dir, 'labels.csv'), `${Array.from({ length: 200 }, (_, i) => ((i * 3) % 17 > 8 ? 'large' : 'small')).join('\n')}\n`);
    writeFileSync(join(dir, 'new-rows.csv'), `a,b,c,d,e,f\n${Array.from({ length: 7 }, (_, i) => row(i + 500)).join('\n')}\n`);
    for (const cls of ['cats', 'dogs']) {
      mkdirSync(join(dir, 'images', cls), { recursive: true });
      for (let i = 0; i < 10; i++) writeFileSync(join(dir, 'images', cls, `${i}.png`), pngBytes(8, 8, 1, Uint8Array.from({ length: 64 }, (_, p) => (p * (i + 1) * (cls === 'cats' ? 3 : 5)) % 256)));
    }
    // Relative paths in the README are relative to the folder the user works in: here, dir.
    const local = (arg: string) => (/^(runs\/|[\w-]+\.(csv|npy)$|images$)/.test(arg) ? join(dir, arg) : arg);
    const commands = [...ownData.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n')).filter((l) => l.startsWith('tessera '));
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const line of commands) {
      const r = await cli(line.split(/\s+/).slice(1).map(local));
      expect(r.code, `${line}: ${r.stderr}`).toBe(0);
    }
    const [code] = [...ownData.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    const file = join(import.meta.dirname, '.readme-own-data.ts');
    writeFileSync(file, `${code.replace(/from 'tessera'/g, "from '../src/index.js'").replace(/'((runs\/)?[\w.\/-]+\.csv|runs\/[\w-]+)'/g, (_m, p: string) => JSON.stringify(local(p)))}\nexport {};\n`);
    try {
      await import(file);
    } finally {
      rmSync(file, { force: true });
    }
  }, 240_000);
});
