// The peer runner's verdicts on tiny fake peer scripts written to a temporary folder:
// absent for a missing interpreter or script (or exit code 3), failed for a non-zero exit,
// a time-out or no JSON, ok with the parsed JSON otherwise.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ABSENT_EXIT_CODE, childEnv, parseLastJsonLine, runPeerScript } from '../../bench/harness/peers.js';
import { findPython, runPython } from '../../bench/harness/python.js';
import { absentRunner } from '../../bench/harness/runner.js';
import { runBenchmarks } from '../../bench/harness/run-all.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-peers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const node = process.execPath;

describe('bench/harness/peers runPeerScript', () => {
  it('reports absent when the interpreter does not exist', async () => {
    const s = script('ok.mjs', 'console.log("{}")');
    const r = await runPeerScript({ name: 'ghost', command: join(dir, 'no-such-python'), args: [s], script: s });
    expect(r.status).toBe('absent');
    expect(r.reason).toBe(`interpreter not found: ${join(dir, 'no-such-python')}`);
  });

  it('reports absent when the script does not exist, without starting anything', async () => {
    const missing = join(dir, 'missing.py');
    const r = await runPeerScript({ name: 'ghost', command: node, args: [missing], script: missing });
    expect(r).toMatchObject({ name: 'ghost', status: 'absent', reason: `script not found: ${missing}` });
  });

  it('reports absent with the script\'s own reason on exit code 3', async () => {
    const s = script('absent.mjs', `process.stderr.write("torch is not installed\\n"); process.exit(${ABSENT_EXIT_CODE});`);
    const r = await runPeerScript({ name: 'torch', command: node, args: [s], script: s });
    expect(r).toMatchObject({ status: 'absent', reason: 'torch is not installed' });
  });

  it('reports failed, with the exit code and the last stderr line, when the script exits non-zero', async () => {
    const s = script('boom.mjs', 'console.log("{\\"partial\\": 1}"); console.error("warming up"); console.error("boom: shapes [2,3] and [4,5]"); process.exit(1);');
    const r = await runPeerScript({ name: 'p', command: node, args: [s], script: s });
    expect(r.status).toBe('failed');
    expect(r.reason).toBe('exit code 1: boom: shapes [2,3] and [4,5]');
    expect(r.results).toBeUndefined();
    expect(r.stderrTail).toContain('warming up');
  });

  it('reports failed when the script prints no JSON', async () => {
    const s = script('chatty.mjs', 'console.log("hello")');
    const r = await runPeerScript({ name: 'p', command: node, args: [s], script: s });
    expect(r).toMatchObject({ status: 'failed', reason: 'last stdout line is not JSON: hello' });
  });

  it('reports failed when the script outlives its time limit', async () => {
    const s = script('slow.mjs', 'setTimeout(() => console.log("{}"), 20000)');
    const r = await runPeerScript({ name: 'p', command: node, args: [s], script: s, timeoutMs: 300 });
    expect(r).toMatchObject({ status: 'failed', reason: 'timed out after 0.3 s' });
    expect(r.seconds).toBeLessThan(10);
  });

  it('parses the last stdout line as JSON, after any chatter, and passes arguments', async () => {
    const s = script('good.mjs', 'console.log("a hint from a library"); console.log(JSON.stringify({ args: process.argv.slice(2), seconds: [0.5, 0.6] }));');
    const r = await runPeerScript({ name: 'p', command: node, args: [s, '--epochs', '5'], script: s });
    expect(r.status).toBe('ok');
    expect(r.results).toEqual({ args: ['--epochs', '5'], seconds: [0.5, 0.6] });
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.otherBusyCores).toBeGreaterThanOrEqual(0); // measured on Linux
  });

  it('unsets and sets variables for the subprocess only', async () => {
    const s = script('env.mjs', 'console.log(JSON.stringify({ a: process.env.TESSERA_TEST_A ?? null, b: process.env.TESSERA_TEST_B ?? null }))');
    process.env.TESSERA_TEST_A = 'pinned';
    try {
      const r = await runPeerScript({ name: 'p', command: node, args: [s], script: s, unsetEnv: ['TESSERA_TEST_A'], env: { TESSERA_TEST_B: 'set' } });
      expect(r.results).toEqual({ a: null, b: 'set' });
      expect(process.env.TESSERA_TEST_A).toBe('pinned');
    } finally {
      delete process.env.TESSERA_TEST_A;
    }
  });
});

describe('bench/harness/peers helpers', () => {
  it('childEnv removes then adds', () => {
    expect(childEnv({ unsetEnv: ['X'], env: { Y: '2' } }, { X: '1', Z: '3' })).toEqual({ Y: '2', Z: '3' });
  });

  it('parseLastJsonLine rejects empty output and non-objects', () => {
    expect(parseLastJsonLine('\n\n').error).toBe('printed nothing on stdout (expected one JSON object)');
    expect(parseLastJsonLine('42\n').error).toMatch(/JSON but not an object/);
    expect(parseLastJsonLine('x\n{"a": 1}\n\n').value).toEqual({ a: 1 });
  });
});

describe('bench/harness/python', () => {
  it('prefers TESSERA_PEER_PYTHON, then the system Python', () => {
    expect(findPython({ TESSERA_PEER_PYTHON: '/opt/py/bin/python3' })).toBe('/opt/py/bin/python3');
    expect(['/usr/bin/python3', 'python3']).toContain(findPython({}));
  });

  it('runPython reports absent for a missing interpreter', async () => {
    const s = script('peer.py', 'print("{}")\n');
    const r = await runPython('torch', s, [], { python: join(dir, 'python-that-is-not-there') });
    expect(r.status).toBe('absent');
    expect(r.reason).toMatch(/^interpreter not found: /);
  });
});

describe('bench/harness/run-all runBenchmarks', () => {
  it('runs plugged-in runners in order, keeps absent ones and turns a throw into failed', async () => {
    const report = await runBenchmarks({
      outFile: null,
      measureBusy: false,
      runners: [
        { name: 'tessera-js', run: async (opts) => ({ name: 'tessera-js', status: 'ok', metrics: [{ key: 'k', label: 'threads', value: opts.threads?.[0] ?? 0, unit: '' }] }) },
        absentRunner('tfjs-wasm', 'not installed'),
        { name: 'broken', run: async () => { throw new Error('no backend'); } },
      ],
      opts: { threads: [2] },
    });
    expect(report.results.map((r) => [r.name, r.status, r.reason])).toEqual([
      ['tessera-js', 'ok', undefined], ['tfjs-wasm', 'absent', 'not installed'], ['broken', 'failed', 'threw: no backend'],
    ]);
    expect(report.results[0].metrics[0].value).toBe(2);
    expect(report.markdown).toContain('| threads | 2.00 | absent | failed |');
  });
});
