// A model's architecture as data: the builder and its options (JSON, no generator), so that a
// run folder's config.json and the weights' safetensors metadata ('tessera.architecture')
// rebuild the very model that wrote them. `loadModel(file)` does that from the file alone
// (src/train/load-run.ts's `loadRun(dir)` also gives a run's config, data transform and history).
import { Generator } from '../random.js';
import type { Autoencoder } from './autoencoder.js';
import { denseAutoencoder, type DenseAutoencoderOptions } from './dense-autoencoder.js';
import { convAutoencoder, type ConvAutoencoderOptions } from './conv-autoencoder.js';
import { denseVae, type DenseVaeOptions } from './vae.js';
import { DenoisingAutoencoder } from './denoising-autoencoder.js';
import { SparseAutoencoder } from './sparse-autoencoder.js';
import type { NoiseSpec } from '../data/noise.js';
import { loadModule } from '../nn/checkpoint.js';
import { readSafetensors } from '../io/safetensors.js';

type Json<T> = Omit<T, 'generator'>;

/** A denoising or sparse model wraps the dense one's encoder and decoder. */
export type ArchitectureWrap =
  | { kind: 'denoising'; noise: NoiseSpec }
  | { kind: 'sparse'; penalty: 'l1' | 'kl'; weight: number; rho?: number };

export type Architecture =
  | { builder: 'denseAutoencoder'; options: Json<DenseAutoencoderOptions>; wrap?: ArchitectureWrap }
  | { builder: 'convAutoencoder'; options: Json<ConvAutoencoderOptions> }
  | { builder: 'denseVae'; options: Json<DenseVaeOptions> };

/** The safetensors metadata keys a tessera run writes beside its weights. */
export const ARCHITECTURE_KEY = 'tessera.architecture';
export const TRANSFORM_KEY = 'tessera.transform';

const BUILDERS = ['denseAutoencoder', 'convAutoencoder', 'denseVae'];

/** Checks the shape of an architecture read from JSON (the builders check the values). */
export function parseArchitecture(value: unknown, where: string): Architecture {
  const a = value as Architecture;
  if (a === null || typeof a !== 'object' || !BUILDERS.includes(a.builder) || a.options === null || typeof a.options !== 'object' || Array.isArray(a.options)) {
    throw new Error(`${where}: the architecture must be {"builder": one of ${BUILDERS.join(', ')}, "options": {...}}, got ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  if ('wrap' in a && a.wrap !== undefined && !(a.builder === 'denseAutoencoder' && (a.wrap.kind === 'denoising' || a.wrap.kind === 'sparse'))) {
    throw new Error(`${where}: 'wrap' must be {"kind": "denoising" | "sparse", ...} on a denseAutoencoder, got ${JSON.stringify(a.wrap).slice(0, 200)}`);
  }
  return a;
}

/** Builds the model an architecture describes, initialised from `generator`. */
export function buildArchitecture(a: Architecture, generator: Generator): Autoencoder {
  switch (a.builder) {
    case 'convAutoencoder': return convAutoencoder({ ...a.options, generator });
    case 'denseVae': return denseVae({ ...a.options, generator });
    case 'denseAutoencoder': {
      const dense = denseAutoencoder({ ...a.options, generator });
      if (a.wrap?.kind === 'denoising') return DenoisingAutoencoder.from(dense, { noise: a.wrap.noise, generator });
      if (a.wrap?.kind === 'sparse') return SparseAutoencoder.from(dense, { penalty: a.wrap.penalty, weight: a.wrap.weight, rho: a.wrap.rho });
      return dense;
    }
  }
}

/** The shape of one input row the model takes: [c, h, w] for the conv model, [features] otherwise. */
export function inputShapeOf(a: Architecture): number[] {
  if (a.builder === 'convAutoencoder') return [...(a.options.inputShape ?? [1, 28, 28])];
  return [a.options.inputDim ?? 784];
}

/** Rebuilds a model from a safetensors file written by tessera (its metadata holds the architecture); eval mode. */
export function loadModel(file: string): Autoencoder {
  const { metadata } = readSafetensors(file);
  const text = metadata[ARCHITECTURE_KEY];
  if (text === undefined) {
    throw new Error(`loadModel: '${file}' has no '${ARCHITECTURE_KEY}' metadata, so it does not say which model it holds (it was not written by tessera train); build the model yourself and use loadModule`);
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { throw new Error(`loadModel: '${file}': the '${ARCHITECTURE_KEY}' metadata is not JSON: ${(e as Error).message}`); }
  const model = buildArchitecture(parseArchitecture(json, `loadModel: '${file}'`), new Generator(0));
  loadModule(file, model);
  return model.eval();
}
