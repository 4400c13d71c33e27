// Direct 2-D convolution (forward, input gradient, weight gradient) and max pooling with its
// argmax, for the small channel counts of the autoencoders: no im2col matrix, no per-image GEMM.
#pragma once
#include "conv.h"
#include "isa.h"

namespace tessera {

// x [n, c, h, w] ⋆ w [cout, c, kh, kw] (+ bias [cout]) → y [n, cout, oh, ow] (PyTorch's Conv2d),
// then act (an ActCode) on each stored output, per image while it is in cache. With argmax:
// y [n, cout, oh/2, ow/2] is act of that map's 2×2, stride-2 max pool (no act: the pool), and argmax
// its indices as maxPoolForward gives them, without the map being stored.
void convForward(const IsaKernels* K, const float* x, const float* w, const float* bias, float* y,
    const ConvGeometry& g, long cout, int act = ACT_NONE, float* argmax = nullptr);
// gy [n, cout, oh, ow], w [cout, c, kh, kw] → gx [n, c, h, w] (overwritten) + bias [c] if given:
// the adjoint of convForward in x, which is also ConvTranspose2d's forward; then act as convForward.
void convBackwardData(const IsaKernels* K, const float* gy, const float* w, const float* bias, float* gx,
    const ConvGeometry& g, long cout, int act = ACT_NONE);
// x [n, c, h, w], gy [n, cout, oh, ow] → gw [cout, c, kh, kw] (overwritten), and gbias [cout] =
// Σ gy per channel when gbias is not null. With argmax, gy [n, cout, oh/2, ow/2] is the gradient of
// convForward's pooled output (with act: pooledY, whose gradient goes through act' first) and the
// map's gradient is made per image in cache, as maxPoolBackward would store it.
void convBackwardWeight(const IsaKernels* K, const float* x, const float* gy, float* gw, float* gbias,
    const ConvGeometry& g, long cout, const float* argmax = nullptr, const float* pooledY = nullptr, int act = ACT_NONE);
// The output channels convBackwardWeight takes at a time (its channel group) for c input channels,
// taps = kh·kw, with or without a bias: as many as fit its lane scratch, a multiple of 8, at least 8.
long convWeightGroup(long c, long taps, bool bias, long cout);

// Naive references (a loop per output element, double sums): the tests' second opinion.
void convForwardNaive(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g, long cout);
void convBackwardDataNaive(const float* gy, const float* w, const float* bias, float* gx, const ConvGeometry& g, long cout);
void convBackwardWeightNaive(const float* x, const float* gy, float* gw, float* gbias, const ConvGeometry& g, long cout);

// Max over each window of x [n, c, h, w] (g.c channels; padding excluded from the max, as
// PyTorch's −∞ padding) → y [n, c, oh, ow], and argmax [n, c, oh, ow]: the index iy·w + ix in
// its plane of the first maximum (NaN wins, as in PyTorch), stored as a float.
void maxPoolForward(const IsaKernels* K, const float* x, float* y, float* argmax, const ConvGeometry& g);
// gx [n, c, h, w] = Σ over windows of gy routed to their argmax (overwrites gx).
void maxPoolBackward(const float* gy, const float* argmax, float* gx, const ConvGeometry& g);

}  // namespace tessera
