// The packed package as a user gets it: `npm i tessera-*.tgz --omit=optional` on a machine with
// no compiler, no Python and no network. The PATH holds only node, npm and sh (npm runs install
// scripts with sh); npm gets an empty cache and --offline, so anything not inside the tarball
// would fail the install. Checks: ≤ 5 packages, ≤ 40 MB, `tessera info` reports the native
// backend (the prebuilt addon) and the wasm backend (the shipped build/tessera.wasm), the ONNX export runs from the install (its encoder is bundled),
// and `tessera bench` is not offered (the benchmarks are not shipped).
//
// Packing runs prepack, which compiles the addon with prebuildify (minutes); to keep this test
// under a minute it packs with --ignore-scripts after putting the addon compiled from the same
// binding.gyp at `npm ci` (build/Release/tessera.node) where prebuildify puts its output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';
import { findAddonFile } from '../../src/backend/native/addon.js';

const root = packageRoot();
const supported = process.platform === 'linux' && process.arch === 'x64';

let work: string;
let project: string;
let env: NodeJS.ProcessEnv;

function run(command: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}${r.error ? r.error.message : ''}` };
}

/** Every installed package (a folder with a package.json under node_modules, nested ones too). */
function packages(dir: string): string[] {
  const out: string[] = [];
  const modules = path.join(dir, 'node_modules');
  if (!fs.existsSync(modules)) return out;
  for (const entry of fs.readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@') ? fs.readdirSync(path.join(modules, entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) {
      const pkg = path.join(modules, name);
      if (!fs.existsSync(path.join(pkg, 'package.json'))) continue;
      out.push(name, ...packages(pkg));
    }
  }
  return out;
}

function diskBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += diskBytes(p);
    else if (entry.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

describe.skipIf(!supported)('the packed package (linux-x64 carries a prebuilt addon)', () => {
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-packed-'));
    const found = findAddonFile(root);
    expect(found, 'the addon built at npm ci is needed to stand in for prebuildify\'s output').toHaveProperty('file');
    const addon = (found as { file: string }).file;
    const prebuilds = path.join(root, 'prebuilds', 'linux-x64');
    fs.mkdirSync(prebuilds, { recursive: true });
    if (path.resolve(addon) !== path.resolve(prebuilds, 'tessera.node')) fs.copyFileSync(addon, path.join(prebuilds, 'tessera.node'));
    const pack = spawnSync(process.execPath, [resolveNpmCli(), 'pack', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);

    // A bin folder with node, npm and sh only: no g++, make or python3.
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    fs.symlinkSync(resolveNpmCli(), path.join(bin, 'npm'));
    fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
    env = { PATH: bin, HOME: work, npm_config_cache: path.join(work, 'cache'), npm_config_update_notifier: 'false' };
    project = path.join(work, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "user-project", "private": true }\n');
  }, 120_000);

  afterAll(() => { if (work) fs.rmSync(work, { recursive: true, force: true }); });

  it('installs offline with no compiler: ≤ 5 packages, ≤ 40 MB, native backend from the prebuild', () => {
    expect(spawnSync('sh', ['-c', 'command -v g++ cc python3 make'], { env, encoding: 'utf8' }).stdout).toBe('');
    const tgz = fs.readdirSync(work).find((f) => /^tessera-.*\.tgz$/.test(f))!;
    const install = run('npm', ['i', path.join(work, tgz), '--omit=optional', '--offline', '--no-audit', '--no-fund'], project);
    expect(install.status, install.out).toBe(0);
    const installed = packages(project);
    expect(installed).toContain('tessera');
    expect(installed.length, installed.join(', ')).toBeLessThanOrEqual(5);
    expect(diskBytes(path.join(project, 'node_modules'))).toBeLessThanOrEqual(40 * 2 ** 20);
    const status = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', 'tessera', 'build', 'native-status.json'), 'utf8')) as { reason: string };
    expect(status.reason).toMatch(/^prebuilt: .*prebuilds\/linux-x64\/tessera\.node$/);
    const info = run(path.join(project, 'node_modules', '.bin', 'tessera'), ['info'], project);
    expect(info.status, info.out).toBe(0);
    expect(info.out).toMatch(/^\s*native\s+available\s+isa: /m);
    // The .wasm ships in the package (built at npm ci, packed through package.json's files): no clang needed.
    const wasmStatus = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', 'tessera', 'build', 'wasm-status.json'), 'utf8')) as { reason: string };
    expect(wasmStatus.reason).toBe('shipped with the package');
    expect(info.out).toMatch(/^\s*wasm\s+available\s+simd: wasm simd128, threads: \d+, gemmTile: /m);
  }, 180_000);

  it('the ONNX export runs from the install, and only it needs its encoder; bench is not offered', () => {
    const script = `import { denseAutoencoder, exportOnnx, randn } from 'tessera';
const model = denseAutoencoder({ inputDim: 8, hidden: [4], latent: 2 });
model.forward(randn([3, 8])).sum().backward();
try {
  await exportOnnx(model, 'm.onnx', { inputShape: [8] });
} catch (e) {
  console.log(e.message);
  process.exit(3);
}`;
    // Without @bufbuild/protobuf the engine still trains, and the export says what is missing.
    const protobuf = path.join(project, 'node_modules', 'tessera', 'node_modules', '@bufbuild');
    fs.renameSync(protobuf, `${protobuf}-away`);
    let r = run('node', ['--input-type=module', '-e', script], project);
    fs.renameSync(`${protobuf}-away`, protobuf);
    expect(r.status, r.out).toBe(3);
    expect(r.out).toMatch(/exportOnnx: cannot load @bufbuild\/protobuf, the ONNX encoder/);
    r = run('node', ['--input-type=module', '-e', script], project);
    expect(r.status, r.out).toBe(0);
    expect(fs.statSync(path.join(project, 'm.onnx')).size).toBeGreaterThan(100);
    const tessera = path.join(project, 'node_modules', '.bin', 'tessera');
    const help = run(tessera, ['--help'], project);
    expect(help.out).toMatch(/^\s+export\s/m);
    expect(help.out).not.toMatch(/^\s+bench\s/m);
    const bench = run(tessera, ['bench'], project);
    expect(bench.status).toBe(1);
    expect(bench.out).toMatch(/the benchmarks are not part of the installed package; run them from a clone/);
  }, 60_000);

  it('`tessera playground` serves the built page from the install (dist/web ships; no bundler needed)', async () => {
    const child = spawn(path.join(project, 'node_modules', '.bin', 'tessera'), ['playground', '--port', '0'], { cwd: project, env });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) { clearTimeout(timer); resolve(m[1]); }
        });
        child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString(); });
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script type="module" src="app.js">/);
      const app = await (await fetch(`${url}app.js`)).text();
      expect(app).not.toMatch(/["']node:/);
      const info = (await (await fetch(`${url}data/info.json`)).json()) as { train: number; test: number };
      const images = await fetch(`${url}data/train-images.u8`);
      expect((await images.arrayBuffer()).byteLength).toBe(info.train * 784);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});

/** npm's CLI script (npm-cli.js) beside this node, which a symlink named npm can run. */
function resolveNpmCli(): string {
  const candidates = [
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    fs.realpathSync(path.join(path.dirname(process.execPath), 'npm')),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`cannot find npm's CLI beside ${process.execPath}`);
  return found;
}
