// RSS of a plain PyTorch-style loop (zeroGrad / forward / backward / step by hand, no tidy) over
// many steps, on any backend: issue 13 asks that on webgpu it stays within 1.2× of its RSS after 50
// steps at step 500. Prints one JSON line: RSS and live backend bytes every 50 steps.
//   node dist/bench/tessera/plain-loop.js [--backend webgpu] [--steps 500]
// (EGL_PLATFORM=surfaceless in the environment for webgpu on llvmpipe.)
import { Adam, bceLoss, denseAutoencoder, manualSeed, rand, useBackend, getBackend, type BackendName } from '../../src/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const backendName = arg('backend', 'webgpu') as BackendName;
const steps = Number(arg('steps', '500'));
await useBackend(backendName);
manualSeed(0);
// The model: the seed's first layers at batch 64.
const model = denseAutoencoder({ inputDim: 784, hidden: [256], latent: 64 });
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const x = rand([64, 784]);
const samples: { step: number; rssMiB: number; liveMiB: number | null }[] = [];
const t0 = performance.now();
for (let step = 1; step <= steps; step++) {
  opt.zeroGrad();
  const loss = bceLoss(model.forward(x), x);
  loss.backward();
  opt.step();
  if (step % 10 === 0) await loss.itemAsync();   // a user's loop reads its loss now and then
  if (step % 50 === 0) {
    const stats = (getBackend() as { stats?: () => { bytesHeld: number } }).stats?.();
    samples.push({ step, rssMiB: process.memoryUsage().rss / 2 ** 20, liveMiB: stats ? stats.bytesHeld / 2 ** 20 : null });
  }
}
const at50 = samples[0].rssMiB;
const last = samples[samples.length - 1].rssMiB;
console.log(JSON.stringify({
  backend: backendName, steps, seconds: (performance.now() - t0) / 1000,
  rssRatioLastTo50: last / at50, samples: samples.map((s) => ({ ...s, rssMiB: Math.round(s.rssMiB), liveMiB: s.liveMiB === null ? null : Math.round(s.liveMiB * 10) / 10 })),
}));
process.exit(0);
