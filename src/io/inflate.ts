// Decompression that a hostile file cannot turn into a memory bomb. A few megabytes of deflate
// can expand to gigabytes (zeros compress about 1000:1), so a reader must never inflate "all of
// it" and look afterwards: it learns the size the file's own header declares, then inflates at
// most that many bytes (zlib stops and throws at maxOutputLength) and refuses beyond it.

import { constants as zlibConstants, gunzipSync, inflateSync, type ZlibOptions } from 'node:zlib';

/**
 * deflate's largest expansion ratio: a 258-byte match coded in as little as ~2 bits, so about
 * 1032:1 (zlib's technical details; 1 MB of zeros gzips to ~1 KB). An input of n compressed bytes
 * can never hold more than MAX_DEFLATE_RATIO · n + this slack, however it is crafted.
 */
export const MAX_DEFLATE_RATIO = 1032;
const RATIO_SLACK = 1 << 16;

/** Node's largest Buffer (4 GiB on 64-bit): a declared size above it can never be read. */
const MAX_BUFFER_BYTES = 2 ** 32;

export type Codec = 'gzip' | 'zlib';

function run(codec: Codec, input: Uint8Array, options: ZlibOptions): Buffer {
  return codec === 'gzip' ? gunzipSync(input, options) : inflateSync(input, options);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The first `want` decompressed bytes (fewer when the stream is shorter), without inflating the
 * rest: ever longer prefixes of the input are decompressed with a sync flush (which returns what
 * a truncated stream yields) until enough comes out. Memory stays within ~1032× the prefix used.
 */
export function inflateHead(codec: Codec, input: Uint8Array, want: number, what: string): Buffer {
  for (let take = 256; ; take *= 4) {
    const part = input.subarray(0, Math.min(take, input.length));
    let out: Buffer;
    try {
      out = run(codec, part, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (err) {
      throw new Error(`${what} looks ${codec}-compressed but its start does not decompress: ${describe(err)}`, { cause: err });
    }
    if (out.length >= want || part.length === input.length) return out;
  }
}

/**
 * Decompress `input`, which its header says holds exactly `declared` bytes, never producing more.
 * Throws (with `what`, e.g. "readIdx: 'file.gz'") when it would decompress to more, when it
 * cannot possibly hold that many (truncated), or when `declared` is past what a Buffer can hold.
 * The result may be shorter than declared: the caller says what was truncated.
 */
export function inflateExactly(codec: Codec, input: Uint8Array, declared: number, what: string): Buffer {
  if (declared > MAX_BUFFER_BYTES) {
    throw new Error(`${what}: its header declares ${declared} decompressed bytes, more than the ${MAX_BUFFER_BYTES} one buffer can hold`);
  }
  if (declared > MAX_DEFLATE_RATIO * input.length + RATIO_SLACK) {
    throw new Error(`${what} is truncated: its header declares ${declared} decompressed bytes, but ${input.length} compressed bytes can hold at most ~${MAX_DEFLATE_RATIO * input.length + RATIO_SLACK}`);
  }
  try {
    return run(codec, input, { maxOutputLength: Math.max(1, declared) });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`${what} decompresses to more than the ${declared} bytes its header declares (trailing data, or a decompression bomb); refused`, { cause: err });
    }
    throw new Error(`${what} looks ${codec}-compressed but could not be decompressed: ${describe(err)}`, { cause: err });
  }
}
