// The playground in a real headless browser: served by `tessera playground`'s server, trained on
// webgpu (SwiftShader on a machine without a GPU), on wasm in a browser with WebGPU off (no
// adapter: the page falls back to tessera.wasm; two threads of Web Workers where the server sends
// COOP/COEP, one where it does not or where shared memory is refused) and, forced by ?backend=js,
// on js. The page's first loss is checked against the same step run in Node on the js backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dirname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startPlaygroundServer, type PlaygroundServer } from '../../src/cli/playground.js';
import { encodePng } from '../../src/io/png.js';
import { CHROMIUM, browserMissing, buildWebInto, firstLossInNode, launchChromium, screenshotPath } from './helpers.js';

const missing = browserMissing();
const SEED = 7;

async function state(page: Page): Promise<Record<string, string | undefined>> {
  // Strings, not functions: they run in the page, and this file is typed without the DOM library.
  return page.evaluate('({ ...document.body.dataset })');
}

/** Waits until the page reports `key` satisfying `ok`, failing with the page's state and error. */
async function waitFor(page: Page, what: string, ok: (d: Record<string, string | undefined>) => boolean, timeoutMs = 60_000): Promise<Record<string, string | undefined>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const d = await state(page);
    if (ok(d)) return d;
    if (d.status === 'error' || Date.now() > end) throw new Error(`playground: waiting for ${what}: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Loads the page, takes one step and returns its loss. */
async function firstStep(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await waitFor(page, 'the data and the backend', (d) => d.status === 'idle');
  await page.click('#one-step');
  const d = await waitFor(page, 'the first step', (s) => s.ready === '1' && s.step === '1');
  return Number(d.loss);
}

/** Runs the start button until step ≥ n, then pauses; returns the state. */
async function trainTo(page: Page, n: number): Promise<Record<string, string | undefined>> {
  await page.click('#start');
  await waitFor(page, `step ${n}`, (d) => Number(d.step) >= n, 120_000);
  await page.click('#pause');
  return waitFor(page, 'the pause', (d) => d.status === 'paused');
}

describe.skipIf(missing !== null)('playground page in headless Chromium', () => {
  let dir: string;
  let server: PlaygroundServer;
  let browser: Browser;
  let nodeFirstLoss: number;

  beforeAll(async () => {
    dir = buildWebInto();
    server = await startPlaygroundServer(dir, 0);
    browser = await launchChromium();
    nodeFirstLoss = await firstLossInNode(dir, { seed: SEED });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('trains 50 steps on webgpu: the first loss is the js backend\'s in Node, the loss falls, a dropped PNG joins the data', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const first = await firstStep(page, `${server.url}?seed=${SEED}&autostart=0`);
    const s0 = await state(page);
    expect(s0.backend, `the page fell back: ${JSON.stringify(s0)}`).toBe('webgpu');
    // The adapter the page names is the one navigator.gpu gives, read here independently of the page's code.
    const info = await page.evaluate('navigator.gpu.requestAdapter().then((a) => ({ vendor: a.info.vendor, architecture: a.info.architecture, description: a.info.description, device: a.info.device, fallback: a.info.isFallbackAdapter === true }))') as Record<string, string> & { fallback: boolean };
    const named = [info.vendor, info.architecture, info.description || info.device].filter((x) => x !== '');
    expect(named.length, `the adapter names nothing: ${JSON.stringify(info)}`).toBeGreaterThan(0);
    expect(s0.adapter).toBe(named.join(' '));
    expect(await page.locator('#adapter').textContent()).toBe(named.join(' '));
    const cpuAdapter = info.fallback || /llvmpipe|lavapipe|swiftshader|software/i.test(Object.values(info).join(' '));
    expect(s0.cpuFallback).toBe(cpuAdapter ? '1' : '0');
    expect(Math.abs(first - nodeFirstLoss), `page ${first} vs Node js ${nodeFirstLoss}`).toBeLessThan(1e-4);

    const s50 = await trainTo(page, 50);
    // MSE of a sigmoid output at initialisation is about 0.16 on these images (the first loss); 50 Adam
    // steps at lr 0.003 bring it under half of that.
    expect(first).toBeGreaterThan(0.1);
    expect(Number(s50.loss)).toBeLessThan(0.5 * first);

    // A synthetic drop of a PNG (a white square on black) onto the drop zone.
    const png = encodePng({ width: 20, height: 20, channels: 1, data: new Uint8Array(400).map((_, i) => ((i % 20) > 4 && (i % 20) < 15 && i > 100 && i < 300 ? 255 : 0)) });
    await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(${JSON.stringify(Array.from(png))})], 'square.png', { type: 'image/png' }));
      document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await waitFor(page, 'the dropped image', (d) => d.userImages === '1');
    await page.check('input[name=onlyMine]');
    await page.click('#one-step');
    const mine = await waitFor(page, 'a step on the dropped image', (d) => d.step === String(Number(s50.step) + 1));
    expect(Number(mine.loss)).toBeGreaterThan(0);

    await page.click('#explain');
    await page.waitForSelector('#graph svg', { timeout: 60_000 });
    expect(await page.locator('#graph-text').textContent()).toMatch(/backward/i);

    const file = screenshotPath('playground-webgpu.png');
    mkdirSync(dirname(file), { recursive: true });
    await page.screenshot({ path: file, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('?backend=js trains on the js backend in the page, with the same first loss as Node', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1100 } });
    const first = await firstStep(page, `${server.url}?backend=js&seed=${SEED}&autostart=0`);
    const s = await state(page);
    expect(s.backend).toBe('js');
    expect(Math.abs(first - nodeFirstLoss), `page ${first} vs Node js ${nodeFirstLoss}`).toBeLessThan(1e-6);
    const s20 = await trainTo(page, 20);
    expect(Number(s20.loss)).toBeLessThan(first);
    await page.screenshot({ path: screenshotPath('playground-js.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('every model of the page takes a step on js; the VAE shows its samples and latent walk', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1100 } });
    for (const model of ['conv', 'denoising', 'sparse', 'vae']) {
      const loss = await firstStep(page, `${server.url}?backend=js&model=${model}&latent=2&seed=${SEED}&autostart=0`);
      expect(Number.isFinite(loss) && loss > 0, `${model}: loss ${loss}`).toBe(true);
      const vaeShown = await page.evaluate('["vae-samples-card", "vae-walk-card"].map((id) => document.getElementById(id).style.display !== "none")');
      expect(vaeShown, model).toEqual(model === 'vae' ? [true, true] : [false, false]);
    }
    // Paused after the VAE's step, the page draws every view: the samples and the walk are separate
    // canvases, each with images on it (not blank: some pixels differ from the first).
    await page.click('#start');
    await page.click('#pause');
    await waitFor(page, 'the pause', (d) => d.status === 'paused');
    const distinct = await page.evaluate(`["vae-samples", "vae-walk"].map((id) => {
      const c = document.getElementById(id);
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0) seen.add(px[i]);
      return seen.size;
    })`) as number[];
    expect(distinct[0], 'grey levels on the samples canvas').toBeGreaterThan(8);
    expect(distinct[1], 'grey levels on the walk canvas').toBeGreaterThan(8);
    await page.screenshot({ path: screenshotPath('playground-vae.png'), fullPage: true });
    await page.close();
  }, 120_000);

  describe.skipIf(!existsSync(join('build', 'tessera.wasm')))('with WebGPU off (no adapter): wasm', () => {
    let noGpu: Browser;
    let plainServer: PlaygroundServer;
    // A second browser without --enable-unsafe-webgpu: navigator.gpu is there but gives no adapter.
    beforeAll(async () => {
      const { chromium } = await import('playwright-core');
      noGpu = await chromium.launch({ executablePath: CHROMIUM, args: [], headless: true });
      plainServer = await startPlaygroundServer(dir, 0, false);
    });
    afterAll(async () => {
      await noGpu?.close();
      await plainServer?.close();
    });

    /** Loads `url` in a fresh page (after `init`, a script run before the page's own), checks the first loss against Node's and trains 50 steps. */
    async function trainOnWasm(url: string, init?: string): Promise<{ page: Page; s: Record<string, string | undefined>; errors: string[]; oneThreadWarnings: string[] }> {
      const page = await noGpu.newPage({ viewport: { width: 1300, height: 1100 } });
      if (init) await page.addInitScript(init);
      const errors: string[] = [], oneThreadWarnings: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'warning' && /runs on one thread/.test(m.text())) oneThreadWarnings.push(m.text()); });
      const first = await firstStep(page, url);
      const s = await state(page);
      expect(s.backend, JSON.stringify(s)).toBe('wasm');
      expect(s.backendWhy).toMatch(/no webgpu.*adapter/i);
      expect(await page.locator('#backend-why').textContent()).toMatch(/no webgpu/);
      // Different kernels (SIMD GEMM, other summation order) than js: equal to float32 rounding.
      expect(Math.abs(first - nodeFirstLoss), `page ${first} vs Node js ${nodeFirstLoss}`).toBeLessThan(1e-4);
      const s50 = await trainTo(page, 50);
      // As on webgpu: from about 0.16 at initialisation, 50 Adam steps at lr 0.003 bring it under half.
      expect(Number(s50.loss)).toBeLessThan(0.5 * first);
      return { page, s, errors, oneThreadWarnings };
    }

    it('cross-origin isolated (COOP/COEP): threads from the cores, two by ?threads=2; trains with the first loss Node\'s, 50 steps halve it', async () => {
      // Without ?threads the page takes one thread per core (capped at 64, as in Node): read independently here.
      const probe = await noGpu.newPage();
      await probe.goto(`${server.url}?seed=${SEED}&autostart=0`);
      const d = await waitFor(probe, 'the backend', (x) => x.status === 'idle');
      const cores = Number(await probe.evaluate('navigator.hardwareConcurrency'));
      expect(await probe.evaluate('crossOriginIsolated')).toBe(true);
      expect(d.threads, JSON.stringify(d)).toBe(String(Math.min(cores, 64)));
      await probe.close();

      const { page, s, errors, oneThreadWarnings } = await trainOnWasm(`${server.url}?seed=${SEED}&threads=2&autostart=0`);
      expect(s.threads, JSON.stringify(s)).toBe('2');
      expect(oneThreadWarnings).toEqual([]);
      expect(s.threadsWhy).toBe('');
      expect(s.adapter).toMatch(/2 threads/);
      expect(await page.locator('#threads').textContent()).toBe('2');
      // The per-layer norms are recorded on several steps, so their curves have points to join. How
      // many by step 50 depends on the machine (they get a share of the training time, and none while
      // the time between steps runs over its bound, as under a loaded CI runner): train on until a
      // few are there, within a bound, rather than ask it of a fixed step.
      const normSteps = async (): Promise<number> => Number(await page.evaluate('document.body.dataset.normSteps'));
      for (let step = 50; (await normSteps()) <= 3 && step < 400; step += 50) await trainTo(page, step + 50);
      expect(await normSteps()).toBeGreaterThan(3);
      await page.screenshot({ path: screenshotPath('playground-wasm.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }, 180_000);

    it('served without COOP/COEP: one thread, saying why, and it still trains', async () => {
      const { page, s, errors, oneThreadWarnings } = await trainOnWasm(`${plainServer.url}?seed=${SEED}&threads=2&autostart=0`);
      expect(await page.evaluate('crossOriginIsolated')).toBe(false);
      expect(oneThreadWarnings, 'warned once').toEqual([`tessera: ${s.threadsWhy}; the wasm backend runs on one thread`]);
      expect(s.threads, JSON.stringify(s)).toBe('1');
      expect(s.threadsWhy).toMatch(/not cross-origin isolated/);
      expect(await page.locator('#threads-why').textContent()).toMatch(/COOP\/COEP/);
      expect(errors).toEqual([]);
      await page.close();
    }, 180_000);

    it('where WebAssembly.Memory({ shared: true }) throws: one thread on an unshared memory, and it still trains', async () => {
      // As a browser that refuses shared memory outright: the module runs on an unshared copy of its memory import.
      const refuseShared = `(() => {
        const Memory = WebAssembly.Memory;
        WebAssembly.Memory = function (d) { if (d && d.shared) throw new TypeError('shared memory refused by this test'); return new Memory(d); };
      })()`;
      const { page, s, errors } = await trainOnWasm(`${server.url}?seed=${SEED}&threads=2&autostart=0`, refuseShared);
      expect(s.threads, JSON.stringify(s)).toBe('1');
      expect(s.threadsWhy).toMatch(/no shared memory here \(shared memory refused by this test\)/);
      expect(errors).toEqual([]);
      await page.close();
    }, 180_000);
  });
});
