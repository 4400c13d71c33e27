// safetensors (the Hugging Face format):
//   8 bytes   N, the header length, u64 little-endian
//   N bytes   UTF-8 JSON: { "<name>": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] },
//                           "__metadata__": { "<key>": "<string value>" } }
//             padded with spaces so that 8 + N is a multiple of 8
//   the rest  the data section: every tensor's raw little-endian bytes, offsets relative to its start.
// We write F32 and F64; we read F32, F64, F16/BF16 (widened to float32) and I64/I32 (as float32).

import { readRegularFile } from './read-file.js';
import { parseStrictJson, type JsonValue } from './strict-json.js';
import { writeFileAtomic } from './atomic.js';

export type SafetensorsWriteDtype = 'F32' | 'F64';
export type SafetensorsReadDtype = 'F32' | 'F64' | 'F16' | 'BF16' | 'I64' | 'I32';

export interface SafetensorsInput {
  dtype: SafetensorsWriteDtype;
  shape: number[];
  data: Float32Array | Float64Array;
}

export interface SafetensorsTensor {
  /** The dtype stored in the file (F16/BF16 come back as Float32Array data). */
  dtype: SafetensorsReadDtype;
  shape: number[];
  data: Float32Array | Float64Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** Bytes per element of every dtype the format defines (for validating sizes even of ones we cannot decode). */
const DTYPE_SIZE: ReadonlyMap<string, number> = new Map([
  ['BOOL', 1], ['U8', 1], ['I8', 1], ['F8_E5M2', 1], ['F8_E4M3', 1],
  ['I16', 2], ['U16', 2], ['F16', 2], ['BF16', 2],
  ['I32', 4], ['U32', 4], ['F32', 4],
  ['I64', 8], ['U64', 8], ['F64', 8],
]);

const METADATA_KEY = '__metadata__';

/** The largest header we accept (the reference implementation's limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * The most entries (tensors plus metadata keys) a header may hold. The format has no such cap,
 * but real files stay far below it: a whole 405-billion-parameter Llama has ~1,100 tensors, a
 * sharded file a few hundred. 65,536 leaves 50× room; a forged 59 MB header of 10⁶ entries is then
 * refused after 65,536 of them (0.9 s and +62 MB on a 2-core machine at load 15, bench/RESULTS.md),
 * where parsing it whole took 4.5 s and 1.35 GB.
 */
export const MAX_HEADER_ENTRIES = 65_536;

/** fatal: invalid UTF-8 in a name is an error, not a silent U+FFFD that could make two names equal. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A JSON value for an error message (Maps shown as objects), cut short. */
function describeJson(v: JsonValue | undefined): string {
  if (v === undefined) return 'none';
  const plain = (x: JsonValue): unknown => (x instanceof Map ? Object.fromEntries([...x].map(([k, y]) => [k, plain(y)])) : Array.isArray(x) ? x.map(plain) : x);
  const text = JSON.stringify(plain(v));
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Serialize tensors. Tensors are laid out by element size, largest first, then by name, as the
 * reference implementation does (for F32/F64 alone: F64 tensors, then F32, each sorted by name),
 * which keeps every tensor aligned to its element size within the data section.
 */
export function serializeSafetensors(
  tensors: Record<string, SafetensorsInput>,
  metadata?: Record<string, string>,
): Buffer {
  const names = Object.keys(tensors);
  for (const name of names) {
    if (name === METADATA_KEY) throw new Error(`serializeSafetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
    const t = tensors[name];
    if (t.dtype !== 'F32' && t.dtype !== 'F64') {
      throw new Error(`serializeSafetensors: tensor '${name}' has dtype '${String(t.dtype)}'; expected 'F32' or 'F64'`);
    }
    const wantCtor = t.dtype === 'F32' ? Float32Array : Float64Array;
    if (!(t.data instanceof wantCtor)) {
      throw new Error(`serializeSafetensors: tensor '${name}' is ${t.dtype} but its data is a ${t.data.constructor.name}, expected ${wantCtor.name}`);
    }
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`serializeSafetensors: tensor '${name}' has bad shape [${t.shape.join(', ')}]: dimensions must be non-negative integers`);
    }
    if (product(t.shape) !== t.data.length) {
      throw new Error(`serializeSafetensors: tensor '${name}' has shape [${t.shape.join(', ')}] (${product(t.shape)} elements) but ${t.data.length} values`);
    }
  }
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`serializeSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
  }
  names.sort((a, b) => {
    const sa = DTYPE_SIZE.get(tensors[a].dtype) ?? 0;
    const sb = DTYPE_SIZE.get(tensors[b].dtype) ?? 0;
    if (sa !== sb) return sb - sa;
    return a < b ? -1 : a > b ? 1 : 0;
  });

  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const end = offset + t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, end] };
    offset = end;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded > json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);

  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let pos = 8 + json.length;
  for (const name of names) {
    const d = tensors[name].data;
    // Typed arrays are little-endian on every platform Node runs on.
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

/** IEEE half → float (handles subnormals, infinities, NaN). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal: frac/1024 · 2^-14
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Parse and validate a safetensors file held in memory. */
export function parseSafetensors(buf: Uint8Array, fileName = '<buffer>'): SafetensorsFile {
  const fail = (what: string): never => { throw new Error(`parseSafetensors: '${fileName}': ${what}`); };
  if (buf.length < 8) fail(`truncated: ${buf.length} bytes, expected at least 8 for the header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(buf.length - 8)) fail(`header length ${n64} exceeds the ${buf.length - 8} bytes after the length field (truncated or not a safetensors file)`);
  const n = Number(n64);
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit`);
  if (n < 2) fail(`header length ${n} is too small to hold a JSON object`);
  let text: string;
  try {
    text = UTF8.decode(buf.subarray(8, 8 + n));
  } catch {
    return fail(`header is not valid UTF-8`);
  }
  if (!text.startsWith('{')) fail(`header does not start with '{' (not a safetensors file?)`);
  let header: JsonValue;
  try {
    header = parseStrictJson(text, { maxEntries: MAX_HEADER_ENTRIES, maxDepth: 4 });
  } catch (err) {
    return fail(`header is not valid JSON for safetensors: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!(header instanceof Map)) return fail(`header must be a JSON object`);
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;

  // A null-prototype object: a metadata key '__proto__' or 'toString' is just a key.
  const metadata = Object.create(null) as Record<string, string>;
  const entries: Entry[] = [];
  for (const [name, value] of header) {
    if (name === METADATA_KEY) {
      if (!(value instanceof Map)) fail(`'${METADATA_KEY}' must be an object of strings`);
      for (const [k, v] of value as Map<string, JsonValue>) {
        if (typeof v !== 'string') fail(`metadata '${k}' must be a string, got ${describeJson(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (!(value instanceof Map)) return fail(`tensor '${name}' must be an object with dtype, shape, data_offsets`);
    const dtype = value.get('dtype');
    const shape = value.get('shape');
    const offsets = value.get('data_offsets');
    const size = typeof dtype === 'string' ? DTYPE_SIZE.get(dtype) : undefined;
    if (size === undefined) fail(`tensor '${name}' has unknown dtype ${describeJson(dtype)} (the format's dtypes: ${[...DTYPE_SIZE.keys()].join(', ')})`);
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) fail(`tensor '${name}' has a bad shape ${describeJson(shape)}: expected an array of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor '${name}' has bad data_offsets ${describeJson(offsets)}: expected [begin, end] non-negative integers`);
    }
    const [begin, end] = offsets as number[];
    if (end < begin) fail(`tensor '${name}' has data_offsets [${begin}, ${end}] with end before begin`);
    if (end > dataLen) fail(`tensor '${name}' has data_offsets [${begin}, ${end}] past the end of the ${dataLen}-byte data section (file truncated?)`);
    const want = product(shape as number[]) * (size as number);
    if (end - begin !== want) {
      fail(`tensor '${name}' is ${dtype as string} with shape [${(shape as number[]).join(', ')}], which needs ${want} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    entries.push({ name, dtype: dtype as string, shape: shape as number[], begin, end });
  }

  // The tensors must tile the data section exactly: sorted by begin, each starts where the last ended.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  for (const e of byOffset) {
    if (e.begin < expectedBegin) fail(`tensor '${e.name}' at [${e.begin}, ${e.end}] overlaps the tensor before it (which ends at ${expectedBegin})`);
    if (e.begin > expectedBegin) fail(`gap in the data section: bytes [${expectedBegin}, ${e.begin}) belong to no tensor (before '${e.name}')`);
    expectedBegin = e.end;
  }
  if (expectedBegin !== dataLen) fail(`the tensors cover ${expectedBegin} bytes but the data section is ${dataLen} bytes`);

  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    const bytes = buf.subarray(dataStart + e.begin, dataStart + e.end);
    const count = product(e.shape);
    let data: Float32Array | Float64Array;
    if (e.dtype === 'F32' || e.dtype === 'F64') {
      const copy = new Uint8Array(bytes.length); // aligned copy; the source offset may be odd
      copy.set(bytes);
      data = e.dtype === 'F32' ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
    } else if (e.dtype === 'F16' || e.dtype === 'BF16') {
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const f = new Float32Array(count);
      if (e.dtype === 'F16') for (let i = 0; i < count; i++) f[i] = f16ToF32(dv.getUint16(2 * i, true));
      else {
        // bfloat16 is the top half of a float32.
        const u = new Uint32Array(f.buffer);
        for (let i = 0; i < count; i++) u[i] = dv.getUint16(2 * i, true) << 16;
      }
      data = f;
    } else if (e.dtype === 'I64' || e.dtype === 'I32') {
      // Integer buffers (PyTorch's BatchNorm num_batches_tracked is int64) load as float32 values.
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const f = new Float32Array(count);
      if (e.dtype === 'I32') for (let i = 0; i < count; i++) f[i] = dv.getInt32(4 * i, true);
      else for (let i = 0; i < count; i++) f[i] = Number(dv.getBigInt64(8 * i, true));
      data = f;
    } else {
      return fail(`tensor '${e.name}' has dtype ${e.dtype}, which tessera does not load; supported: F32, F64, F16, BF16, I64, I32`);
    }
    tensors.set(e.name, { dtype: e.dtype as SafetensorsReadDtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

/** Write a safetensors file atomically. */
export function writeSafetensors(
  filePath: string,
  tensors: Record<string, SafetensorsInput>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(filePath, serializeSafetensors(tensors, metadata));
}

/** Read and validate a safetensors file. */
export function readSafetensors(filePath: string): SafetensorsFile {
  return parseSafetensors(readRegularFile(filePath, 'readSafetensors'), filePath);
}
