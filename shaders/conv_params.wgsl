// The uniform of the direct convolution and max-pooling shaders (pasted in by #include): the
// Conv2dGeometry of src/backend/backend.ts in its order, then the output channels and the number
// of output elements (threads with work). src/backend/webgpu/kernels-conv.ts writes it.
struct Params {
  n: u32, c: u32, h: u32, w: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  ph: u32, pw: u32, dh: u32, dw: u32,
  oh: u32, ow: u32, cout: u32, total: u32,
}
