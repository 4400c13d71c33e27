// im2col / col2im of the js backend: convolution becomes a matrix product.
import type { Conv2dGeometry, TypedArray } from '../backend.js';

// x [n, c, h, w] → cols [n, c·kh·kw, oh·ow]; padding reads as zero.
export function im2col(x: TypedArray, cols: TypedArray, g: Conv2dGeometry): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const ohw = oh * ow;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const xo = (b * c + ch) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const row = ((b * c + ch) * kh * kw + ki * kw + kj) * ohw;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - ph + ki * dh;
            const ro = row + oy * ow;
            if (iy < 0 || iy >= h) { for (let ox = 0; ox < ow; ox++) cols[ro + ox] = 0; continue; }
            const xr = xo + iy * w;
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * sw - pw + kj * dw;
              cols[ro + ox] = ix >= 0 && ix < w ? x[xr + ix] : 0;
            }
          }
        }
      }
    }
  }
}

// cols [n, c·kh·kw, oh·ow] → out [n, c, h, w]: the adjoint of im2col (overlaps add up).
export function col2im(cols: TypedArray, out: TypedArray, g: Conv2dGeometry): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const ohw = oh * ow;
  out.fill(0, 0, n * c * h * w);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const xo = (b * c + ch) * h * w;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const row = ((b * c + ch) * kh * kw + ki * kw + kj) * ohw;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - ph + ki * dh;
            if (iy < 0 || iy >= h) continue;
            const xr = xo + iy * w;
            const ro = row + oy * ow;
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * sw - pw + kj * dw;
              if (ix >= 0 && ix < w) out[xr + ix] += cols[ro + ox];
            }
          }
        }
      }
    }
  }
}
