#!/usr/bin/env node
// Trains the seed's dense autoencoder for ten steps twice from the same initial weights: once
// through the engine (Tensor ops, autodiff, the Adam optimizer: fit()'s path), once with every
// forward and backward written out by hand over the kernels (src/inspect/manual-backprop.ts,
// llm.c style), and prints the two losses side by side.
//
//   npm run build && node examples/manual-backprop.mjs [--backend js|native]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(root, 'dist', 'src', p);
const { Generator, fromTyped, tidy, useBackend } = await import(dist('index.js'));
const { denseAutoencoder } = await import(dist('models/dense-autoencoder.js'));
const { mseLoss } = await import(dist('losses/regression.js'));
const { Adam } = await import(dist('optim/index.js'));
const { loadFashionMnist } = await import(dist('data/fashion-mnist.js'));
const { manualAutoencoder, trainStep } = await import(dist('inspect/manual-backprop.js'));

const backendArg = process.argv.indexOf('--backend');
const backend = await useBackend(backendArg > 0 ? process.argv[backendArg + 1] : 'js');
if (backend.name === 'webgpu') throw new Error('manual-backprop: the hand-written step works on Float32Arrays (js or native)');

const BATCH = 256, STEPS = 10;
const images = loadFashionMnist({ split: 'test', limit: BATCH * STEPS }).images;
const rows = (i) => images.slice(i * BATCH * 784, (i + 1) * BATCH * 784);

const model = denseAutoencoder({ generator: new Generator(0) });
const named = new Map(model.namedParameters());
const init = ['encoder.0', 'encoder.2', 'decoder.0', 'decoder.2']
  .map((l) => ({ weight: named.get(`${l}.weight`).dataSync(), bias: named.get(`${l}.bias`).dataSync() }));
const byHand = manualAutoencoder(backend, init);
const optimizer = new Adam(model.parameters(), { lr: 1e-3 });

process.stdout.write(`backend ${backend.name}, batch ${BATCH}\nstep  autodiff     by hand      relative difference\n`);
for (let s = 0; s < STEPS; s++) {
  const x = fromTyped(rows(s), [BATCH, 784]);
  optimizer.zeroGrad();
  const auto = tidy(() => {
    const loss = mseLoss(model.forward(x), x);
    loss.backward();
    return loss.item();
  });
  optimizer.step();
  const hand = trainStep(byHand, rows(s), BATCH, 1e-3);
  process.stdout.write(`${String(s + 1).padStart(4)}  ${auto.toFixed(7)}    ${hand.toFixed(7)}    ${(Math.abs(auto - hand) / auto).toExponential(2)}\n`);
}
