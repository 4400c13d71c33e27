// The CLI picks --backend, else TESSERA_BACKEND, else native-or-js, like the library.
import { afterEach, describe, expect, it } from 'vitest';
import { chooseBackend } from '../../src/cli/backend-choice.js';
import { setBackend } from '../../src/index.js';

const saved = process.env.TESSERA_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.TESSERA_BACKEND; else process.env.TESSERA_BACKEND = saved;
  setBackend('js');
});

describe('chooseBackend', () => {
  it('honours TESSERA_BACKEND when --backend is absent, and --backend over it', async () => {
    process.env.TESSERA_BACKEND = 'js';
    expect((await chooseBackend('train', undefined, undefined)).name).toBe('js');
    expect((await chooseBackend('train', 'js', undefined)).name).toBe('js');
  });

  it('rejects an unknown TESSERA_BACKEND, naming it', async () => {
    process.env.TESSERA_BACKEND = 'cuda';
    await expect(chooseBackend('train', undefined, undefined)).rejects.toThrow(/TESSERA_BACKEND='cuda' is not a backend/);
  });
});
