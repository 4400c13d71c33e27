// The README's code must run as written: each ```ts block is executed against the sources.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

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
