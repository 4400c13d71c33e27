#!/usr/bin/env node
// Regenerates the numbers in docs/backprop.md (the blocks between <!-- generated:NAME --> markers)
// from a seeded run of the dense autoencoder. Run `npm run build` first: this imports the compiled
// generator, dist/src/inspect/backprop-doc.js. test/inspect/backprop-doc.test.ts fails when the
// document and a fresh run differ.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.TESSERA_BACKEND ??= 'js';
const { updateBackpropDoc } = await import(join(root, 'dist', 'src', 'inspect', 'backprop-doc.js'));
const file = process.argv[2] ?? join(root, 'docs', 'backprop.md');
const changed = await updateBackpropDoc(file);
process.stdout.write(changed.length ? `updated ${file}: ${changed.join(', ')}\n` : `${file} is up to date\n`);
