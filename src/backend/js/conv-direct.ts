// Direct convolution and max pooling of the js backend: a loop per output element with the sum
// in double, the reference every other backend's kernels are tested against.
import type { Activation, Conv2dGeometry, TypedArray } from '../backend.js';
import { applyEpilogue } from './matmul.js';

export function conv2d(x: TypedArray, weight: TypedArray, bias: TypedArray | null, y: TypedArray, g: Conv2dGeometry, cout: number,
  activation: Activation = 'none'): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  for (let b = 0; b < n; b++) {
    for (let co = 0; co < cout; co++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = bias ? bias[co] : 0;
          for (let ci = 0; ci < c; ci++) {
            for (let ki = 0; ki < kh; ki++) {
              const iy = oy * sh - ph + ki * dh;
              if (iy < 0 || iy >= h) continue;
              for (let kj = 0; kj < kw; kj++) {
                const ix = ox * sw - pw + kj * dw;
                if (ix < 0 || ix >= w) continue;
                s += weight[((co * c + ci) * kh + ki) * kw + kj] * x[((b * c + ci) * h + iy) * w + ix];
              }
            }
          }
          y[((b * cout + co) * oh + oy) * ow + ox] = s;
        }
      }
    }
  }
  if (activation !== 'none') applyEpilogue(y, 0, 1, n * cout * oh * ow, undefined, activation);
}

export function conv2dBackwardData(gy: TypedArray, weight: TypedArray, bias: TypedArray | null, gx: TypedArray, g: Conv2dGeometry, cout: number,
  activation: Activation = 'none'): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const acc = new Float64Array(n * c * h * w);
  if (bias) for (let i = 0; i < acc.length; i++) acc[i] = bias[Math.floor(i / (h * w)) % c];
  for (let b = 0; b < n; b++) {
    for (let co = 0; co < cout; co++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const gv = gy[((b * cout + co) * oh + oy) * ow + ox];
          for (let ci = 0; ci < c; ci++) {
            for (let ki = 0; ki < kh; ki++) {
              const iy = oy * sh - ph + ki * dh;
              if (iy < 0 || iy >= h) continue;
              for (let kj = 0; kj < kw; kj++) {
                const ix = ox * sw - pw + kj * dw;
                if (ix < 0 || ix >= w) continue;
                acc[((b * c + ci) * h + iy) * w + ix] += gv * weight[((co * c + ci) * kh + ki) * kw + kj];
              }
            }
          }
        }
      }
    }
  }
  gx.set(acc);
  if (activation !== 'none') applyEpilogue(gx, 0, 1, acc.length, undefined, activation);
}

export function conv2dBackwardWeight(x: TypedArray, gy: TypedArray, gw: TypedArray, gbias: TypedArray | null, g: Conv2dGeometry, cout: number): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  if (gbias) {
    for (let co = 0; co < cout; co++) {
      let s = 0;
      for (let b = 0; b < n; b++) for (let p = 0; p < oh * ow; p++) s += gy[(b * cout + co) * oh * ow + p];
      gbias[co] = s;
    }
  }
  for (let co = 0; co < cout; co++) {
    for (let ci = 0; ci < c; ci++) {
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          let s = 0;
          for (let b = 0; b < n; b++) {
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy * sh - ph + ki * dh;
              if (iy < 0 || iy >= h) continue;
              for (let ox = 0; ox < ow; ox++) {
                const ix = ox * sw - pw + kj * dw;
                if (ix < 0 || ix >= w) continue;
                s += gy[((b * cout + co) * oh + oy) * ow + ox] * x[((b * c + ci) * h + iy) * w + ix];
              }
            }
          }
          gw[((co * c + ci) * kh + ki) * kw + kj] = s;
        }
      }
    }
  }
}

export function maxPool2d(x: TypedArray, y: TypedArray, argmax: TypedArray, g: Conv2dGeometry): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  for (let p = 0; p < n * c; p++) {
    const xo = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity, at = -1;
        scan: for (let ki = 0; ki < kh; ki++) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * sw - pw + kj * dw;
            if (ix < 0 || ix >= w) continue;
            const v = x[xo + iy * w + ix];
            if (at < 0 || v > best || Number.isNaN(v)) {
              best = v; at = iy * w + ix;
              if (Number.isNaN(v)) break scan;
            }
          }
        }
        const o = (p * oh + oy) * ow + ox;
        y[o] = best;
        argmax[o] = at;
      }
    }
  }
}

export function maxPool2dBackward(gy: TypedArray, argmax: TypedArray, gx: TypedArray, g: Conv2dGeometry): void {
  const { n, c, h, w, oh, ow } = g;
  gx.fill(0, 0, n * c * h * w);
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < oh * ow; i++) {
      const at = argmax[p * oh * ow + i];
      if (at >= 0) gx[p * h * w + at] += gy[p * oh * ow + i];
    }
  }
}
