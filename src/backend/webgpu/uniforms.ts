// Builds the bytes of a shader's uniform struct, field by field, in declaration order.
//
// WGSL's uniform layout rules that matter here: scalars (u32/i32/f32) are 4 bytes; a
// vec4<…> and an array<vec4<…>, N> start on a 16-byte boundary. The shaders put their
// vec4 arrays first and scalars after, so `vec4s` pads and `u32/i32/f32` just append.

export class UniformBuilder {
  private readonly bytes: ArrayBuffer;
  private readonly u32View: Uint32Array;
  private readonly i32View: Int32Array;
  private readonly f32View: Float32Array;
  private words = 0;

  constructor(maxBytes = 256) {
    this.bytes = new ArrayBuffer(maxBytes);
    this.u32View = new Uint32Array(this.bytes);
    this.i32View = new Int32Array(this.bytes);
    this.f32View = new Float32Array(this.bytes);
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`webgpu uniforms: ${v} is not a u32`);
    this.u32View[this.words++] = v;
    return this;
  }

  i32(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new Error(`webgpu uniforms: ${v} is not an i32`);
    this.i32View[this.words++] = v;
    return this;
  }

  f32(v: number): this {
    this.f32View[this.words++] = v;
    return this;
  }

  /** An array<vec4<i32>, count> holding `values` (padded with `fill`). */
  i32x4(values: readonly number[], count: number, fill = 0): this {
    this.words = Math.ceil(this.words / 4) * 4;
    for (let i = 0; i < count * 4; i++) this.i32(i < values.length ? values[i] : fill);
    return this;
  }

  /** The struct's bytes, padded to 16 (a uniform binding's size must be a multiple of 16). */
  finish(): Uint8Array {
    const size = Math.max(16, Math.ceil((this.words * 4) / 16) * 16);
    return new Uint8Array(this.bytes, 0, size);
  }
}
