// The direct convolution and max pooling kernels (native/conv_direct.cc) of the native addon and
// of the wasm module (src/backend/wasm/, which passes its exports in the addon's shape):
// bounds checked here, then the kernels run in place on the Float32Array storage.
import type { Backend, Conv2dGeometry } from './backend.js';
import { activationCode } from './opcodes.js';
import type { NativeAddon } from './native/addon.js';

type F32 = Float32Array;
type ConvMethods = Required<Pick<Backend<F32>, 'conv2d' | 'conv2dMaxPool' | 'conv2dBackwardData' | 'conv2dBackwardWeight'
  | 'conv2dMaxPoolBackwardWeight' | 'maxPool2d' | 'maxPool2dBackward'>>;
/** What runs them: the addon's five conv_direct.cc entry points (convForward and convBackwardWeight with argmax: conv2dMaxPool's). */
export type ConvRunner = Pick<NativeAddon, 'convForward' | 'convBackwardData' | 'convBackwardWeight' | 'maxPool' | 'maxPoolBackward'>;

export function convKernels(addon: ConvRunner, need: (op: string, what: string, have: number, want: number) => void,
  writeGeometry: (g: Conv2dGeometry) => Float64Array): ConvMethods {
  return {
    conv2d(x, weight, bias, y, g, cout, act = 'none') {
      need('conv2d', 'x', x.length, g.n * g.c * g.h * g.w);
      need('conv2d', 'weight', weight.length, cout * g.c * g.kh * g.kw);
      if (bias !== null) need('conv2d', 'bias', bias.length, cout);
      need('conv2d', 'y', y.length, g.n * cout * g.oh * g.ow);
      addon.convForward(x, weight, bias, y, writeGeometry(g), cout, activationCode('conv2d', act));
    },

    conv2dMaxPool(x, weight, bias, y, argmax, g, cout, act = 'none') {
      need('conv2dMaxPool', 'x', x.length, g.n * g.c * g.h * g.w);
      need('conv2dMaxPool', 'weight', weight.length, cout * g.c * g.kh * g.kw);
      if (bias !== null) need('conv2dMaxPool', 'bias', bias.length, cout);
      const pooled = g.n * cout * Math.floor(g.oh / 2) * Math.floor(g.ow / 2);
      need('conv2dMaxPool', 'y', y.length, pooled);
      need('conv2dMaxPool', 'argmax', argmax.length, pooled);
      addon.convForward(x, weight, bias, y, writeGeometry(g), cout, activationCode('conv2dMaxPool', act), false, argmax);
    },

    conv2dBackwardData(gy, weight, bias, gx, g, cout, act = 'none') {
      need('conv2dBackwardData', 'gy', gy.length, g.n * cout * g.oh * g.ow);
      need('conv2dBackwardData', 'weight', weight.length, cout * g.c * g.kh * g.kw);
      if (bias !== null) need('conv2dBackwardData', 'bias', bias.length, g.c);
      need('conv2dBackwardData', 'gx', gx.length, g.n * g.c * g.h * g.w);
      addon.convBackwardData(gy, weight, bias, gx, writeGeometry(g), cout, activationCode('conv2dBackwardData', act));
    },

    conv2dBackwardWeight(x, gy, gw, gbias, g, cout) {
      need('conv2dBackwardWeight', 'x', x.length, g.n * g.c * g.h * g.w);
      need('conv2dBackwardWeight', 'gy', gy.length, g.n * cout * g.oh * g.ow);
      need('conv2dBackwardWeight', 'gw', gw.length, cout * g.c * g.kh * g.kw);
      if (gbias !== null) need('conv2dBackwardWeight', 'gbias', gbias.length, cout);
      addon.convBackwardWeight(x, gy, gw, gbias, writeGeometry(g), cout);
    },

    conv2dMaxPoolBackwardWeight(x, gy, argmax, gw, gbias, g, cout, y, act = 'none') {
      const pooled = g.n * cout * Math.floor(g.oh / 2) * Math.floor(g.ow / 2);
      need('conv2dMaxPoolBackwardWeight', 'x', x.length, g.n * g.c * g.h * g.w);
      need('conv2dMaxPoolBackwardWeight', 'gy', gy.length, pooled);
      need('conv2dMaxPoolBackwardWeight', 'argmax', argmax.length, pooled);
      need('conv2dMaxPoolBackwardWeight', 'gw', gw.length, cout * g.c * g.kh * g.kw);
      if (gbias !== null) need('conv2dMaxPoolBackwardWeight', 'gbias', gbias.length, cout);
      if (act !== 'none') need('conv2dMaxPoolBackwardWeight', 'y', y?.length ?? 0, pooled);
      addon.convBackwardWeight(x, gy, gw, gbias, writeGeometry(g), cout, false, argmax, act === 'none' ? null : y, activationCode('conv2dMaxPoolBackwardWeight', act));
    },

    maxPool2d(x, y, argmax, g) {
      need('maxPool2d', 'x', x.length, g.n * g.c * g.h * g.w);
      need('maxPool2d', 'y', y.length, g.n * g.c * g.oh * g.ow);
      need('maxPool2d', 'argmax', argmax.length, g.n * g.c * g.oh * g.ow);
      addon.maxPool(x, y, argmax, writeGeometry(g));
    },

    maxPool2dBackward(gy, argmax, gx, g) {
      need('maxPool2dBackward', 'gy', gy.length, g.n * g.c * g.oh * g.ow);
      need('maxPool2dBackward', 'argmax', argmax.length, g.n * g.c * g.oh * g.ow);
      need('maxPool2dBackward', 'gx', gx.length, g.n * g.c * g.h * g.w);
      addon.maxPoolBackward(gy, argmax, gx, writeGeometry(g));
    },
  };
}
