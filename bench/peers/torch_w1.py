"""The autoencoder workloads in PyTorch eager, twins of bench/tessera/workloads.ts.

W1 (default) is the seed document's Keras autoencoder on Fashion-MNIST:
784 -> 64 ReLU -> 32 ReLU -> 64 ReLU -> 784 sigmoid, MSE. W2 the conv autoencoder, W3 the VAE,
W4 W1 with Gaussian input noise 0.3 (clipped to [0, 1]), W5 W1 with an L1 activity penalty
1e-4 * sum|z| / n on the code (torch_models.py). All: Adam(lr=1e-3, PyTorch defaults otherwise),
batch 256, shuffled every epoch, float32, PyTorch's default initialisation (tessera's 'torch').
Prints one JSON object on stdout (nothing else), the shape bench/harness/peers.ts expects.

  python3 bench/peers/torch_w1.py [--workload W2 --limit 12000] --epochs 5 --threads 1 --seed 0
  python3 bench/peers/torch_w1.py --param-counts      (each workload's parameter count, no training)

Timing covers the training loop of each epoch only (shuffle, gather, forward, backward,
step); the test loss (the training objective in eval mode: no noise, the VAE decodes mu) after
each epoch is computed outside the timed region.
"""
import argparse
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fashion_mnist  # noqa: E402
from stats import summarize  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads and the BLAS pool")
    p.add_argument("--blas-threads", type=int, default=None,
                   help="OpenBLAS pool size (default: --threads); torch's OpenMP pool and OpenBLAS's "
                        "own pthreads both spin, so 2 + 2 threads on 2 cores can oversubscribe")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--data", default=None, help="folder with the four Fashion-MNIST IDX .gz files")
    p.add_argument("--workload", default="W1", type=str.upper, choices=["W1", "W2", "W3", "W4", "W5"])
    p.add_argument("--limit", type=int, default=0, help="train on the first LIMIT images (0: all 60,000)")
    p.add_argument("--param-counts", action="store_true", help="print each workload's parameter count and exit")
    a = p.parse_args()
    if a.epochs < 1 or a.threads < 1 or a.batch < 1 or a.limit < 0:
        p.error("torch_w1.py: --epochs, --threads and --batch must be >= 1, --limit >= 0")
    return a


def blas_libraries():
    """What BLAS the process really loaded (torch's Debian build calls libblas.so.3)."""
    try:
        import threadpoolctl
    except ImportError:
        return None, ["threadpoolctl absent"]
    info = threadpoolctl.threadpool_info()
    return threadpoolctl, [
        "%s %s %s %s" % (i.get("internal_api"), i.get("version"), i.get("architecture"), i.get("filepath"))
        for i in info if i.get("user_api") == "blas"
    ]


def main():
    args = parse_args()
    t_import = time.perf_counter()
    try:
        import torch
    except ImportError as err:  # exit code 3: the peer is absent (bench/harness/peers.ts)
        sys.stderr.write("torch_w1.py: torch is not installed (bash bench/setup-peers.sh): %s\n" % err)
        sys.exit(3)
    import_seconds = time.perf_counter() - t_import
    import torch_models

    if args.param_counts:
        counts = {w: sum(p.numel() for p in torch_models.build(w).parameters()) for w in torch_models.WORKLOADS}
        json.dump({"peer": "torch", "param_counts": counts}, sys.stdout)
        sys.stdout.write("\n")
        return

    threadpoolctl, blas = blas_libraries()
    blas_threads = args.blas_threads or args.threads
    limiter = threadpoolctl.threadpool_limits(limits=blas_threads, user_api="blas") if threadpoolctl else None
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    t_load = time.perf_counter()
    train_np, test_np, data_dir = fashion_mnist.load(args.data)
    if args.limit:
        train_np = train_np[:args.limit]
    shape = torch_models.FEATURE_SHAPE[args.workload]
    train = torch.from_numpy(train_np).reshape(-1, *shape)
    test = torch.from_numpy(test_np).reshape(-1, *shape)
    load_seconds = time.perf_counter() - t_load

    model = torch_models.build(args.workload)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    shuffle = torch.Generator().manual_seed(args.seed)

    n = train.shape[0]
    steps_per_epoch = (n + args.batch - 1) // args.batch
    epoch_seconds, test_loss, train_loss = [], [], []
    for _ in range(args.epochs):
        model.train()
        loss_sum = torch.zeros(())
        t0 = time.perf_counter()
        order = torch.randperm(n, generator=shuffle)
        for start in range(0, n, args.batch):
            xb = train[order[start:start + args.batch]]
            loss = model.objective(xb)  # an autoencoder: the target is the input
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
        epoch_seconds.append(time.perf_counter() - t0)
        train_loss.append(float(loss_sum) / steps_per_epoch)
        model.eval()
        with torch.no_grad():
            # batches of 1000 as tessera's evaluate; equal batches, so the mean of their means
            test_loss.append(sum(float(model.objective(test[i:i + 1000])) for i in range(0, test.shape[0], 1000))
                             / ((test.shape[0] + 999) // 1000))

    torch_threads = torch.get_num_threads()  # read before the restore: it resets OpenMP's count too
    if limiter is not None:
        limiter.restore_original_limits()
    per_epoch = summarize(epoch_seconds)
    result = {
        "peer": "torch",
        "workload": args.workload,
        "train_rows": n,
        "torch_version": torch.__version__,
        "threads": args.threads,
        "torch_threads": torch_threads,
        "blas_threads": blas_threads if threadpoolctl else None,
        "blas": blas,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "epochs": args.epochs,
        "batch": args.batch,
        "steps_per_epoch": steps_per_epoch,
        "seed": args.seed,
        "data_dir": data_dir,
        "import_seconds": import_seconds,
        "load_seconds": load_seconds,
        "epoch_seconds": epoch_seconds,
        "seconds_per_epoch": per_epoch,
        "samples_per_second": n / per_epoch["median"],
        "train_loss": train_loss,
        "test_loss": test_loss,
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
