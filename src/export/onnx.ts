// exportOnnx: writes a model's inference graph (onnx-graph.ts) as an ONNX file. The protobuf
// encoding is @bufbuild/protobuf's, with code generated from ONNX's onnx.proto (proto/); both are
// imported here only when an export runs, so training never loads them.
import { writeFileAtomic } from '../io/atomic.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { buildOnnxGraph, ONNX_OPSET, type OnnxAttribute, type OnnxGraph, type OnnxPart, type OnnxTensor, type OnnxValue } from './onnx-graph.js';

export type { OnnxPart } from './onnx-graph.js';

export interface ExportOnnxOptions {
  /** The shape of one example, without the batch axis: [784] or [1, 28, 28]. */
  inputShape: readonly number[];
  /** Which graph (default 'autoencoder', the mean path for a VAE); a VAE's 'encoder' outputs μ and log σ². */
  part?: OnnxPart;
  /** Producer version written into the file (default: none). */
  producerVersion?: string;
}

// ONNX IR version 8 goes with opsets up to 17 (onnx/onnx docs/Versioning.md).
const IR_VERSION = 8n;

/** The ONNX ModelProto bytes of `graph`. */
async function encodeOnnx(graph: OnnxGraph, producerVersion = ''): Promise<Uint8Array> {
  let pb: typeof import('./proto/onnx-pb.js');
  let protobuf: typeof import('@bufbuild/protobuf');
  try {
    [pb, protobuf] = await Promise.all([import('./proto/onnx-pb.js'), import('@bufbuild/protobuf')]);
  } catch (e) {
    throw new Error(`exportOnnx: cannot load @bufbuild/protobuf, the ONNX encoder (${(e as Error).message}); install it with 'npm i @bufbuild/protobuf'`);
  }
  const { create, toBinary } = protobuf;
  const { AttributeProto_AttributeType: A, TensorProto_DataType: D } = pb;

  const tensor = (t: OnnxTensor) => create(pb.TensorProtoSchema, {
    name: t.name,
    dims: t.dims.map(BigInt),
    dataType: t.dataType === 'float' ? D.FLOAT : D.INT64,
    // raw_data is little-endian, like every machine tessera runs on (TypedArrays use host order).
    rawData: new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength),
  });
  const attribute = (name: string, a: OnnxAttribute) => {
    if ('i' in a) return create(pb.AttributeProtoSchema, { name, type: A.INT, i: BigInt(a.i) });
    if ('f' in a) return create(pb.AttributeProtoSchema, { name, type: A.FLOAT, f: a.f });
    if ('ints' in a) return create(pb.AttributeProtoSchema, { name, type: A.INTS, ints: a.ints.map(BigInt) });
    if ('s' in a) return create(pb.AttributeProtoSchema, { name, type: A.STRING, s: new TextEncoder().encode(a.s) });
    return create(pb.AttributeProtoSchema, { name, type: A.TENSOR, t: tensor(a.t) });
  };
  const value = (v: OnnxValue) => create(pb.ValueInfoProtoSchema, {
    name: v.name,
    type: {
      value: {
        case: 'tensorType',
        value: {
          elemType: D.FLOAT,
          shape: { dim: v.shape.map((d) => ({ value: d === null ? { case: 'dimParam' as const, value: 'batch' } : { case: 'dimValue' as const, value: BigInt(d) } })) },
        },
      },
    },
  });
  const model = create(pb.ModelProtoSchema, {
    irVersion: IR_VERSION,
    producerName: 'tessera',
    producerVersion,
    opsetImport: [{ domain: '', version: BigInt(ONNX_OPSET) }],
    graph: {
      name: graph.name,
      node: graph.nodes.map((n) => ({
        opType: n.opType, name: n.name, input: n.inputs, output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([k, a]) => attribute(k, a)),
      })),
      initializer: graph.initializers.map(tensor),
      input: graph.inputs.map(value),
      output: graph.outputs.map(value),
    },
  });
  return toBinary(pb.ModelProtoSchema, model);
}

/**
 * Writes one part of `model` (default: the whole autoencoder, in eval form) as an ONNX file
 * (opset 17, batch axis 'batch', initializers named as in the state dict). Atomic.
 */
export async function exportOnnx(model: Autoencoder, file: string, options: ExportOnnxOptions): Promise<void> {
  if (options === undefined || options.inputShape === undefined) throw new Error('exportOnnx: options.inputShape (one example\'s shape, e.g. [784]) is required');
  const graph = await buildOnnxGraph(model, options.inputShape, options.part ?? 'autoencoder');
  writeFileAtomic(file, await encodeOnnx(graph, options.producerVersion));
}
