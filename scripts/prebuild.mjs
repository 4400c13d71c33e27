// `npm pack` / `npm publish` (prepack): builds the addon for this platform with prebuildify into
// prebuilds/<platform>-<arch>/tessera.node (N-API: one binary for every Node ≥ 20, its
// AVX-512/AVX2/portable kernels chosen at run time), stripped; node-gyp-build loads it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localNodedir } from './native-build-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nodedir = localNodedir();
const env = { ...process.env, ...(nodedir ? { npm_config_nodedir: nodedir } : {}) };
const bin = join(root, 'node_modules', '.bin', 'prebuildify');
const result = spawnSync(bin, ['--napi', '--strip'], { cwd: root, stdio: 'inherit', env });
if (result.status !== 0) {
  console.error(`prebuild: prebuildify exited with status ${result.status ?? result.error?.message}; the package would ship without its prebuilt addon`);
  process.exit(1);
}
