// How much memory a training run of a TrainConfig needs, worked out from the options before a
// single array is allocated, so that `--hidden 10000000` is refused with the figure and the
// option instead of dying in the OOM killer or with V8's bare "Invalid typed array length".
//
// The estimate counts, in float32:
//   parameters × (1 value + 1 gradient + the optimizer's state slots)
//   + batch × (the widths every layer outputs) × ACTIVATION_COPIES  (forward values and their gradients)
// The parameter count is exact (a test checks it against the built models); the activation
// part is an estimate of the order of magnitude, which is what deciding "fits or not" needs.
import * as os from 'node:os';
import type { OptimizerChoice, TrainConfig } from './run-config.js';

/** Optimizer state per parameter: Adam keeps m and v; momentum, RMSprop and Adagrad one buffer. */
const STATE_SLOTS: Record<OptimizerChoice, number> = { sgd: 0, momentum: 1, nesterov: 1, adam: 2, adamw: 2, rmsprop: 1, adagrad: 1 };

/** Per layer output: its value, the activation's value, and a gradient of each. */
const ACTIVATION_COPIES = 4;

/** V8's largest typed array (Node 20): 2³² elements. One weight or batch bigger cannot exist at all. */
const MAX_ARRAY_ELEMENTS = 2 ** 32;

/** The bundled Fashion-MNIST's rows, when no data shape is given. */
const FASHION_SHAPE = [1, 28, 28];

export interface MemoryEstimate {
  parameters: number;
  /** Bytes for parameters, gradients and optimizer state. */
  parameterBytes: number;
  /** Bytes for one batch's activations and their gradients. */
  activationBytes: number;
  bytes: number;
  /** The largest single array (elements) and what it is. */
  largest: { elements: number; what: string };
}

interface Layers { parameters: number; widthsPerRow: number; largest: { elements: number; what: string } }

function denseLayers(widths: number[], batchNorm: boolean, batch: number): Layers {
  let parameters = 0;
  let widthsPerRow = widths[0];
  let largest = { elements: 0, what: '' };
  for (let i = 0; i + 1 < widths.length; i++) {
    const [a, b] = [widths[i], widths[i + 1]];
    parameters += a * b + b + (batchNorm && i + 2 < widths.length ? 2 * b : 0);
    widthsPerRow += b;
    if (a * b > largest.elements) largest = { elements: a * b, what: `the ${a}×${b} weight` };
    if (batch * b > largest.elements) largest = { elements: batch * b, what: `a batch of ${batch} rows of ${b}` };
  }
  return { parameters, widthsPerRow, largest };
}

function convLayers(channels: number[], latent: number, batchNorm: boolean, batch: number, image: readonly number[]): Layers {
  const [inChannels, height, width] = image;
  let parameters = 0;
  let widthsPerRow = inChannels * height * width;
  let largest = { elements: 0, what: '' };
  const note = (elements: number, what: string) => { if (elements > largest.elements) largest = { elements, what }; };
  let prev = inChannels;
  let [h, w] = [height, width];
  for (const c of channels) {
    parameters += prev * c * 9 + c + (batchNorm ? 2 * c : 0);
    // im2col columns (9 values per input channel and pixel), then the conv output and the pooled one.
    widthsPerRow += prev * 9 * h * w + c * h * w + c * Math.floor(h / 2) * Math.floor(w / 2);
    note(batch * prev * 9 * h * w, `the im2col columns of a batch of ${batch} at ${h}×${w}×${prev}`);
    prev = c;
    [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
  }
  const flat = prev * h * w;
  parameters += 2 * flat * latent + latent + flat;
  widthsPerRow += latent + flat;
  note(flat * latent, `the ${flat}×${latent} weight`);
  for (const c of [...channels].reverse()) {
    parameters += prev * c * 9 + c + (batchNorm ? 2 * c : 0);
    widthsPerRow += prev * 9 * h * w + c * (2 * h) * (2 * w);
    prev = c;
    [h, w] = [2 * h, 2 * w];
  }
  parameters += prev * 9 * inChannels + inChannels;
  widthsPerRow += prev * 9 * h * w + inChannels * h * w;
  return { parameters, widthsPerRow, largest };
}

/** The memory training `c` needs (see the file comment for what is counted). */
export function estimateTrainingMemory(c: TrainConfig, featureShape: readonly number[] = FASHION_SHAPE): MemoryEstimate {
  const hidden = c.hidden;
  const INPUT = featureShape.reduce((a, b) => a * b, 1);
  const image = featureShape.length === 3 ? featureShape : featureShape.length === 2 ? [1, ...featureShape] : FASHION_SHAPE;
  const layers = c.model === 'conv'
    ? convLayers(hidden, c.latent, c.batchNorm, c.batchSize, image)
    : (() => {
      const encoderOut = c.model === 'vae' ? 2 * c.latent : c.latent;
      const enc = denseLayers([INPUT, ...hidden, encoderOut], c.batchNorm && c.model !== 'vae', c.batchSize);
      const dec = denseLayers([c.latent, ...[...hidden].reverse(), INPUT], c.batchNorm && c.model !== 'vae', c.batchSize);
      return {
        parameters: enc.parameters + dec.parameters,
        widthsPerRow: enc.widthsPerRow + dec.widthsPerRow,
        largest: enc.largest.elements >= dec.largest.elements ? enc.largest : dec.largest,
      };
    })();
  const parameterBytes = 4 * layers.parameters * (2 + STATE_SLOTS[c.optimizer]);
  const activationBytes = 4 * c.batchSize * layers.widthsPerRow * ACTIVATION_COPIES;
  return { parameters: layers.parameters, parameterBytes, activationBytes, bytes: parameterBytes + activationBytes, largest: layers.largest };
}

const gb = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;

/** The options that set the model's size, as the user typed them. */
export function sizeOptions(c: TrainConfig): string {
  return `--model ${c.model} --hidden ${c.hidden.join(',')} --latent ${c.latent} --batch-size ${c.batchSize}`;
}

/**
 * What training may use: the memory available now (os.freemem() is Linux's MemAvailable: free
 * plus reclaimable cache), never more than the machine has. Past it the kernel's OOM killer ends
 * the run, or swapping makes it crawl.
 */
export function memoryForTraining(): number {
  return Math.min(os.totalmem(), os.freemem());
}

/**
 * Throws, naming the size options and the figures, when training `c` cannot fit: more memory
 * than `availableBytes` (default memoryForTraining()), or one array past V8's limit.
 */
export function checkTrainingFits(c: TrainConfig, availableBytes = memoryForTraining(), featureShape?: readonly number[]): MemoryEstimate {
  const e = estimateTrainingMemory(c, featureShape);
  if (e.largest.elements > MAX_ARRAY_ELEMENTS) {
    throw new Error(`${sizeOptions(c)}: ${e.largest.what} would hold ${e.largest.elements.toExponential(2)} values, more than the ${MAX_ARRAY_ELEMENTS} one array can hold; use smaller --hidden / --latent / --batch-size`);
  }
  if (e.bytes > availableBytes) {
    throw new Error(
      `${sizeOptions(c)}: training needs about ${gb(e.bytes)} (${e.parameters.toLocaleString('en-US')} parameters with gradients and ${c.optimizer} state: ` +
      `${gb(e.parameterBytes)}; activations of one batch: ${gb(e.activationBytes)}), more than the ${gb(availableBytes)} of memory available ` +
      `(of ${gb(os.totalmem())} on this machine); ` +
      `use smaller --hidden / --latent / --batch-size`);
  }
  return e;
}
