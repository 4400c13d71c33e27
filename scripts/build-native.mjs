// Builds the native addon at install time. A failed build must never fail the install:
// the engine then falls back to the `js` backend and says why once, at load time.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const statusFile = join(root, 'build', 'native-status.json');

function record(ok, reason) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ ok, reason, at: new Date().toISOString() }, null, 2));
}

if (process.env.TESSERA_SKIP_NATIVE === '1') {
  record(false, 'skipped: TESSERA_SKIP_NATIVE=1 at install time');
  process.exit(0);
}
if (!existsSync(join(root, 'binding.gyp'))) {
  record(false, 'no binding.gyp in the package');
  process.exit(0);
}
let gypBin;
try {
  gypBin = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  record(false, 'node-gyp is not installed');
  console.warn('tessera: node-gyp not found; the native backend is not built (the js backend will be used).');
  process.exit(0);
}
// Offline, node-gyp must find Node's headers locally: npm passes npm_config_nodedir when it is
// configured; otherwise use the headers installed beside this node binary, if there are any
// (without them node-gyp tries to download them, and fails with no network).
const args = [gypBin, 'rebuild'];
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) args.push(`--nodedir=${prefix}`);
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status === 0) {
  record(true, 'built');
} else {
  record(false, `node-gyp rebuild exited with status ${result.status}`);
  console.warn('tessera: the native addon failed to build; the js backend will be used. Re-run `npm rebuild tessera` after installing a C++ toolchain.');
}
process.exit(0);
