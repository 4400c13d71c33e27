"""W1 in PyTorch eager: the seed document's Keras autoencoder on Fashion-MNIST.

784 -> 64 ReLU -> 32 ReLU -> 64 ReLU -> 784 sigmoid, MSE, Adam(lr=1e-3, PyTorch defaults
otherwise), batch 256, shuffled every epoch, float32, PyTorch's default initialisation.
Prints one JSON object on stdout (nothing else), the shape bench/harness/peers.ts expects.

  python3 bench/peers/torch_w1.py --epochs 5 --threads 1 --seed 0

Timing covers the training loop of each epoch only (shuffle, gather, forward, backward,
step); the test MSE after each epoch is computed outside the timed region.
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
    a = p.parse_args()
    if a.epochs < 1 or a.threads < 1 or a.batch < 1:
        p.error("torch_w1.py: --epochs, --threads and --batch must be >= 1")
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
        from torch import nn
    except ImportError as err:  # exit code 3: the peer is absent (bench/harness/peers.ts)
        sys.stderr.write("torch_w1.py: torch is not installed (bash bench/setup-peers.sh): %s\n" % err)
        sys.exit(3)
    import_seconds = time.perf_counter() - t_import

    threadpoolctl, blas = blas_libraries()
    blas_threads = args.blas_threads or args.threads
    limiter = threadpoolctl.threadpool_limits(limits=blas_threads, user_api="blas") if threadpoolctl else None
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    t_load = time.perf_counter()
    train_np, test_np, data_dir = fashion_mnist.load(args.data)
    train = torch.from_numpy(train_np)
    test = torch.from_numpy(test_np)
    load_seconds = time.perf_counter() - t_load

    model = nn.Sequential(
        nn.Linear(784, 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 64), nn.ReLU(),
        nn.Linear(64, 784), nn.Sigmoid(),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    shuffle = torch.Generator().manual_seed(args.seed)

    n = train.shape[0]
    steps_per_epoch = (n + args.batch - 1) // args.batch
    epoch_seconds, test_mse, train_loss = [], [], []
    for _ in range(args.epochs):
        model.train()
        loss_sum = torch.zeros(())
        t0 = time.perf_counter()
        order = torch.randperm(n, generator=shuffle)
        for start in range(0, n, args.batch):
            xb = train[order[start:start + args.batch]]
            loss = loss_fn(model(xb), xb)  # an autoencoder: the target is the input
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
        epoch_seconds.append(time.perf_counter() - t0)
        train_loss.append(float(loss_sum) / steps_per_epoch)
        model.eval()
        with torch.no_grad():
            test_mse.append(float(loss_fn(model(test), test)))

    torch_threads = torch.get_num_threads()  # read before the restore: it resets OpenMP's count too
    if limiter is not None:
        limiter.restore_original_limits()
    per_epoch = summarize(epoch_seconds)
    result = {
        "peer": "torch",
        "workload": "W1",
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
        "test_mse": test_mse,
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
