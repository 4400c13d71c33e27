"""Reads Fashion-MNIST from its four IDX .gz files (shared by the Python peers).

Looks in data/fashion-mnist/ of the checkout first, then in Debian's dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist). Images come back as float32 in [0, 1], shape [n, 784].
"""
import gzip
import os
import struct
import sys

try:
    import numpy as np
except ImportError as err:  # exit code 3: the peer is absent (bench/harness/peers.ts)
    sys.stderr.write("fashion_mnist.py: numpy is not installed (bash bench/setup-peers.sh): %s\n" % err)
    sys.exit(3)

HERE = os.path.dirname(os.path.abspath(__file__))
SEARCH_DIRS = [
    os.path.normpath(os.path.join(HERE, "..", "..", "data", "fashion-mnist")),
    "/usr/share/datasets/fashion-mnist",
]
FILES = {"train": "train-images-idx3-ubyte.gz", "test": "t10k-images-idx3-ubyte.gz"}


def find_dir(explicit=None):
    candidates = [explicit] if explicit else SEARCH_DIRS
    for d in candidates:
        if d and all(os.path.isfile(os.path.join(d, f)) for f in FILES.values()):
            return d
    raise FileNotFoundError(
        "fashion_mnist.py: no Fashion-MNIST IDX files (%s) in %s; expected data/fashion-mnist/ "
        "or the Debian package dataset-fashion-mnist" % (", ".join(FILES.values()), candidates)
    )


def read_images(path):
    """IDX3: magic 0x00000803, n, rows, cols (big-endian int32), then n*rows*cols uint8."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
    if magic != 0x803:
        raise ValueError("fashion_mnist.py: %s has magic %#x, expected 0x803 (IDX3 uint8 images)" % (path, magic))
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16)
    if pixels.size != n * rows * cols:
        raise ValueError("fashion_mnist.py: %s holds %d pixels, expected %d*%d*%d" % (path, pixels.size, n, rows, cols))
    return (pixels.reshape(n, rows * cols).astype(np.float32) / np.float32(255.0))


def load(data_dir=None):
    """Returns (train [60000,784], test [10000,784], the directory used)."""
    d = find_dir(data_dir)
    return read_images(os.path.join(d, FILES["train"])), read_images(os.path.join(d, FILES["test"])), d
