// Shared by the playground tests: building the static folder once per file, the browser
// (Debian's chromium driven by playwright-core; never a downloaded browser), and the js
// backend's first loss in Node for the page's settings, seed and first batch.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { jsBackend } from '../../src/backend/js/index.js';
import { DEFAULT_SETTINGS, PIXELS, Session, gatherRows, type Settings } from '../../web/src/session.js';

export const CHROMIUM = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';
/**
 * Headless Chromium gives WebGPU with this flag alone: on a machine without a GPU the adapter is
 * SwiftShader (Vulkan on the CPU), isFallbackAdapter true, and compute shaders run. Tried on
 * Debian 12's chromium: adding --use-angle=swiftshader, --use-webgpu-adapter=swiftshader or
 * --enable-features=Vulkan changes nothing. navigator.gpu exists only in a secure context
 * (http://127.0.0.1 is one; about:blank is not).
 */
export const CHROMIUM_ARGS = ['--enable-unsafe-webgpu'];

/** Under CI a missing browser fails the test instead of skipping it. */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `no browser at ${CHROMIUM} (Debian: apt-get install chromium)`;
  if (process.env.CI) throw new Error(`${why}; CI requires it`);
  return why;
}

/** Builds the static folder (page, bundle, data subset) into a fresh temporary folder, removed when the test process ends. */
export function buildWebInto(): string {
  const out = mkdtempSync(join(tmpdir(), 'tessera-web-'));
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  execFileSync(process.execPath, ['scripts/build-web.mjs', '--out', out], { stdio: 'pipe' });
  return out;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** The loss of the page's first step (same settings, seed, data order) on the js backend in Node. */
export async function firstLossInNode(webDir: string, overrides: Partial<Settings>): Promise<number> {
  const images = new Uint8Array(readFileSync(join(webDir, 'data', 'train-images.u8')));
  const session = new Session({ ...DEFAULT_SETTINGS, ...overrides }, jsBackend);
  const order = session.batchGenerator.permutation(images.length / PIXELS);
  return session.step(gatherRows(images, order, 0, session.settings.batchSize));
}

/** Where the screenshots go: a folder a person can open (ignored by git). */
export function screenshotPath(name: string): string {
  return join(process.cwd(), 'test-output', name);
}
