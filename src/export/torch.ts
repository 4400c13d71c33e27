// The PyTorch hand-off: model.py, a plain torch.nn.Module that rebuilds a tessera autoencoder's
// architecture (no tessera import), so that its safetensors weights load with strict=True:
//   from model import build, load_file
//   model = build(); model.load_state_dict(load_file('model.safetensors'), strict=True)
// Module names follow the state dict (encoder.0.weight is self.encoder[0].weight). The file also
// carries what training adds on top of the layers (the denoiser's corruption, the sparse
// penalty, a VAE's reparameterisation and KL), and a small safetensors reader using only json
// and torch.frombuffer, so that no package beyond torch is needed.
import { writeFileAtomic } from '../io/atomic.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { describeModel, type Layer, type ModelDescription } from './layers.js';

/** A Python float literal that reads back as the same double. */
function py(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`exportTorch: cannot write ${v} as a Python literal`);
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

const pair = (p: readonly [number, number]): string => `(${p[0]}, ${p[1]})`;

/** The torch expression that builds `layer`; `helpers` collects the helper classes it needs. */
function layerExpr(layer: Layer, indent: string, helpers: Set<string>): string {
  switch (layer.kind) {
    case 'sequential': {
      if (layer.layers.length === 0) return 'nn.Sequential()';
      const inner = `${indent}    `;
      return `nn.Sequential(\n${layer.layers.map((l) => `${inner}${layerExpr(l, inner, helpers)},  # ${l.name}`).join('\n')}\n${indent})`;
    }
    case 'linear': {
      const bias = layer.bias ? '' : ', bias=False';
      if (layer.activation === 'none') return `nn.Linear(${layer.inFeatures}, ${layer.outFeatures}${bias})`;
      helpers.add('LinearAct');
      return `LinearAct(${layer.inFeatures}, ${layer.outFeatures}${bias}, activation='${layer.activation}')`;
    }
    case 'conv2d':
    case 'conv-transpose2d': {
      const common = `${layer.inChannels}, ${layer.outChannels}, ${pair(layer.kernel)}, stride=${pair(layer.stride)}, padding=${pair(layer.padding)}`;
      const tail = `dilation=${pair(layer.dilation)}${layer.bias ? '' : ', bias=False'}`;
      return layer.kind === 'conv2d' ? `nn.Conv2d(${common}, ${tail})` : `nn.ConvTranspose2d(${common}, output_padding=${pair(layer.outputPadding)}, ${tail})`;
    }
    case 'max-pool2d': return `nn.MaxPool2d(${pair(layer.kernel)}, stride=${pair(layer.stride)})`;
    case 'avg-pool2d': return `nn.AvgPool2d(${pair(layer.kernel)}, stride=${pair(layer.stride)}, padding=${pair(layer.padding)}, count_include_pad=True)`;
    case 'upsample': return `nn.Upsample(scale_factor=(${py(layer.scale[0])}, ${py(layer.scale[1])}), mode='nearest')`;
    case 'batch-norm1d':
    case 'batch-norm2d':
      return `nn.BatchNorm${layer.kind === 'batch-norm1d' ? '1' : '2'}d(${layer.features}, eps=${py(layer.eps)}, momentum=${py(layer.momentum)}, affine=${layer.affine ? 'True' : 'False'})`;
    case 'dropout': return `nn.Dropout(${py(layer.p)})`;
    case 'flatten': return `nn.Flatten(${layer.startDim}, ${layer.endDim})`;
    case 'unflatten': return `nn.Unflatten(${layer.dim}, (${layer.sizes.join(', ')},))`;
    case 'reshape': helpers.add('Reshape'); return `Reshape((${layer.shape.join(', ')},))`;
    case 'relu': return 'nn.ReLU()';
    case 'sigmoid': return 'nn.Sigmoid()';
    case 'tanh': return 'nn.Tanh()';
    case 'selu': return 'nn.SELU()';
    case 'gelu': return 'nn.GELU()';
    case 'softplus': return 'nn.Softplus()';
    case 'identity': return 'nn.Identity()';
    case 'leakyRelu': return `nn.LeakyReLU(${py(layer.slope)})`;
    case 'elu': return `nn.ELU(${py(layer.alpha)})`;
    case 'softmax': return `nn.Softmax(dim=${layer.axis})`;
    case 'log-softmax': return `nn.LogSoftmax(dim=${layer.axis})`;
  }
}

const HELPERS: Record<string, string> = {
  LinearAct: `class LinearAct(nn.Linear):
    """nn.Linear followed by an activation (tessera's Linear with a fused activation)."""

    def __init__(self, in_features, out_features, bias=True, activation='relu'):
        super().__init__(in_features, out_features, bias=bias)
        self.activation = activation

    def forward(self, x):
        return getattr(torch, self.activation)(super().forward(x))
`,
  Reshape: `class Reshape(nn.Module):
    """Reshapes each example, keeping the batch axis (tessera's Reshape)."""

    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)
`,
};

/** The family member's extra methods and its forward. */
function familyCode(d: ModelDescription): { base: string; body: string } {
  const m = d.model;
  switch (m.kind) {
    case 'autoencoder':
      return { base: 'Autoencoder', body: `    def forward(self, x):
        return self.decode(self.encode(x))
` };
    case 'denoising': {
      const noise = m.noise;
      let corrupt: string;
      if (noise.kind === 'gaussian') {
        corrupt = `        noisy = x + ${py(noise.std)} * torch.randn_like(x)
        return ${noise.clip ? `noisy.clamp(${py(noise.clip[0])}, ${py(noise.clip[1])})` : 'noisy'}`;
      } else if (noise.kind === 'masking') {
        corrupt = `        return x * torch.bernoulli(torch.full_like(x, ${py(1 - noise.p)}))`;
      } else {
        const low = noise.low ?? 0, high = noise.high ?? 1;
        corrupt = `        hit = torch.rand_like(x) < ${py(noise.p)}
        value = ${py(low)} + ${py(high - low)} * (torch.rand_like(x) < 0.5).to(x.dtype)
        return torch.where(hit, value, x)`;
      }
      return { base: 'DenoisingAutoencoder', body: `    def corrupt(self, x):
        """The training-time corruption (${noise.kind} noise); the target stays the clean x."""
${corrupt}

    def forward(self, x):
        return self.decode(self.encode(self.corrupt(x) if self.training else x))
` };
    }
    case 'sparse': {
      const penalty = m.penalty === 'l1'
        ? `        return z.abs().sum() / z.shape[0]`
        : `        rho = ${py(m.rho)}
        rho_hat = z.mean(0).clamp(1e-6, 1 - 1e-6)
        return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()`;
      return { base: 'SparseAutoencoder', body: `    penalty_weight = ${py(m.weight)}

    def sparsity_penalty(self, z):
        """The ${m.penalty} penalty on a batch of codes, without its weight (add penalty_weight times it to the loss)."""
${penalty}

    def forward(self, x):
        return self.decode(self.encode(x))
` };
    }
    case 'vae':
      return { base: 'VAE', body: `    latent = ${m.latent}
    beta = ${py(m.beta)}

    def encode_distribution(self, x):
        """μ and log σ² of q(z | x): the two halves of the encoder's output."""
        h = self.encoder(x)
        return h[:, :self.latent], h[:, self.latent:]

    def encode(self, x):
        return self.encode_distribution(x)[0]

    def kl(self, mu, logvar):
        """beta · KL(q(z|x) ‖ N(0, I)), summed over the latent axis, averaged over the batch."""
        return self.beta * (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(-1)).mean()

    def reconstruction_loss(self, pred, target):
        """${m.reconstruction === 'bce' ? 'Binary cross-entropy' : 'Squared error'} summed over the features, averaged over the batch."""
        return nn.functional.${m.reconstruction === 'bce' ? 'binary_cross_entropy' : 'mse_loss'}(pred, target, reduction='sum') / pred.shape[0]

    def forward(self, x):
        """Training: z = μ + σ·ε; eval: z = μ. The KL term is kl(*self.encode_distribution(x))."""
        mu, logvar = self.encode_distribution(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if self.training else mu
        return self.decode(z)
` };
  }
}

const SAFETENSORS_READER = `_DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'F16': torch.float16, 'BF16': torch.bfloat16,
           'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8}


def load_file(path):
    """Reads a .safetensors file into {name: tensor} (the format's 8-byte length, JSON header, raw data)."""
    with open(path, 'rb') as f:
        raw = f.read()
    (length,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + length])
    header.pop('__metadata__', None)
    data = bytearray(raw[8 + length:])
    out = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        dtype = _DTYPES[info['dtype']]
        flat = torch.frombuffer(data, dtype=dtype, count=(end - begin) // torch.empty((), dtype=dtype).element_size(), offset=begin) if end > begin else torch.empty(0, dtype=dtype)
        out[name] = flat.reshape(info['shape']).clone()
    return out
`;

/** The text of model.py for `model`. `weights` is the safetensors file name it will sit beside. */
export function torchModule(model: Autoencoder, weights = 'model.safetensors'): string {
  const d = describeModel(model);
  const helpers = new Set<string>();
  const encoder = layerExpr(d.encoder, '        ', helpers);
  const decoder = layerExpr(d.decoder, '        ', helpers);
  const { base, body } = familyCode(d);
  return `# A plain PyTorch module with the architecture of a tessera ${base}, written by
# \`tessera export --format torch\`. It does not import tessera. Load the weights with:
#
#     from model import build, load_file
#     model = build()
#     model.load_state_dict(load_file('${weights}'), strict=True)
#
# The module names follow the state dict (encoder.0.weight is model.encoder[0].weight), so the
# weights can also be read with safetensors.torch.load_file. Call model.eval() for inference
# (batch norm's running statistics, no dropout${d.model.kind === 'denoising' ? ', no corruption' : ''}${d.model.kind === 'vae' ? ', z = μ' : ''}).
import json
import struct

import torch
from torch import nn


${[...helpers].sort().map((h) => `${HELPERS[h]}\n\n`).join('')}class ${base}(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = ${encoder}
        self.decoder = ${decoder}

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

${body}

def build():
    """The architecture with fresh weights; load a state dict into it."""
    return ${base}()


${SAFETENSORS_READER}`;
}

/** Writes model.py for `model` (atomic); `weights` names the safetensors file in its comments. */
export function exportTorch(model: Autoencoder, file: string, options: { weights?: string } = {}): void {
  writeFileAtomic(file, torchModule(model, options.weights));
}
