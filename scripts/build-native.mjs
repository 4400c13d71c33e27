// The install script. The packed package carries a prebuilt addon for linux-x64
// (prebuilds/, see prebuild.mjs), found at run time by node-gyp-build: where it loads, there is
// nothing to build. Otherwise (another platform, `npm i --build-from-source`, or a source
// checkout) the addon is built with node-gyp. A failed build must never fail the install: the
// engine then falls back to the `js` backend and says why once, at load time.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { localNodedir, nodeGypScript } from './native-build-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const statusFile = join(root, 'build', 'native-status.json');

function record(ok, reason) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ ok, reason, at: new Date().toISOString() }, null, 2));
}

/** The prebuild for this machine, if the package has one and it loads. */
function loadablePrebuild() {
  const require = createRequire(import.meta.url);
  try {
    const file = require('node-gyp-build').path(root);
    require(file);
    return file;
  } catch {
    return null;
  }
}

if (process.env.TESSERA_SKIP_NATIVE === '1') {
  record(false, 'skipped: TESSERA_SKIP_NATIVE=1 at install time');
  process.exit(0);
}
// A source checkout (tsconfig.json is not packed) always builds, so that its addon follows its sources.
const fromSource = process.env.npm_config_build_from_source === 'true' || existsSync(join(root, 'tsconfig.json'));
if (!fromSource) {
  const prebuild = loadablePrebuild();
  if (prebuild !== null) {
    record(true, `prebuilt: ${prebuild}`);
    process.exit(0);
  }
}
if (!existsSync(join(root, 'binding.gyp'))) {
  record(false, 'no binding.gyp in the package');
  process.exit(0);
}
const gyp = nodeGypScript();
if (gyp === null) {
  record(false, 'node-gyp is not available (npm did not pass npm_config_node_gyp, and it is not installed)');
  console.warn('tessera: node-gyp not found; the native backend is not built (the js backend will be used).');
  process.exit(0);
}
const nodedir = localNodedir();
const result = spawnSync(process.execPath, [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])], { cwd: root, stdio: 'inherit' });
if (result.status === 0) {
  record(true, 'built');
} else if (!fromSource || loadablePrebuild() === null) {
  record(false, `node-gyp rebuild exited with status ${result.status}`);
  console.warn('tessera: the native addon failed to build; the js backend will be used. Re-run `npm rebuild tessera` after installing a C++ toolchain (g++, make, python3).');
} else {
  // --build-from-source failed, but the package's prebuild fits: node-gyp-build will load it.
  record(true, `node-gyp rebuild exited with status ${result.status}; prebuilt: ${loadablePrebuild()}`);
  console.warn('tessera: building the native addon from source failed; the prebuilt addon will be used.');
}
process.exit(0);
