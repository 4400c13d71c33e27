import { chromium } from 'playwright-core';
// The server is `tessera playground`'s own (startPlaygroundServer, from dist: run `npx tsc -p tsconfig.build.json` first).
import { startPlaygroundServer } from '../dist/src/cli/playground.js';
import { summarize } from './peers/peer-common.mjs';
import { stepsPerSecond } from './playground-rate.mjs';
// Usage: npm run build:web -- --out /tmp/web && node bench/playground-views.mjs /tmp/web [js|wasm|webgpu] [rounds]
// Steps per second of the playground page with its views on and with ?views=0 (only the loss
// curve drawn), in Debian's headless chromium: on and off alternate within each round (which one
// goes first alternates too), each round gives the ratio on/off of its pair, and the median and
// spread of those ratios are printed (a loaded machine moves both of a pair alike, not the median).
const root = process.argv[2] ?? 'dist/web';
const backend = process.argv[3] ?? 'js';
const rounds = Number(process.argv[4] ?? 5);
// Not cross-origin isolated (no COOP/COEP), as these figures were first taken.
const server = await startPlaygroundServer(root, 0, false);
const url = server.url;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--enable-unsafe-webgpu'] });
// The window measured: webgpu on a CPU adapter takes a few steps a second, the CPU backends tens.
const [from, to] = backend === 'webgpu' ? [20, 100] : [30, 330];
async function rate(views) {
  const { rate: r, page: p } = await stepsPerSecond(b, `${url}?seed=3&backend=${backend}&views=${views}`, from, to);
  const d = await p.evaluate('({ backend: document.body.dataset.backend, overhead: document.getElementById("overhead").textContent })');
  if (d.backend !== backend) throw new Error(`the page ran ${d.backend}, not ${backend}`);
  console.log(backend, 'views', views, 'steps/s', r.toFixed(2), d.overhead);
  await p.close();
  return r;
}
const ratios = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['1', '0'] : ['0', '1'];
  const got = {};
  for (const views of order) got[views] = await rate(views);
  ratios.push(got['1'] / got['0']);
}
const { median, min, max } = summarize(ratios);
console.log(`${backend}: steps/s views on / off, median of ${rounds} rounds ${median.toFixed(3)} (slowdown ${((1 / median - 1) * 100).toFixed(1)}%), range ${min.toFixed(3)}…${max.toFixed(3)}`);
await b.close(); await server.close();
