// Headers that lie: an npy dict whose string value spells other keys, safetensors names that
// collide with the prototype or repeat, invalid UTF-8, forged entry counts, files over 2 GiB.
// The files are built byte by byte here, from the format descriptions, not by our writers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_NPY_HEADER_BYTES, readNpy } from '../../src/io/npy.js';
import { parsePyLiteral } from '../../src/io/py-literal.js';
import { MAX_HEADER_ENTRIES, parseSafetensors, readSafetensors } from '../../src/io/safetensors.js';
import { tempDir } from './helpers.js';

/** A version 1.0 .npy file with header text `dict` (padded to 64 as NumPy does) and `data`. */
function npyWithHeader(dict: string, data: Uint8Array): Uint8Array {
  const pad = (64 - ((10 + dict.length + 1) % 64)) % 64;
  const header = dict + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, 10 + header.length);
  return out;
}

/** A safetensors file whose header is exactly `headerBytes`, then `data`. */
function safetensorsWith(headerBytes: Uint8Array, data = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('npy header as a Python literal', () => {
  it('a string value that spells other keys is a string, not a second header', () => {
    // 24 bytes: six float32s by the real keys, or 24 uint8 by the ones inside the string.
    const data = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
    const forged = npyWithHeader(`{'note': "'descr': '|u1', 'fortran_order': False, 'shape': (24,)", 'descr': '<f4', 'fortran_order': False, 'shape': (6,), }`, data);
    expect(() => readNpy(forged, 'forged.npy')).toThrow(/readNpy: 'forged\.npy' has a malformed header \(expected exactly the keys 'descr', 'fortran_order', 'shape', found 'descr', 'fortran_order', 'note', 'shape'\)/);
    // The real keys in another order, double quotes, a trailing comma: as Python reads them.
    const honest = npyWithHeader(`{"shape": (2, 3,), "fortran_order": False, "descr": "<f4"}`, data);
    const r = readNpy(honest, 'honest.npy');
    expect(r.shape).toEqual([2, 3]);
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses repeated keys, a non-tuple shape, and a header over NumPy’s size limit', () => {
    const data = new Uint8Array(4);
    expect(() => readNpy(npyWithHeader(`{'descr': '<f4', 'descr': '|u1', 'fortran_order': False, 'shape': (4,)}`, data), 'dup.npy'))
      .toThrow(/'dup\.npy' has a malformed header \(not a Python literal: repeated key "descr"/);
    expect(() => readNpy(npyWithHeader(`{'descr': '|u1', 'fortran_order': False, 'shape': (4)}`, data), 'int.npy'))
      .toThrow(/'int\.npy' has a malformed header \('shape' must be a tuple/);
    expect(() => readNpy(npyWithHeader(`{'descr': '|u1', 'fortran_order': False, 'shape': (-4,)}`, data), 'neg.npy'))
      .toThrow(/'neg\.npy' has a malformed header \('shape' must be a tuple of non-negative integers/);
    const big = npyWithHeader(`{'descr': '|u1', 'fortran_order': False, 'shape': (4,)}` + ' '.repeat(MAX_NPY_HEADER_BYTES), data);
    expect(() => readNpy(big, 'big.npy')).toThrow(/'big\.npy' declares a \d+-byte header, over the 10000-byte limit/);
  });

  it('parsePyLiteral: tuples, nesting, escapes, (x) is x', () => {
    expect(parsePyLiteral(`((1, 2), (3,), (4), [], 'a\\'b', True, None, 5L)`)).toEqual([[1, 2], [3], 4, [], "a'b", true, null, 5]);
    expect(() => parsePyLiteral('('.repeat(100) + ')'.repeat(100))).toThrow(/nesting deeper than 32/);
    expect(() => parsePyLiteral(`{'a': 1} junk`)).toThrow(/unexpected text after the literal/);
  });
});

describe('safetensors header trusts nothing', () => {
  const f32 = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);

  it('a tensor named __proto__ and metadata keys named like Object.prototype are plain names', () => {
    const header = `{"__metadata__":{"__proto__":"p","toString":"t"},"__proto__":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`;
    const file = parseSafetensors(safetensorsWith(utf8(header), f32([1.5, -2])), 'proto.safetensors');
    expect([...file.tensors.keys()]).toEqual(['__proto__']);
    expect(Array.from(file.tensors.get('__proto__')!.data)).toEqual([1.5, -2]);
    expect(Object.hasOwn(file.metadata, '__proto__')).toBe(true);
    expect(file.metadata['__proto__']).toBe('p');
    expect(file.metadata.toString).toBe('t');
  });

  it('a dtype named toString is an unknown dtype', () => {
    const header = `{"w":{"dtype":"toString","shape":[1],"data_offsets":[0,4]}}`;
    expect(() => parseSafetensors(safetensorsWith(utf8(header), f32([1])), 'ts.safetensors'))
      .toThrow(/parseSafetensors: 'ts\.safetensors': tensor 'w' has unknown dtype "toString" \(the format's dtypes: BOOL/);
  });

  it('refuses a repeated tensor name instead of keeping the last', () => {
    const header = `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`;
    expect(() => parseSafetensors(safetensorsWith(utf8(header), f32([1, 2])), 'dup.safetensors'))
      .toThrow(/'dup\.safetensors': header is not valid JSON for safetensors: repeated key "w"/);
  });

  it('refuses invalid UTF-8 in the header', () => {
    const bytes = utf8(`{"w\u00e9":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`);
    const bad = Uint8Array.from(bytes);
    bad[bytes.indexOf(0xc3)] = 0xff; // the lead byte of é becomes a byte UTF-8 never uses
    expect(() => parseSafetensors(safetensorsWith(bad, f32([1])), 'utf8.safetensors')).toThrow(/'utf8\.safetensors': header is not valid UTF-8/);
  });

  it('stops counting past the entry cap, quickly', () => {
    const n = 200_000;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(`"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
    const header = utf8(`{${parts.join(',')}}`);
    const t0 = performance.now();
    expect(() => parseSafetensors(safetensorsWith(header), 'many.safetensors'))
      .toThrow(new RegExp(`'many\\.safetensors': header is not valid JSON for safetensors: more than ${MAX_HEADER_ENTRIES} entries`));
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('a file over 2 GiB is refused naming the file (a sparse file: no disk used)', () => {
    const file = path.join(tempDir('huge'), 'huge.safetensors');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 2 ** 31 + 8);
    expect(() => readSafetensors(file)).toThrow(/readSafetensors: '.*huge\.safetensors' is 2147483656 bytes, over the 2147483647-byte limit/);
  });
});
