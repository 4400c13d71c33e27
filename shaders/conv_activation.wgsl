// The epilogue of conv_forward and conv_backward_data (pasted in by #include): the activation
// applied to each output after its bias, as matmul_common.wgsl's. ACT: the activation's code
// (ACTIVATIONS in src/backend/opcodes.ts); relu keeps NaN, like the js backend and PyTorch.

#include "math.wgsl"

const ACT: u32 = {{ACT}}u;

fn activate(s: f32) -> f32 {
  switch (ACT) {
    case {{ACT_RELU}}u: { return relu_f32(s); }
    case {{ACT_SIGMOID}}u: { return sigmoid_f32(s); }
    case {{ACT_TANH}}u: { return tanh_f32(s); }
    default: { return s; }
  }
}
