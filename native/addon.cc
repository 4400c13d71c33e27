// Registration only: unpacks JS arguments (Float32Array storage is read and written in place,
// zero-copy) and calls the kernel families. Argument order and meaning are documented in
// src/backend/native/addon.ts (the NativeAddon interface), the only caller.
#include <napi.h>
#include <string>
#include <vector>
#include "conv.h"
#include "conv_direct.h"
#include "cpu_features.h"
#include "elementwise.h"
#include "gather.h"
#include "gemm.h"
#include "optim.h"
#include "peak.h"
#include "random.h"
#include "reduce.h"
#include "thread_pool.h"

namespace {
using namespace tessera;

// The data pointer of a Float32Array (or Float64Array for `meta`), without copying.
template <typename T>
T* data(const Napi::CallbackInfo& info, size_t i, const char* fn, napi_typedarray_type want = napi_float32_array) {
  napi_typedarray_type type;
  size_t length;
  void* ptr = nullptr;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(info.Env(), info[i], &type, &length, &ptr, &ab, &offset) != napi_ok || type != want) {
    throw Napi::TypeError::New(info.Env(), std::string("tessera native ") + fn + ": argument " + std::to_string(i) +
        (want == napi_float32_array ? " must be a Float32Array" : " must be a Float64Array"));
  }
  return static_cast<T*>(ptr);
}

template <typename T>
T* dataOrNull(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  if (info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  return data<T>(info, i, fn);
}

inline double num(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }
inline long lng(const Napi::CallbackInfo& info, size_t i) { return static_cast<long>(info[i].As<Napi::Number>().Int64Value()); }
inline bool flag(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Boolean>().Value(); }

// conv's argmax argument at i (conv2dMaxPool's), or null when the call has none. Told apart by the
// JavaScript value, not the pointer (an empty array's may be null); refused where there is nothing to
// pool (a map under 2×2: the op refuses such inputs first) and with the reference loops (no pooled form).
template <typename T>
T* convArgmax(const Napi::CallbackInfo& info, size_t i, const ConvGeometry& g, bool naive, const char* fn) {
  if (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  if (naive) throw Napi::RangeError::New(info.Env(), std::string("tessera native ") + fn + ": naive has no pooled form (argmax must be null)");
  if (g.oh < 2 || g.ow < 2) {
    throw Napi::RangeError::New(info.Env(), std::string("tessera native ") + fn + ": a " + std::to_string(g.oh) + "×" + std::to_string(g.ow) + " map has no 2×2 pool");
  }
  return data<T>(info, i, fn);
}

// unary(op, x, out, size, alpha, beta)
void Unary(const Napi::CallbackInfo& info) {
  unary(activeKernels(), static_cast<int>(lng(info, 0)), data<const float>(info, 1, "unary"),
      data<float>(info, 2, "unary"), lng(info, 3), num(info, 4), num(info, 5));
}

// activationGrad(act: ActCode, y, g, out, size)
void ActivationGrad(const Napi::CallbackInfo& info) {
  if (!activationGrad(activeKernels(), static_cast<int>(lng(info, 0)), data<const float>(info, 1, "activationGrad"),
          data<const float>(info, 2, "activationGrad"), data<float>(info, 3, "activationGrad"), lng(info, 4)))
    throw Napi::RangeError::New(info.Env(), "tessera native activationGrad: unknown activation code (expected ACT_RELU, ACT_SIGMOID or ACT_TANH)");
}

// binary(op, a, b, out, meta: Float64Array [rank, outShape, aStrides, bStrides])
void Binary(const Napi::CallbackInfo& info) {
  if (!binary(activeKernels(), static_cast<int>(lng(info, 0)), data<const float>(info, 1, "binary"),
          data<const float>(info, 2, "binary"), data<float>(info, 3, "binary"),
          data<const double>(info, 4, "binary", napi_float64_array)))
    throw Napi::RangeError::New(info.Env(), "tessera native binary: rank above 16");
}

// bceLogitsWithGrad(z, x, loss, grad, size)
void BceLogitsWithGrad(const Napi::CallbackInfo& info) {
  bceLogitsWithGrad(activeKernels(), data<const float>(info, 0, "bceLogitsWithGrad"), data<const float>(info, 1, "bceLogitsWithGrad"),
      data<float>(info, 2, "bceLogitsWithGrad"), data<float>(info, 3, "bceLogitsWithGrad"), lng(info, 4));
}

// where(cond, a, b, out, meta [rank, outShape, condStrides, aStrides, bStrides])
void Where(const Napi::CallbackInfo& info) {
  if (!where(data<const float>(info, 0, "where"), data<const float>(info, 1, "where"), data<const float>(info, 2, "where"),
          data<float>(info, 3, "where"), data<const double>(info, 4, "where", napi_float64_array)))
    throw Napi::RangeError::New(info.Env(), "tessera native where: rank above 16");
}

// copy(src, dst, meta [rank, srcOffset, dstOffset, shape, srcStrides, dstStrides])
void Copy(const Napi::CallbackInfo& info) {
  if (!copy(data<const float>(info, 0, "copy"), data<float>(info, 1, "copy"),
          data<const double>(info, 2, "copy", napi_float64_array)))
    throw Napi::RangeError::New(info.Env(), "tessera native copy: rank above 16");
}

// reduce(op, x, out, outer, size, inner)
void Reduce(const Napi::CallbackInfo& info) {
  if (!reduce(activeKernels(), static_cast<int>(lng(info, 0)), data<const float>(info, 1, "reduce"),
          data<float>(info, 2, "reduce"), lng(info, 3), lng(info, 4), lng(info, 5)))
    throw Napi::RangeError::New(info.Env(), "tessera native reduce: unknown op code");
}

// softmax(x, out, outer, size, inner, log)
void Softmax(const Napi::CallbackInfo& info) {
  softmax(activeKernels(), data<const float>(info, 0, "softmax"), data<float>(info, 1, "softmax"), lng(info, 2),
      lng(info, 3), lng(info, 4), flag(info, 5));
}

BatchedGemm gemmArgs(const Napi::CallbackInfo& info, const char* fn) {
  // (a, b, out, batch, m, n, k, transA, transB, strideA, strideB, bias?, act?)
  BatchedGemm g;
  g.a = data<const float>(info, 0, fn);
  g.b = data<const float>(info, 1, fn);
  g.out = data<float>(info, 2, fn);
  g.batch = lng(info, 3); g.m = lng(info, 4); g.n = lng(info, 5); g.k = lng(info, 6);
  g.transA = flag(info, 7); g.transB = flag(info, 8);
  g.strideA = lng(info, 9); g.strideB = lng(info, 10);
  g.bias = info.Length() > 11 ? dataOrNull<const float>(info, 11, fn) : nullptr;
  g.act = info.Length() > 12 ? static_cast<int>(lng(info, 12)) : ACT_NONE;
  return g;
}

void Matmul(const Napi::CallbackInfo& info) { gemmBatched(activeKernels(), gemmArgs(info, "matmul")); }
void MatmulNaive(const Napi::CallbackInfo& info) { gemmNaive(gemmArgs(info, "gemmNaive")); }
// gemmSplit(batch, m, n, k, transA, transB, threads) → [partsM, partsN]: how matmul splits that product
// with the active ISA at that thread count ([1, 1]: one block per batch item).
Napi::Value GemmSplitOf(const Napi::CallbackInfo& info) {
  const GemmSplit s = gemmSplit(activeKernels(), lng(info, 0), lng(info, 1), lng(info, 2), lng(info, 3), flag(info, 4), flag(info, 5),
      static_cast<int>(lng(info, 6)));
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Number::New(info.Env(), static_cast<double>(s.partsM)));
  out.Set(1u, Napi::Number::New(info.Env(), static_cast<double>(s.partsN)));
  return out;
}

// convWeightGroup(c, taps, bias, cout) → the channels a conv weight gradient takes at a time (conv_direct.h).
Napi::Value ConvWeightGroupOf(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(convWeightGroup(lng(info, 0), lng(info, 1), flag(info, 2), lng(info, 3))));
}

// parallelForOwners(tasks, spin) → Int32Array: the worker that ran each task of one pool job (thread_pool.h).
Napi::Value ParallelForOwnersOf(const Napi::CallbackInfo& info) {
  const long tasks = lng(info, 0), spin = lng(info, 1);
  if (tasks < 0 || tasks > 4096 || spin < 0) {
    throw Napi::RangeError::New(info.Env(), "parallelForOwners: expected 0 <= tasks <= 4096 and spin >= 0, got " +
        std::to_string(tasks) + " and " + std::to_string(spin));
  }
  Napi::Int32Array owners = Napi::Int32Array::New(info.Env(), static_cast<size_t>(tasks));
  parallelForOwners(owners.Data(), tasks, spin);
  return owners;
}

ConvGeometry geometry(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  const double* m = data<const double>(info, i, fn, napi_float64_array);
  return ConvGeometry{static_cast<long>(m[0]), static_cast<long>(m[1]), static_cast<long>(m[2]), static_cast<long>(m[3]),
      static_cast<long>(m[4]), static_cast<long>(m[5]), static_cast<long>(m[6]), static_cast<long>(m[7]),
      static_cast<long>(m[8]), static_cast<long>(m[9]), static_cast<long>(m[10]), static_cast<long>(m[11]),
      static_cast<long>(m[12]), static_cast<long>(m[13])};
}

// im2col(x, cols, geometry [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]); col2im(cols, out, geometry)
void Im2col(const Napi::CallbackInfo& info) {
  im2col(data<const float>(info, 0, "im2col"), data<float>(info, 1, "im2col"), geometry(info, 2, "im2col"));
}
void Col2im(const Napi::CallbackInfo& info) {
  col2im(data<const float>(info, 0, "col2im"), data<float>(info, 1, "col2im"), geometry(info, 2, "col2im"));
}

// convForward(x, w, bias | null, y, geometry, cout), convBackwardData(gy, w, bias | null, gx,
// geometry, cout), convBackwardWeight(x, gy, gw, gbias | null, geometry, cout): geometry as
// im2col's, c the input channels.
// convForward and convBackwardData take an ActCode after cout (the epilogue; ACT_NONE if absent).
// naive (after it): 1 runs the double-sum reference loops instead (tests, benchmarks), then the
// same epilogue kernel. convForward's argmax (after naive; null: none) pools y 2×2 (then act), and
// convBackwardWeight's (after naive) takes gy as that pooled output's gradient, followed by the
// pooled output and the ActCode it went through (conv_direct.h); see convArgmax.
void ConvForward(const Napi::CallbackInfo& info) {
  const ConvGeometry g = geometry(info, 4, "convForward");
  const float* x = data<const float>(info, 0, "convForward");
  const float* w = data<const float>(info, 1, "convForward");
  const float* bias = dataOrNull<const float>(info, 2, "convForward");
  float* y = data<float>(info, 3, "convForward");
  const int act = info.Length() > 6 ? static_cast<int>(lng(info, 6)) : ACT_NONE;
  const bool naive = info.Length() > 7 && flag(info, 7);
  float* argmax = convArgmax<float>(info, 8, g, naive, "convForward");
  if (argmax != nullptr) {
    convForward(activeKernels(), x, w, bias, y, g, lng(info, 5), act, argmax);
  } else if (naive) {
    convForwardNaive(x, w, bias, y, g, lng(info, 5));
    if (act != ACT_NONE) activeKernels()->epilogue(y, 0, 1, g.n * lng(info, 5) * g.oh * g.ow, nullptr, act);
  } else {
    convForward(activeKernels(), x, w, bias, y, g, lng(info, 5), act);
  }
}
void ConvBackwardData(const Napi::CallbackInfo& info) {
  const ConvGeometry g = geometry(info, 4, "convBackwardData");
  const float* gy = data<const float>(info, 0, "convBackwardData");
  const float* w = data<const float>(info, 1, "convBackwardData");
  const float* bias = dataOrNull<const float>(info, 2, "convBackwardData");
  float* gx = data<float>(info, 3, "convBackwardData");
  const int act = info.Length() > 6 ? static_cast<int>(lng(info, 6)) : ACT_NONE;
  if (info.Length() > 7 && flag(info, 7)) {
    convBackwardDataNaive(gy, w, bias, gx, g, lng(info, 5));
    if (act != ACT_NONE) activeKernels()->epilogue(gx, 0, 1, g.n * g.c * g.h * g.w, nullptr, act);
  } else {
    convBackwardData(activeKernels(), gy, w, bias, gx, g, lng(info, 5), act);
  }
}
void ConvBackwardWeight(const Napi::CallbackInfo& info) {
  const ConvGeometry g = geometry(info, 4, "convBackwardWeight");
  const float* x = data<const float>(info, 0, "convBackwardWeight");
  const float* gy = data<const float>(info, 1, "convBackwardWeight");
  float* gw = data<float>(info, 2, "convBackwardWeight");
  float* gbias = dataOrNull<float>(info, 3, "convBackwardWeight");
  const bool naive = info.Length() > 6 && flag(info, 6);
  const float* argmax = convArgmax<const float>(info, 7, g, naive, "convBackwardWeight");
  const float* pooledY = info.Length() > 8 ? dataOrNull<const float>(info, 8, "convBackwardWeight") : nullptr;
  const int act = pooledY != nullptr && info.Length() > 9 ? static_cast<int>(lng(info, 9)) : ACT_NONE;
  if (naive) convBackwardWeightNaive(x, gy, gw, gbias, g, lng(info, 5));
  else convBackwardWeight(activeKernels(), x, gy, gw, gbias, g, lng(info, 5), argmax, pooledY, act);
}

// maxPool(x, y, argmax, geometry); maxPoolBackward(gy, argmax, gx, geometry)
void MaxPool(const Napi::CallbackInfo& info) {
  maxPoolForward(activeKernels(), data<const float>(info, 0, "maxPool"), data<float>(info, 1, "maxPool"), data<float>(info, 2, "maxPool"),
      geometry(info, 3, "maxPool"));
}
void MaxPoolBackward(const Napi::CallbackInfo& info) {
  maxPoolBackward(data<const float>(info, 0, "maxPoolBackward"), data<const float>(info, 1, "maxPoolBackward"),
      data<float>(info, 2, "maxPoolBackward"), geometry(info, 3, "maxPoolBackward"));
}

// sgd(param, grad, buf?, size, lr, momentum, dampening, weightDecay, sign, nesterov, firstStep)
void Sgd(const Napi::CallbackInfo& info) {
  float* buf = dataOrNull<float>(info, 2, "sgdStep");
  SgdArgs a{num(info, 4), num(info, 5), num(info, 6), num(info, 7), num(info, 8), flag(info, 9), flag(info, 10), buf != nullptr};
  sgdStep(activeKernels(), data<float>(info, 0, "sgdStep"), data<const float>(info, 1, "sgdStep"), buf, lng(info, 3), a);
}

// adam(param, grad, m, v, vMax?, size, lr, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt, decoupled)
void Adam(const Napi::CallbackInfo& info) {
  AdamArgs a{num(info, 6), num(info, 7), num(info, 8), num(info, 9), num(info, 10), num(info, 11), num(info, 12), flag(info, 13)};
  adamStep(activeKernels(), data<float>(info, 0, "adamStep"), data<const float>(info, 1, "adamStep"),
      data<float>(info, 2, "adamStep"), data<float>(info, 3, "adamStep"), dataOrNull<float>(info, 4, "adamStep"),
      lng(info, 5), a);
}

// adamMany(params[], grads[], ms[], vs[], vMaxs[]?, sizes[], lr, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt,
// decoupled): adam over every slot i in one call (one optimizer group; the slots share the step count).
void AdamMany(const Napi::CallbackInfo& info) {
  AdamArgs a{num(info, 6), num(info, 7), num(info, 8), num(info, 9), num(info, 10), num(info, 11), num(info, 12), flag(info, 13)};
  const Napi::Env env = info.Env();
  auto list = [&](size_t i) { return info[i].As<Napi::Array>(); };
  const Napi::Array params = list(0), grads = list(1), ms = list(2), vs = list(3), sizes = list(5);
  const bool amsgrad = !info[4].IsNull() && !info[4].IsUndefined();
  const uint32_t count = params.Length();
  if (grads.Length() != count || ms.Length() != count || vs.Length() != count || sizes.Length() != count ||
      (amsgrad && list(4).Length() != count))
    throw Napi::RangeError::New(env, "tessera native adamMany: the slot arrays differ in length");
  auto at = [&](const Napi::Array& arr, uint32_t i) {
    Napi::Value x = arr.Get(i);
    if (!x.IsTypedArray() || x.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env, "tessera native adamMany: every slot must hold Float32Arrays");
    return x.As<Napi::Float32Array>().Data();
  };
  std::vector<AdamSlot> slots(count);
  for (uint32_t i = 0; i < count; i++) {
    slots[i] = AdamSlot{at(params, i), at(grads, i), at(ms, i), at(vs, i), amsgrad ? at(list(4), i) : nullptr,
        static_cast<long>(sizes.Get(i).As<Napi::Number>().Int64Value())};
  }
  adamSteps(activeKernels(), slots.data(), count, a);
}

// random(kind: RandomCode, out, size, key0, key1, counter, mean, std, threshold, value, x?, low, high)
// (x: gaussianNoise's input, null for the other kinds; its length checked by kernelChecks)
void Random(const Napi::CallbackInfo& info) {
  RandomArgs a{static_cast<uint32_t>(lng(info, 3)), static_cast<uint32_t>(lng(info, 4)), static_cast<uint64_t>(lng(info, 5)),
      num(info, 6), num(info, 7), static_cast<uint32_t>(lng(info, 8)), static_cast<float>(num(info, 9))};
  if (info.Length() > 12) {
    a.x = dataOrNull<const float>(info, 10, "random");
    a.low = static_cast<float>(num(info, 11)); a.high = static_cast<float>(num(info, 12));
  }
  const int kind = static_cast<int>(lng(info, 0));
  if (kind == RNG_GAUSSIAN_NOISE && a.x == nullptr) throw Napi::TypeError::New(info.Env(), "tessera native random: gaussianNoise needs its input x");
  if (!randomFill(activeKernels(), kind, data<float>(info, 1, "random"), lng(info, 2), a))
    throw Napi::RangeError::New(info.Env(), "tessera native random: unknown kind (expected a RandomCode of native/isa.h)");
}

// reparameterize(stats, eps, z, kl, rows, latent); reparameterizeBackward(stats, eps, dz?, dkl?, dstats, rows, latent)
// (lengths checked in src/backend/native/index.ts). rows · latent is small (a batch of codes): one thread.
void Reparameterize(const Napi::CallbackInfo& info) {
  activeKernels()->reparameterize(data<const float>(info, 0, "reparameterize"), data<const float>(info, 1, "reparameterize"),
      data<float>(info, 2, "reparameterize"), data<float>(info, 3, "reparameterize"), lng(info, 4), lng(info, 5));
}
void ReparameterizeBackward(const Napi::CallbackInfo& info) {
  const char* fn = "reparameterizeBackward";
  activeKernels()->reparameterizeBackward(data<const float>(info, 0, fn), data<const float>(info, 1, fn),
      dataOrNull<const float>(info, 2, fn), dataOrNull<const float>(info, 3, fn), data<float>(info, 4, fn), lng(info, 5), lng(info, 6));
}

// A typed array's data pointer and element count, checked against the expected type.
template <typename T>
T* typed(const Napi::CallbackInfo& info, size_t i, const char* fn, napi_typedarray_type want, const char* what, size_t* length) {
  napi_typedarray_type type;
  void* ptr = nullptr;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(info.Env(), info[i], &type, length, &ptr, &ab, &offset) != napi_ok || type != want) {
    throw Napi::TypeError::New(info.Env(), std::string("tessera native ") + fn + ": argument " + std::to_string(i) + " must be a " + what);
  }
  return static_cast<T*>(ptr);
}

// The arguments (src: Uint8Array, rowSize, rows: Uint32Array, divisor, out: Float32Array) of gatherBytes
// and gatherBytesStart. Bounds are checked here as well as in the caller: a bad index would read outside `src`.
GatherJob gatherArgs(const Napi::CallbackInfo& info, const char* fn) {
  size_t srcLen, rowsLen, outLen;
  const uint8_t* src = typed<const uint8_t>(info, 0, fn, napi_uint8_array, "Uint8Array", &srcLen);
  const long rowSize = lng(info, 1);
  const uint32_t* rows = typed<const uint32_t>(info, 2, fn, napi_uint32_array, "Uint32Array", &rowsLen);
  float* out = typed<float>(info, 4, fn, napi_float32_array, "Float32Array", &outLen);
  const long n = static_cast<long>(rowsLen);
  const long dataRows = rowSize > 0 ? static_cast<long>(srcLen) / rowSize : 0;
  if (rowSize <= 0 || static_cast<size_t>(n) * rowSize > outLen) {
    throw Napi::RangeError::New(info.Env(), std::string("tessera native ") + fn + ": out holds " + std::to_string(outLen) +
        " values, need " + std::to_string(n) + " rows of " + std::to_string(rowSize));
  }
  for (long i = 0; i < n; i++) {
    if (static_cast<long>(rows[i]) >= dataRows) {
      throw Napi::RangeError::New(info.Env(), std::string("tessera native ") + fn + ": row " + std::to_string(rows[i]) +
          " at position " + std::to_string(i) + " is out of range [0, " + std::to_string(dataRows) + ")");
    }
  }
  return GatherJob{src, rowSize, rows, n, static_cast<float>(num(info, 3)), out, 0};
}

void GatherBytes(const Napi::CallbackInfo& info) {
  const GatherJob j = gatherArgs(info, "gatherBytes");
  gatherBytes(j.src, j.rowSize, j.rows, j.n, j.divisor, j.out);
}

// A gather left running in the background (gatherBytesStart) and the arrays it reads and writes,
// held here until it is finished: by gatherBytesWait, or else when its handle is collected. Running
// exactly while it holds them (src not empty).
struct BackgroundGather {
  GatherJob job;
  Napi::Reference<Napi::Value> src, rows, out;
};

void finishGather(BackgroundGather* g) {
  if (g->src.IsEmpty()) return;
  waitBackground();
  g->src.Reset();
  g->rows.Reset();
  g->out.Reset();
}

// gatherBytesStart(src, rowSize, rows, divisor, out) → handle: gatherBytes begun on the pool's
// workers between kernels (or done already, with one thread); gatherBytesWait(handle) finishes it.
// The arrays are held only once it runs: nothing can collect them while this call has them.
Napi::Value GatherBytesStart(const Napi::CallbackInfo& info) {
  auto* g = new BackgroundGather{gatherArgs(info, "gatherBytesStart"), {}, {}, {}};
  if (gatherBytesStart(&g->job)) {
    g->src = Napi::Persistent(info[0]);
    g->rows = Napi::Persistent(info[2]);
    g->out = Napi::Persistent(info[4]);
  }
  return Napi::External<BackgroundGather>::New(info.Env(), g, [](Napi::Env, BackgroundGather* p) { finishGather(p); delete p; });
}

void GatherBytesWait(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(info.Env(), "tessera native gatherBytesWait: expected the handle gatherBytesStart returned");
  }
  finishGather(info[0].As<Napi::External<BackgroundGather>>().Data());
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const IsaKernels* k = activeKernels();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", k->name);
  o.Set("available", availableIsas());
  o.Set("threads", poolThreads());
  o.Set("gemmTile", std::to_string(k->mr) + "x" + std::to_string(k->nr));
#if defined(TESSERA_X64)
  o.Set("arch", "x64");
#else
  o.Set("arch", "portable-only build");
#endif
  return o;
}

void SetIsa(const Napi::CallbackInfo& info) {
  std::string err = setIsa(info[0].As<Napi::String>().Utf8Value());
  if (!err.empty()) throw Napi::Error::New(info.Env(), err);
}

// setThreads(n): n in [1, kMaxThreads] (checked in JS too); a shortfall (the system refused to
// start a thread) leaves the pool running with what it got and throws saying so.
void SetThreads(const Napi::CallbackInfo& info) {
  const long n = lng(info, 0);
  if (n < 1 || n > kMaxThreads) {
    throw Napi::RangeError::New(info.Env(), "setNativeThreads: expected a thread count in [1, " +
        std::to_string(kMaxThreads) + "], got " + std::to_string(n));
  }
  std::string error;
  const int got = setThreads(static_cast<int>(n), &error);
  if (got < n) {
    throw Napi::Error::New(info.Env(), "setNativeThreads: the system refused to start more than " + std::to_string(got) +
        " of " + std::to_string(n) + " threads (" + error + "); the pool runs with " + std::to_string(got));
  }
}

// The machine's ceilings for the profiler (native/peak.h); negative where this CPU cannot run the loop.
Napi::Value PeakFma(const Napi::CallbackInfo& info) {
  std::string error;
  const double gflops = peakFmaGflops(static_cast<int>(lng(info, 0)), static_cast<int>(lng(info, 1)), num(info, 2), &error);
  if (!error.empty()) throw Napi::Error::New(info.Env(), "tessera native peakFma: " + error);
  return Napi::Number::New(info.Env(), gflops);
}
Napi::Value PeakCopy(const Napi::CallbackInfo& info) {
  std::string error;
  const double gbps = peakCopyGbps(static_cast<size_t>(num(info, 0)), static_cast<int>(lng(info, 1)), static_cast<int>(lng(info, 2)), &error);
  if (!error.empty()) throw Napi::Error::New(info.Env(), "tessera native peakCopy: " + error);
  return Napi::Number::New(info.Env(), gbps);
}

// A call that does nothing, to measure the JS → native crossing alone.
void Noop(const Napi::CallbackInfo&) {}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("activationGrad", Napi::Function::New(env, ActivationGrad));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("bceLogitsWithGrad", Napi::Function::New(env, BceLogitsWithGrad));
  exports.Set("where", Napi::Function::New(env, Where));
  exports.Set("copy", Napi::Function::New(env, Copy));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("gemmNaive", Napi::Function::New(env, MatmulNaive));
  exports.Set("gemmSplit", Napi::Function::New(env, GemmSplitOf));
  exports.Set("convWeightGroup", Napi::Function::New(env, ConvWeightGroupOf));
  exports.Set("parallelForOwners", Napi::Function::New(env, ParallelForOwnersOf));
  exports.Set("im2col", Napi::Function::New(env, Im2col));
  exports.Set("col2im", Napi::Function::New(env, Col2im));
  exports.Set("convForward", Napi::Function::New(env, ConvForward));
  exports.Set("convBackwardData", Napi::Function::New(env, ConvBackwardData));
  exports.Set("convBackwardWeight", Napi::Function::New(env, ConvBackwardWeight));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolBackward", Napi::Function::New(env, MaxPoolBackward));
  exports.Set("sgd", Napi::Function::New(env, Sgd));
  exports.Set("adam", Napi::Function::New(env, Adam));
  exports.Set("adamMany", Napi::Function::New(env, AdamMany));
  exports.Set("random", Napi::Function::New(env, Random));
  exports.Set("gatherBytes", Napi::Function::New(env, GatherBytes));
  exports.Set("gatherBytesStart", Napi::Function::New(env, GatherBytesStart));
  exports.Set("gatherBytesWait", Napi::Function::New(env, GatherBytesWait));
  exports.Set("reparameterize", Napi::Function::New(env, Reparameterize));
  exports.Set("reparameterizeBackward", Napi::Function::New(env, ReparameterizeBackward));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("noop", Napi::Function::New(env, Noop));
  exports.Set("peakFma", Napi::Function::New(env, PeakFma));
  exports.Set("peakCopy", Napi::Function::New(env, PeakCopy));
  exports.Set("maxThreads", Napi::Number::New(env, kMaxThreads));
  // The loader refuses an addon whose op counts differ from src/backend/opcodes.ts (a stale build).
  exports.Set("unaryOpCount", Napi::Number::New(env, U_COUNT));
  exports.Set("binaryOpCount", Napi::Number::New(env, B_COUNT));
  exports.Set("reduceOpCount", Napi::Number::New(env, R_COUNT));
  return exports;
}

}  // namespace

NODE_API_MODULE(tessera, Init)
