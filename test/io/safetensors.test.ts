import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { f16ToF32, parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { FIXTURES, tempDir } from './helpers.js';

/** Assemble a safetensors file by hand: header object as given, data bytes as given. */
function assemble(header: unknown, data: Uint8Array, pad = true): Uint8Array {
  let json = new TextEncoder().encode(JSON.stringify(header));
  if (pad && json.length % 8) {
    const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return b;
}

function f64Bytes(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setFloat64(8 * i, v, true));
  return b;
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

describe('parseSafetensors', () => {
  it('reads a file assembled by NumPy with F16, BF16, F32, F64 and metadata', () => {
    const f = readSafetensors(path.join(FIXTURES, 'mixed.safetensors'));
    expect(f.metadata).toEqual({ format: 'pt', note: 'made by numpy' });
    const half = f.tensors.get('a.half')!;
    expect(half.dtype).toBe('F16');
    expect(half.shape).toEqual([2, 3]);
    // float16 values, as numpy stored them: 6.1035156e-05 is 2^-14 (smallest normal), 5.96e-08 is 2^-24 (smallest subnormal)
    expect(Array.from(half.data)).toEqual([0, 1, -2.5, 65504, 2 ** -14, 2 ** -24]);
    const bf = f.tensors.get('b.bf16')!;
    // bf16 keeps float32's top 16 bits: 1 and -0.15625 are exact; 3e20 truncates to 7 mantissa bits
    const u = new Uint32Array(new Float32Array([3.0e20]).buffer)[0] & 0xffff0000;
    expect(Array.from(bf.data)).toEqual([1, -0.15625, new Float32Array(new Uint32Array([u]).buffer)[0]]);
    const f32 = f.tensors.get('c.f32')!;
    expect(Array.from(f32.data)).toEqual([1, -1, Math.fround(0.1), Math.fround(3.4e38)]);
    expect(f32.data).toBeInstanceOf(Float32Array);
    const f64 = f.tensors.get('d.f64')!;
    expect(f64.data).toBeInstanceOf(Float64Array);
    expect(Array.from(f64.data)).toEqual([Math.E]);
  });

  it('reads a file assembled by hand with DataView and JSON, tensors stored out of name order', () => {
    const header = {
      z: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      a: { dtype: 'F64', shape: [1, 2], data_offsets: [8, 24] },
      empty: { dtype: 'F32', shape: [0, 3], data_offsets: [24, 24] },
    };
    const file = assemble(header, concat(f32Bytes([1.5, -2]), f64Bytes([1e-300, 42])), false);
    const f = parseSafetensors(file, 'hand.safetensors');
    expect(f.metadata).toEqual({});
    expect(Array.from(f.tensors.get('z')!.data)).toEqual([1.5, -2]);
    expect(Array.from(f.tensors.get('a')!.data)).toEqual([1e-300, 42]);
    expect(f.tensors.get('a')!.shape).toEqual([1, 2]);
    expect(f.tensors.get('empty')!.data.length).toBe(0);
  });

  it('converts half floats by the IEEE rules', () => {
    expect(f16ToF32(0x3c00)).toBe(1);
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x7bff)).toBe(65504);
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
    expect(f16ToF32(0x7c00)).toBe(Infinity);
    expect(f16ToF32(0xfc00)).toBe(-Infinity);
    expect(Number.isNaN(f16ToF32(0x7e00))).toBe(true);
    expect(Object.is(f16ToF32(0x8000), -0)).toBe(true);
  });

  it('validates everything and names the file and the problem', () => {
    const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    const data = f32Bytes([1, 2]);
    const bad = (header: unknown, bytes = data) => () => parseSafetensors(assemble(header, bytes), 'bad.st');
    expect(() => parseSafetensors(new Uint8Array(5), 'tiny.st')).toThrow(/'tiny\.st': truncated: 5 bytes, expected at least 8/);
    const huge = assemble(ok, data);
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => parseSafetensors(huge, 'huge.st')).toThrow(/'huge\.st': header length 1099511627776 exceeds the \d+ bytes after the length field/);
    const notJson = assemble(ok, data);
    notJson[12] = 0x7d; // '}' in the middle of the JSON
    expect(() => parseSafetensors(notJson, 'nj.st')).toThrow(/'nj\.st': header is not valid JSON/);
    expect(bad({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } })).toThrow(/tensor 't' is F32 with shape \[3\], which needs 12 bytes, but data_offsets \[0, 8\] span 8/);
    expect(bad({ t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } })).toThrow(/tensor 't' has data_offsets \[0, 16\] past the end of the 8-byte data section/);
    expect(bad({ t: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } })).toThrow(/gap in the data section: bytes \[0, 4\) belong to no tensor/);
    expect(bad({ t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } })).toThrow(/the tensors cover 4 bytes but the data section is 8 bytes/);
    expect(bad({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, u: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } })).toThrow(/overlaps the tensor before it/);
    expect(bad({ t: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } })).toThrow(/end before begin/);
    expect(bad({ t: { dtype: 'U64', shape: [1], data_offsets: [0, 8] } })).toThrow(/tensor 't' has dtype U64, which tessera does not load; supported: F32, F64, F16, BF16, I64, I32/);
    expect(bad({ t: { dtype: 'Q4', shape: [2], data_offsets: [0, 8] } })).toThrow(/tensor 't' has unknown dtype "Q4"/);
    expect(bad({ t: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } })).toThrow(/tensor 't' has a bad shape \[-2\]/);
    expect(bad({ ...ok, __metadata__: { epochs: 3 } })).toThrow(/metadata 'epochs' must be a string/);
    expect(bad([1, 2])).toThrow(/header does not start with '\{'/);
  });
});

describe('integer tensors', () => {
  it('loads I64 and I32 (PyTorch\'s num_batches_tracked) as float32 values', () => {
    const bytes = new Uint8Array(16);
    const dv = new DataView(bytes.buffer);
    dv.setBigInt64(0, 937n, true);
    dv.setInt32(8, -5, true);
    dv.setInt32(12, 70000, true);
    const file = assemble({ n: { dtype: 'I64', shape: [], data_offsets: [0, 8] }, m: { dtype: 'I32', shape: [2], data_offsets: [8, 16] } }, bytes);
    const { tensors } = parseSafetensors(file, 'int.st');
    expect(Array.from(tensors.get('n')!.data)).toEqual([937]);
    expect(Array.from(tensors.get('m')!.data)).toEqual([-5, 70000]);
  });
});

/** An independent minimal reader for the files we write. */
function readByHand(buf: Uint8Array) {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  const text = new TextDecoder().decode(buf.subarray(8, 8 + n));
  const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const start = 8 + n;
  const order = Object.entries(header).filter(([k]) => k !== '__metadata__').sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]).map(([k]) => k);
  const values = (name: string) => {
    const { dtype, data_offsets: [b, e] } = header[name];
    const out: number[] = [];
    for (let p = start + b; p < start + e; p += dtype === 'F32' ? 4 : 8) out.push(dtype === 'F32' ? dv.getFloat32(p, true) : dv.getFloat64(p, true));
    return out;
  };
  return { n, text, header, order, values, dataLength: buf.length - start };
}

describe('serializeSafetensors', () => {
  const tensors = {
    'encoder.weight': { dtype: 'F32' as const, shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    'decoder.bias': { dtype: 'F32' as const, shape: [3], data: Float32Array.from([-0.5, 0, 0.5]) },
    'running.mean': { dtype: 'F64' as const, shape: [2], data: Float64Array.from([Math.PI, -1e-200]) },
    'aa.first': { dtype: 'F32' as const, shape: [1], data: Float32Array.from([7]) },
  };

  it('writes a file an independent reader accepts: aligned header, name-sorted layout, exact values', () => {
    const buf = serializeSafetensors(tensors, { framework: 'tessera', epoch: '12' });
    const r = readByHand(buf);
    expect((8 + r.n) % 8).toBe(0);
    expect(r.text).toMatch(/^\{.*\} {0,7}$/); // JSON, then at most 7 padding spaces
    // F64 first (larger elements, as the reference orders dtypes), then F32 by name.
    expect(r.order).toEqual(['running.mean', 'aa.first', 'decoder.bias', 'encoder.weight']);
    expect(r.header.__metadata__).toEqual({ framework: 'tessera', epoch: '12' });
    expect(r.values('encoder.weight')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.values('decoder.bias')).toEqual([-0.5, 0, 0.5]);
    expect(r.values('running.mean')).toEqual([Math.PI, -1e-200]);
    expect(r.header['encoder.weight'].shape).toEqual([2, 3]);
    expect(r.dataLength).toBe(16 + 4 + 12 + 24);
  });

  it('round-trips through writeSafetensors / readSafetensors, atomically', () => {
    const dir = tempDir('st');
    const file = path.join(dir, 'model.safetensors');
    writeSafetensors(file, tensors, { k: 'v' });
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
    const back = readSafetensors(file);
    expect(back.metadata).toEqual({ k: 'v' });
    expect([...back.tensors.keys()].sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const got = back.tensors.get(name)!;
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual(t.shape);
      expect(Array.from(got.data)).toEqual(Array.from(t.data));
    }
  });

  it('rejects inputs whose shape and data disagree', () => {
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(/tensor 'w' has shape \[2, 2\] \(4 elements\) but 3 values/);
    expect(() => serializeSafetensors({ w: { dtype: 'F64', shape: [1], data: new Float32Array(1) } })).toThrow(/tensor 'w' is F64 but its data is a Float32Array, expected Float64Array/);
  });
});
