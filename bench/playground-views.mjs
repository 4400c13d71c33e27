import { chromium } from 'playwright-core';
import http from 'node:http'; import fs from 'node:fs'; import path from 'node:path';
// Usage: npm run build:web -- --out /tmp/web && node bench/playground-views.mjs /tmp/web [js|webgpu]
// Steps per second of the playground page with its views on and with ?views=0 (only the loss
// curve drawn), alternating, two rounds each, in Debian's headless chromium.
const root = process.argv[2] ?? 'dist/web';
const server = http.createServer((q, s) => { const f = path.join(root, new URL(q.url, 'http://x').pathname.replace(/\/$/, '/index.html')); fs.readFile(f, (e, b) => { if (e) { s.writeHead(404); s.end(); return; } s.writeHead(200, { 'content-type': f.endsWith('.js') ? 'text/javascript' : f.endsWith('.html') ? 'text/html' : 'application/octet-stream' }); s.end(b); }); });
await new Promise(r => server.listen(0, '127.0.0.1', r));
const url = 'http://127.0.0.1:' + server.address().port + '/';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--enable-unsafe-webgpu'] });
const backend = process.argv[3] ?? 'js';
const [from, to] = backend === 'js' ? [20, 220] : [20, 80];
const step = async (p) => Number(await p.evaluate('document.body.dataset.step')) || 0;
const results = { views: [], noviews: [] };
for (let round = 0; round < 2; round++) for (const views of ['1', '0']) {
  const p = await b.newPage({ viewport: { width: 1300, height: 1100 } });
  await p.goto(`${url}?seed=3&backend=${backend}&views=${views}`);
  while (await step(p) < from) await new Promise(r => setTimeout(r, 20));
  const t0 = Date.now(); const s0 = await step(p);
  while (await step(p) < to) await new Promise(r => setTimeout(r, 20));
  const rate = (await step(p) - s0) / ((Date.now() - t0) / 1000);
  results[views === '1' ? 'views' : 'noviews'].push(rate);
  console.log(backend, 'views', views, 'steps/s', rate.toFixed(2), await p.evaluate('document.getElementById("overhead").textContent'));
  await p.close();
}
const mean = (a) => a.reduce((x, y) => x + y) / a.length;
console.log(backend, 'ratio views/noviews', (mean(results.views) / mean(results.noviews)).toFixed(3));
await b.close(); server.close();
