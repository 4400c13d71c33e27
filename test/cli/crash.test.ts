// Crash test: a training run killed with SIGKILL at EVERY write point (src/io/atomic.ts's
// TESSERA_KILL_AT_WRITE_POINT: half of a temporary file written, before its rename, and the
// rename done) of every file it writes: config, each epoch's checkpoint
// and metrics, the final weights, pictures and metrics. After each kill `tessera train --resume`
// must finish the same run exactly (model.safetensors byte-identical to an uninterrupted run,
// the same losses and pictures, no temporary file left), or refuse with a message that points
// the way (then following it must give the same run).
//
// The killed process is the installed CLI (bin/tessera.js → dist/), so this needs a build:
// `npx tsc -p tsconfig.build.json` (npm ci does it through "prepare").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { availableBackends } from '../../src/index.js';
import { tempDir } from './helpers.js';

const root = path.resolve(import.meta.dirname, '../..');
const built = fs.existsSync(path.join(root, 'dist/src/cli/main.js'));
// The native backend makes each of the ~40 short runs faster; js gives the same kind of test.
const backend = availableBackends().find((b) => b.name === 'native')?.available ? 'native' : 'js';
const TRAIN = ['train', '--backend', backend, '--limit', '300', '--epochs', '2', '--hidden', '8', '--latent', '2', '--quiet'];
const OUTPUTS = ['model.safetensors', 'reconstructions.png', 'loss.png', 'latent.png'];

interface Exit { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function tessera(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/tessera.js'), ...args], {
      cwd: root, env: { ...process.env, TESSERA_BACKEND: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

/** The run in `dir` is the reference run: same weights (bytes), losses and pictures, no temporary files. */
function expectSameRun(dir: string, reference: string, what: string): void {
  for (const f of OUTPUTS) expect(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(reference, f))), `${what}: ${f}`).toBe(true);
  const a = readJson(path.join(dir, 'metrics.json')), b = readJson(path.join(reference, 'metrics.json'));
  expect(a.complete, what).toBe(true);
  expect(a.history.loss, what).toEqual(b.history.loss);
  expect(a.history.valLoss, what).toEqual(b.history.valLoss);
  expect(a.test, what).toEqual(b.test);
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), `${what}: temporary files left`).toEqual([]);
}

describe.skipIf(!built)('kill -9 at every write point of a run, then --resume', () => {
  test('continues exactly or refuses with a way forward', async () => {
    const tmp = tempDir('crash');
    const reference = path.join(tmp, 'reference');
    const straight = await tessera([...TRAIN, '--out', reference]);
    expect(straight.stderr).toBe('');
    expect(straight.code).toBe(0);

    // Two lanes (the CI has 2 cores), each taking the next kill point until a run is not killed:
    // then every write point of the run has been walked.
    let next = 1, points = Infinity;
    const outcomes: { n: number; dir: string; kind: string }[] = [];
    const lane = async (): Promise<void> => {
      for (let n = next++; n <= points; n = next++) {
        const dir = path.join(tmp, `kill-${n}`);
        const killed = await tessera([...TRAIN, '--out', dir], { TESSERA_KILL_AT_WRITE_POINT: String(n) });
        if (killed.signal !== 'SIGKILL') {
          expect(killed.stderr, `point ${n}`).toBe('');
          expect(killed.code, `point ${n}`).toBe(0);
          points = Math.min(points, n - 1);
          return;
        }
        const resumed = await tessera(['train', '--resume', dir, '--quiet']);
        let kind = 'resumed';
        if (resumed.code !== 0) {
          expect(resumed.stderr, `point ${n}`).toMatch(/^tessera train: /);
          if (/has no config\.json/.test(resumed.stderr)) {
            // killed before config.json was in place: nothing to resume; the first command again works
            kind = 'no config: ran again';
            const again = await tessera([...TRAIN, '--out', dir]);
            expect(again.code, `point ${n}: ${again.stderr}`).toBe(0);
          } else {
            // killed after the last write was in place: the run is complete
            expect(resumed.stderr, `point ${n}`).toMatch(/already finished 2 epochs/);
            kind = 'complete';
          }
        }
        expectSameRun(dir, reference, `killed at write point ${n}, then ${kind}`);
        outcomes.push({ n, dir, kind });
        fs.rmSync(dir, { recursive: true });
      }
    };
    await Promise.all([lane(), lane()]);
    // config, 2 × (checkpoint, metrics), weights, 3 pictures, metrics: 10 writes of 2 points
    // (fewer means dist/ predates the kill hook: rebuild it).
    expect(points).toBeGreaterThanOrEqual(20);
    const kinds = new Set(outcomes.map((o) => o.kind));
    expect([...kinds].sort()).toEqual(['complete', 'no config: ran again', 'resumed']);
    fs.rmSync(tmp, { recursive: true });
  }, 300_000);
});
