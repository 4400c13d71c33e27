// The sizes of a conv-autoencoder workload's layers (W2's), read from its architecture in
// workloads.ts, for benchmarks that call its kernels one by one (bench/thread-kernels.mjs): they
// follow the table instead of repeating its numbers. Written for the shape W2 has (the layers
// src/models/conv-autoencoder.ts builds): two levels of Conv2d(3×3, pad 1) + MaxPool 2 on a square
// image, a dense latent, ConvTranspose2d(3×3, stride 2) back up, no batch norm.
import type { Workload } from './workloads.js';

export interface ConvAutoencoderShapes {
  /** Image channels (the first conv's input, the last conv's output). */
  inChannels: number;
  /** Side of the image at each level: [28, 14, 7]. */
  sides: [number, number, number];
  /** Channels of the two levels: [16, 8]. */
  channels: [number, number];
  latent: number;
  /** The flattened code before the latent: channels[1]·sides[2]². */
  flat: number;
  /** The hidden activation and the output's, as the kernels' epilogues name them. */
  activation: string;
  output: string;
  /** Parameter sizes in the model's order (each layer's weight, then its bias), for the optimiser step. */
  parameterSizes: number[];
}

export function convAutoencoderShapes(w: Workload): ConvAutoencoderShapes {
  const where = `bench/tessera/conv-shapes.ts: ${w.id}`;
  if (w.architecture.builder !== 'convAutoencoder') throw new Error(`${where} is built by ${w.architecture.builder}, expected convAutoencoder`);
  const o = w.architecture.options;
  const [inChannels, h, wide] = o.inputShape ?? [1, 28, 28];
  const channels = o.channels ?? [16, 8];
  if (channels.length !== 2 || h !== wide || h % 4 !== 0 || o.latent === undefined || (o.upsample ?? 'transpose') !== 'transpose' || o.batchNorm) {
    throw new Error(`${where}: expected two levels on a square image divisible by 4, a latent, transposed convolutions and no batch norm; `
      + `got channels [${channels.join(', ')}], input ${h}×${wide}, latent ${String(o.latent)}, upsample ${o.upsample ?? 'transpose'}, batchNorm ${String(o.batchNorm ?? false)}`);
  }
  const [c1, c2] = channels, latent = o.latent, sides: [number, number, number] = [h, h / 2, h / 4];
  const flat = c2 * sides[2] * sides[2];
  // (in, out) of each layer with a 3×3 kernel or a dense one, in the model's order.
  const conv = (i: number, out: number) => [out * i * 9, out], dense = (i: number, out: number) => [out * i, out];
  const parameterSizes = [conv(inChannels, c1), conv(c1, c2), dense(flat, latent), dense(latent, flat), conv(c2, c2), conv(c2, c1), conv(c1, inChannels)].flat();
  return { inChannels, sides, channels: [c1, c2], latent, flat, activation: o.activation ?? 'relu', output: o.output ?? 'sigmoid', parameterSizes };
}
