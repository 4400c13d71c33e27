"""SGEMM GFLOP/s through numpy float32 matmul: square sizes and a workload's own products (W1's by default).

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/peers/numpy_gemm.py --threads 1,2

A product C[M,N] = A[M,K] * B[K,N] costs 2*M*N*K flops. For W1 at batch B = 256 and a
layer with weight W[out,in] (PyTorch's layout), training runs three products per layer:
  forward   Y[B,out]  = X[B,in]    * W^T[in,out]   (M=B,   N=out, K=in)
  backward  dX[B,in]  = dY[B,out]  * W[out,in]     (M=B,   N=in,  K=out)
  backward  dW[out,in] = dY^T[out,B] * X[B,in]     (M=out, N=in,  K=B)
(dX of the first layer is not needed in training; it is measured and marked.)
The transposes are views, as in PyTorch, so BLAS gets them as transpose flags.
Each figure is the median over --repeats timings, each timing long enough (>= --min-ms).
Prints one JSON object on stdout.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import numpy as np
except ImportError as err:  # exit code 3: the peer is absent (bench/harness/peers.ts)
    sys.stderr.write("numpy_gemm.py: numpy is not installed (bash bench/setup-peers.sh): %s\n" % err)
    sys.exit(3)
from stats import summarize  # noqa: E402

W1_LAYERS = [(784, 64), (64, 32), (32, 64), (64, 784)]  # (in, out)


def layer_products(layers, batch):
    """Each product as (name, make_operands, M, N, K, needed_in_training)."""
    out = []
    for i, (fan_in, fan_out) in enumerate(layers, start=1):
        tag = "L%d %d->%d" % (i, fan_in, fan_out)
        out.append(("%s fwd X*W^T" % tag, ("x", "wT"), batch, fan_out, fan_in, True))
        out.append(("%s bwd dX=dY*W" % tag, ("dy", "w"), batch, fan_in, fan_out, i != 1))
        out.append(("%s bwd dW=dY^T*X" % tag, ("dyT", "x"), fan_out, fan_in, batch, True))
    return out


def operands(kind, m, n, k, rng):
    """A[M,K] and B[K,N] with the memory layout W1 really has (transposes are views)."""
    a_kind, b_kind = kind
    def mat(rows, cols):
        return rng.random((rows, cols), dtype=np.float32)
    a = mat(k, m).T if a_kind == "dyT" else mat(m, k)   # dY^T: dY is stored [B,out]
    b = mat(n, k).T if b_kind == "wT" else mat(k, n)    # W^T: W is stored [out,in]
    return a, b


def time_product(a, b, repeats, min_seconds):
    """GFLOP/s samples: each sample runs enough products to last at least min_seconds."""
    m, k = a.shape
    n = b.shape[1]
    flops = 2.0 * m * n * k
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(a, b, out=c)  # warm-up: thread pool start, page faults
    inner = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(inner):
            np.matmul(a, b, out=c)
        dt = time.perf_counter() - t0
        if dt >= min_seconds or inner >= 1 << 20:
            break
        inner *= 2 if dt <= 0 else max(2, min(16, int(min_seconds / dt) + 1))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            np.matmul(a, b, out=c)
        samples.append(flops * inner / (time.perf_counter() - t0) / 1e9)
    return samples, inner


def blas_info():
    try:
        import threadpoolctl
    except ImportError:
        return None, []
    return threadpoolctl, [
        {k: i.get(k) for k in ("internal_api", "version", "threading_layer", "architecture", "num_threads", "filepath")}
        for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"
    ]


def run(threads, args, rng):
    rows = []
    cases = [("square %d" % s, ("a", "b"), s, s, s, True) for s in args.sizes]
    cases += layer_products(args.layers, args.batch)
    for name, kind, m, n, k, needed in cases:
        a, b = operands(kind, m, n, k, rng)
        samples, inner = time_product(a, b, args.repeats, args.min_ms / 1000.0)
        rows.append({
            "name": name, "m": m, "n": n, "k": k, "threads": threads,
            "needed_in_training": needed, "inner_loops": inner,
            "gflops": summarize(samples),
        })
    return rows


def w1_gemm_seconds_per_epoch(rows, batch, samples=60000):
    """Time the needed layer products (W1's unless --layers) alone would take per epoch at the measured median rates."""
    steps = (samples + batch - 1) // batch
    total = 0.0
    for r in rows:
        if r["name"].startswith("L") and r["needed_in_training"]:
            total += 2.0 * r["m"] * r["n"] * r["k"] / (r["gflops"]["median"] * 1e9)
    return total * steps


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--sizes", default="128,256,512,1024,2048")
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--layers", default=",".join("%dx%d" % l for l in W1_LAYERS),
                   help="in x out of each dense layer, comma-separated (default W1's)")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--min-ms", type=float, default=50.0)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.layers = [tuple(int(v) for v in l.split("x")) for l in args.layers.split(",") if l]
    thread_counts = [int(t) for t in args.threads.split(",") if t]
    if not thread_counts or min(thread_counts) < 1 or not (args.sizes or args.layers) or args.repeats < 1 \
            or any(len(l) != 2 or min(l) < 1 for l in args.layers):
        p.error("numpy_gemm.py: expected --threads like 1,2, --sizes like 128,256, --layers like 784x64,64x32 and --repeats >= 1")

    threadpoolctl, blas = blas_info()
    if threadpoolctl is None and len(thread_counts) > 1:
        p.error("numpy_gemm.py: threadpoolctl is absent; run once per thread count with "
                "OPENBLAS_NUM_THREADS=N and --threads N")
    rng = np.random.default_rng(args.seed)
    results = []
    for t in thread_counts:
        if threadpoolctl is not None:
            with threadpoolctl.threadpool_limits(limits=t, user_api="blas"):
                rows = run(t, args, rng)
        else:
            rows = run(t, args, rng)  # the thread count came from OPENBLAS_NUM_THREADS
        results.append({
            "threads": t,
            "rows": rows,
            "w1_gemm_seconds_per_epoch": w1_gemm_seconds_per_epoch(rows, args.batch),
        })
    json.dump({
        "peer": "numpy",
        "workload": "SGEMM",
        "numpy_version": np.__version__,
        "blas": blas,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "openblas_l2_size": os.environ.get("OPENBLAS_L2_SIZE"),
        "repeats": args.repeats,
        "min_ms": args.min_ms,
        "results": results,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
