"""The golden training run, in llm.c's manner: 10 Adam steps of the seed model in PyTorch.

The seed model is tessera's default dense autoencoder (src/models/dense-autoencoder.ts):
784 -> 64 ReLU -> 32 ReLU | 32 -> 64 ReLU -> 784 sigmoid, MSE (mean), Adam(lr=1e-3, betas
(0.9, 0.999), eps 1e-8), float32. Its initial weights come from one integer hash that
test/train/golden-torch.test.ts computes the same way (murmur3's finaliser of index + seed *
0x9E3779B9, mod 2^32, divided by 2^32): bit-identical float32 on both sides, so no weights
travel in the fixture. Its 10 batches are the first 160 images of the bundled Fashion-MNIST test
set, 16 per step in order, pixel / 255 (fashion_mnist.py; tessera's loadFashionMnist gives the
same float32). What it writes, beside this script, is what tessera must reproduce: the 10 losses
and, after the 10th step, each parameter's sum, sum of squares and every stride-th element (the
whole tensor for the biases).

  /usr/bin/python3 bench/peers/golden_seed_model.py    # Debian's python3-torch; writes golden_seed_model.json

Run once; the JSON is committed. Rerun only when the model or the recipe changes.
"""
import json
import os

import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fashion_mnist  # noqa: E402
STEPS, BATCH, LR = 10, 16, 1e-3
# (name, out, in) in the order of tessera's namedParameters().
LAYERS = [("encoder.0", 64, 784), ("encoder.2", 32, 64), ("decoder.0", 64, 32), ("decoder.2", 784, 64)]


def uniform(seed, n):
    """n values in [0, 1): fmix32(i + seed * 0x9E3779B9 mod 2^32) / 2^32, i = 0..n-1."""
    x = (np.arange(n, dtype=np.uint64) + np.uint64((seed * 0x9E3779B9) & 0xFFFFFFFF)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(0xFFFFFFFF)
    x ^= x >> np.uint64(16)
    return x.astype(np.float64) / 4294967296.0


def initial_weight(seed, out_f, in_f):
    """Glorot-uniform from the hash: (2u - 1) * sqrt(6 / (in + out)), computed in double, stored as float32."""
    limit = np.sqrt(6.0 / (in_f + out_f))
    return ((2.0 * uniform(seed, out_f * in_f) - 1.0) * limit).astype(np.float32).reshape(out_f, in_f)


def initial_bias(seed, out_f):
    """Small non-zero biases (zeros would hide a bias gradient that is wrong): (2u - 1) * 0.1."""
    return ((2.0 * uniform(seed, out_f) - 1.0) * 0.1).astype(np.float32)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    linears = []
    for k, (_, out_f, in_f) in enumerate(LAYERS):
        lin = torch.nn.Linear(in_f, out_f)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(initial_weight(2 * k + 1, out_f, in_f)))
            lin.bias.copy_(torch.from_numpy(initial_bias(2 * k + 2, out_f)))
        linears.append(lin)
    model = torch.nn.Sequential(linears[0], torch.nn.ReLU(), linears[1], torch.nn.ReLU(),
                                linears[2], torch.nn.ReLU(), linears[3], torch.nn.Sigmoid())
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
    d = fashion_mnist.find_dir()
    images = fashion_mnist.read_images(os.path.join(d, fashion_mnist.FILES["test"]))[: STEPS * BATCH]
    losses = []
    for step in range(STEPS):
        # The step's inputs, [BATCH, 784] in [0, 1]: the reconstruction target is the input.
        x = torch.from_numpy(np.ascontiguousarray(images[step * BATCH:(step + 1) * BATCH]))
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), x)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    final = {}
    for (name, _, _), lin in zip(LAYERS, linears):
        for part, t in (("weight", lin.weight), ("bias", lin.bias)):
            flat = t.detach().numpy().astype(np.float64).ravel()
            stride = 1 if part == "bias" else 97
            final[f"{name}.{part}"] = {
                "shape": list(t.shape), "stride": stride,
                "sum": float(flat.sum()), "sumSquares": float((flat * flat).sum()),
                "samples": [float(v) for v in flat[::stride]],
            }
    out = {
        "script": "bench/peers/golden_seed_model.py", "torch": torch.__version__,
        "data": os.path.relpath(d, os.path.join(HERE, "..", "..")),
        "steps": STEPS, "batch": BATCH, "lr": LR, "losses": losses, "final": final,
    }
    path = os.path.join(HERE, "golden_seed_model.json")
    with open(path + ".tmp", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(f"wrote {path}: losses {losses[0]:.6f} .. {losses[-1]:.6f}")


if __name__ == "__main__":
    main()
