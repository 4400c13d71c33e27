import { chromium } from 'playwright-core';
// The server is `tessera playground`'s own (startPlaygroundServer, from dist: run `npx tsc -p tsconfig.build.json` first).
import { startPlaygroundServer } from '../dist/src/cli/playground.js';
import { summarize } from './peers/peer-common.mjs';
import { stepsPerSecond } from './playground-rate.mjs';
// Usage: npm run build:web -- --out /tmp/web && node bench/playground-threads.mjs /tmp/web [rounds] [views 1|0] [more URL parameters]
//   e.g. `… /tmp/web 5 0 '&batchSize=256'`
// Steps per second of the playground page on the wasm backend at two threads (Web Workers) and at
// one, in Debian's headless chromium with WebGPU off, served with COOP/COEP (cross-origin
// isolated, as `tessera playground` serves it) and ?threads=2 or ?threads=1. The two alternate
// within each round (which goes first alternates too); each round gives the ratio 2/1 of its pair,
// and the median and spread of those ratios are printed.
const root = process.argv[2] ?? 'dist/web';
const rounds = Number(process.argv[3] ?? 5);
const views = process.argv[4] ?? '1';
const extra = process.argv[5] ?? '';
const server = await startPlaygroundServer(root, 0);
const url = server.url;
// No --enable-unsafe-webgpu: no adapter, so the page's wasm is the default, as for a browser without WebGPU.
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [] });
const [from, to] = [30, 530];
async function rate(threads) {
  const { rate: r, page: p } = await stepsPerSecond(b, `${url}?seed=3&backend=wasm&threads=${threads}&views=${views}${extra}`, from, to);
  const d = await p.evaluate('({ ...document.body.dataset })');
  if (d.backend !== 'wasm' || d.threads !== String(threads)) throw new Error(`the page ran ${d.backend} on ${d.threads} threads (${d.threadsWhy}), not wasm on ${threads}`);
  console.log('wasm threads', threads, 'views', views, extra, 'steps/s', r.toFixed(1));
  await p.close();
  return r;
}
const ratios = [], perThreads = { 1: [], 2: [] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? [2, 1] : [1, 2];
  for (const t of order) perThreads[t].push(await rate(t));
  ratios.push(perThreads[2][round] / perThreads[1][round]);
}
const [two, one, ratio] = [perThreads[2], perThreads[1], ratios].map(summarize);
console.log(`steps/s (median, spread): 2 threads ${two.median.toFixed(1)} (${two.spread.toFixed(2)}), 1 thread ${one.median.toFixed(1)} (${one.spread.toFixed(2)})`);
console.log(`2 threads / 1 thread, views ${views}${extra}: median of ${rounds} rounds ${ratio.median.toFixed(3)}, range ${ratio.min.toFixed(3)}…${ratio.max.toFixed(3)}`);
await b.close(); await server.close();
