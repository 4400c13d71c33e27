// The inference graph of an autoencoder as ONNX nodes (opset 17), from the layer tree of
// layers.ts: plain objects here, encoded to protobuf by onnx.ts. Weights become initializers
// named as in the state dict ('encoder.0.weight'); batch norm is its eval form (running
// statistics), dropout and the denoiser's corruption are the identity, a VAE takes its mean
// path z = μ. The batch axis is symbolic ('batch'); the other axes come from a trace of the
// tessera model on one example, which also gives the shapes that Reshape needs.
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { zeros } from '../ops/creation.js';
import { slice } from '../ops/shape-ops.js';
import type { Module } from '../nn/module.js';
import { shapeStr } from '../shape.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { describeModel, type Layer, type ModelDescription } from './layers.js';

export const ONNX_OPSET = 17;

export type OnnxAttribute = { i: number } | { f: number } | { ints: number[] } | { s: string } | { t: OnnxTensor };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttribute>;
}

/** A constant tensor: a state-dict entry (initializer) or a small constant (a Constant node). */
export interface OnnxTensor {
  name: string;
  dataType: 'float' | 'int64';
  dims: number[];
  values: Float32Array | BigInt64Array;
}

export interface OnnxValue {
  name: string;
  /** null for the symbolic batch axis. */
  shape: (number | null)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

/** Which graph: the mean-path autoencoder, the encoder alone (a VAE's gives μ and log σ²), or the decoder. */
export type OnnxPart = 'autoencoder' | 'encoder' | 'decoder';

const BATCH = null;
const withBatch = (shape: readonly number[]): (number | null)[] => [BATCH, ...shape.slice(1)];

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  /** State-dict names the graph reads, in first-use order (their data is read after the trace). */
  readonly weights = new Set<string>();
  private counter = 0;

  constructor(private readonly state: Record<string, Tensor>, private readonly modules: Map<string, Module>) {}

  node(opType: string, name: string, inputs: string[], attributes?: Record<string, OnnxAttribute>): string {
    const id = this.counter++;
    const output = `${name}:${opType}${id}`;
    this.nodes.push({ opType, name: `${name}/${opType}${id}`, inputs, outputs: [output], attributes });
    return output;
  }

  /** A state-dict tensor as an initializer; returns its name. */
  weight(name: string): string {
    if (this.state[name] === undefined) throw new Error(`exportOnnx: the state dict has no '${name}'`);
    this.weights.add(name);
    return name;
  }

  async initializers(): Promise<OnnxTensor[]> {
    const out: OnnxTensor[] = [];
    for (const name of this.weights) {
      const t = this.state[name];
      out.push({ name, dataType: 'float', dims: [...t.shape], values: Float32Array.from(await t.data()) });
    }
    return out;
  }

  /** A small constant (shapes, slice bounds, scales) as a Constant node, so initializers stay the state dict. */
  constant(name: string, dataType: OnnxTensor['dataType'], values: number[]): string {
    const id = this.counter++;
    const output = `${name}:const${id}`;
    const tensor: OnnxTensor = { name: output, dataType, dims: [values.length], values: dataType === 'float' ? Float32Array.from(values) : BigInt64Array.from(values.map(BigInt)) };
    this.nodes.push({ opType: 'Constant', name: `${name}/Constant${id}`, inputs: [], outputs: [output], attributes: { value: { t: tensor } } });
    return output;
  }

  module(name: string): Module {
    const m = this.modules.get(name);
    if (m === undefined) throw new Error(`exportOnnx: the model has no module '${name}'`);
    return m;
  }

  /** Emits `layer` on `input`; `sample` is tessera's value of `input` for one example (for shapes). */
  emit(layer: Layer, input: string, sample: Tensor): { output: string; sample: Tensor } {
    if (layer.kind === 'sequential') {
      let cur = { output: input, sample };
      for (const l of layer.layers) cur = this.emit(l, cur.output, cur.sample);
      return cur;
    }
    const out = this.module(layer.name).call(sample);
    return { output: this.leaf(layer, input, out), sample: out };
  }

  private activation(kind: 'relu' | 'sigmoid' | 'tanh', name: string, input: string): string {
    return this.node({ relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh' }[kind], name, [input]);
  }

  private leaf(layer: Layer, input: string, out: Tensor): string {
    const n = layer.name;
    const p = (suffix: string) => this.weight(`${n}.${suffix}`);
    const reshapeTo = () => this.node('Reshape', n, [input, this.constant(n, 'int64', [0, ...out.shape.slice(1)])]);
    switch (layer.kind) {
      case 'sequential': throw new Error('exportOnnx: unreachable');
      case 'linear': {
        if (out.rank !== 2) throw new Error(`exportOnnx: ${n} Linear gives ${shapeStr(out.shape)}; the export writes Gemm, which takes rows [n, features] only`);
        // y = x·Wᵀ + b (Gemm with transB); the fused epilogue activation follows as its own node.
        const y = this.node('Gemm', n, [input, p('weight'), ...(layer.bias ? [p('bias')] : [])], { transB: { i: 1 } });
        return layer.activation === 'none' ? y : this.activation(layer.activation, n, y);
      }
      case 'conv2d':
      case 'conv-transpose2d': {
        const attributes: Record<string, OnnxAttribute> = {
          kernel_shape: { ints: layer.kernel }, strides: { ints: layer.stride }, dilations: { ints: layer.dilation },
          pads: { ints: [...layer.padding, ...layer.padding] },
        };
        if (layer.kind === 'conv-transpose2d') attributes.output_padding = { ints: layer.outputPadding };
        return this.node(layer.kind === 'conv2d' ? 'Conv' : 'ConvTranspose', n, [input, p('weight'), ...(layer.bias ? [p('bias')] : [])], attributes);
      }
      case 'max-pool2d':
        return this.node('MaxPool', n, [input], { kernel_shape: { ints: layer.kernel }, strides: { ints: layer.stride } });
      case 'avg-pool2d':
        return this.node('AveragePool', n, [input], {
          kernel_shape: { ints: layer.kernel }, strides: { ints: layer.stride }, pads: { ints: [...layer.padding, ...layer.padding] }, count_include_pad: { i: 1 },
        });
      case 'upsample':
        // out[i] = in[floor(i / s)]: Resize's nearest with asymmetric coordinates and floor.
        return this.node('Resize', n, [input, '', this.constant(n, 'float', [1, 1, ...layer.scale])], {
          mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' },
        });
      case 'batch-norm1d':
      case 'batch-norm2d': {
        const scale = layer.affine ? p('weight') : this.constant(n, 'float', new Array<number>(layer.features).fill(1));
        const shift = layer.affine ? p('bias') : this.constant(n, 'float', new Array<number>(layer.features).fill(0));
        return this.node('BatchNormalization', n, [input, scale, shift, p('running_mean'), p('running_var')], { epsilon: { f: layer.eps } });
      }
      case 'dropout':
      case 'identity':
        return this.node('Identity', n, [input]);
      case 'flatten':
        return layer.startDim === 1 && layer.endDim === -1 ? this.node('Flatten', n, [input], { axis: { i: 1 } }) : reshapeTo();
      case 'unflatten':
      case 'reshape':
        return reshapeTo();
      case 'relu':
      case 'sigmoid':
      case 'tanh':
        return this.activation(layer.kind, n, input);
      case 'selu':
        // ONNX's default α and γ are float32 roundings of the constants tessera uses.
        return this.node('Selu', n, [input], { alpha: { f: 1.6732632423543772 }, gamma: { f: 1.0507009873554805 } });
      case 'gelu': {
        // The exact GELU, x·½(1 + erf(x/√2)) (a Gelu op arrives only in opset 20).
        const erf = this.node('Erf', n, [this.node('Mul', n, [input, this.constant(n, 'float', [Math.SQRT1_2])])]);
        const half = this.node('Mul', n, [this.node('Add', n, [erf, this.constant(n, 'float', [1])]), this.constant(n, 'float', [0.5])]);
        return this.node('Mul', n, [input, half]);
      }
      case 'softplus':
        return this.node('Softplus', n, [input]);
      case 'leakyRelu':
        return this.node('LeakyRelu', n, [input], { alpha: { f: layer.slope } });
      case 'elu':
        return this.node('Elu', n, [input], { alpha: { f: layer.alpha } });
      case 'softmax':
      case 'log-softmax':
        return this.node(layer.kind === 'softmax' ? 'Softmax' : 'LogSoftmax', n, [input], { axis: { i: layer.axis } });
    }
  }

  /** Renames the last node's output to a graph output name. */
  rename(from: string, to: string): void {
    for (const node of this.nodes) {
      node.outputs = node.outputs.map((o) => (o === from ? to : o));
      node.inputs = node.inputs.map((i) => (i === from ? to : i));
    }
  }
}

/**
 * The ONNX graph of one part of `model` for examples of `inputShape` (without the batch axis;
 * for the decoder, the shape of the model's input all the same: the code's shape is traced).
 */
export async function buildOnnxGraph(model: Autoencoder, inputShape: readonly number[], part: OnnxPart = 'autoencoder'): Promise<OnnxGraph> {
  if (!['autoencoder', 'encoder', 'decoder'].includes(part)) throw new Error(`exportOnnx: part must be 'autoencoder', 'encoder' or 'decoder', got '${String(part)}'`);
  if (inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`exportOnnx: inputShape must be the positive sizes of one example, e.g. [784] or [1, 28, 28], got [${inputShape.join(', ')}]`);
  }
  const description: ModelDescription = describeModel(model);
  const wasTraining = model.training;
  model.eval();
  try {
    const { builder: b, graph } = noGrad(() => {
      const b = new GraphBuilder(model.stateDict(), new Map(model.namedModules()));
      const x = zeros([1, ...inputShape]);
      const isVae = description.model.kind === 'vae';
      const latent = description.model.kind === 'vae' ? description.model.latent : 0;
      const inputs: OnnxValue[] = [];
      const outputs: OnnxValue[] = [];
      // Encoder: x → h; a VAE's h [n, 2·latent] splits into μ and log σ².
      let code = { output: 'input', sample: x };
      if (part !== 'decoder') inputs.push({ name: 'input', shape: withBatch(x.shape) });
      const encoded = b.emit(description.encoder, 'input', x);
      let mu = encoded;
      if (isVae) {
        const half = (from: number, name: string) => b.node('Slice', `vae.${name}`, [
          encoded.output, b.constant(`vae.${name}`, 'int64', [from]), b.constant(`vae.${name}`, 'int64', [from + latent]), b.constant(`vae.${name}`, 'int64', [1]),
        ]);
        const h = encoded.sample;
        mu = { output: half(0, 'mu'), sample: slice(h, [0, 0], [h.shape[0], latent]) };
        if (part === 'encoder') {
          const logvar = half(latent, 'logvar');
          b.rename(mu.output, 'mu');
          b.rename(logvar, 'logvar');
          outputs.push({ name: 'mu', shape: withBatch(mu.sample.shape) }, { name: 'logvar', shape: withBatch(mu.sample.shape) });
        }
      }
      if (part === 'encoder') {
        if (!isVae) {
          b.rename(encoded.output, 'code');
          outputs.push({ name: 'code', shape: withBatch(encoded.sample.shape) });
        }
      } else {
        code = mu;
        if (part === 'decoder') {
          // The decoder alone starts from the code: drop the encoder's nodes and weights.
          b.nodes.length = 0;
          b.weights.clear();
          code = { output: 'code', sample: mu.sample };
          inputs.push({ name: 'code', shape: withBatch(mu.sample.shape) });
        }
        const decoded = b.emit(description.decoder, code.output, code.sample);
        b.rename(decoded.output, 'output');
        outputs.push({ name: 'output', shape: withBatch(decoded.sample.shape) });
      }
      return { builder: b, graph: { name: `tessera-${description.model.kind}-${part}`, nodes: b.nodes, inputs, outputs } };
    });
    return { ...graph, initializers: await b.initializers() };
  } finally {
    model.train(wasTraining);
  }
}
