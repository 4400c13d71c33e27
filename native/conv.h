// im2col / col2im: a 2-D convolution becomes a matrix product (and its adjoint).
#pragma once

namespace tessera {

struct ConvGeometry { long n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow; };

// x [n, c, h, w] → cols [n, c·kh·kw, oh·ow]; padding reads as zero.
void im2col(const float* x, float* cols, const ConvGeometry& g);
// cols [n, c·kh·kw, oh·ow] → out [n, c, h, w], overlapping patches summed (out overwritten).
void col2im(const float* cols, float* out, const ConvGeometry& g);

}  // namespace tessera
