#!/usr/bin/env python3
"""hsq's NumPy peer: the benchmark tasks written the way a researcher writes them in NumPy.

`hsq-bench ... --peer bench/peers/numpy_peer.py` runs this script first, with the same flags,
and prints its JSON line beside hsq's. It takes the flags and prints the JSON keys of the
reference peer hsq is measured against (../shared/peers/numpy_hsq.py on the project's machines),
so every figure in docs/BENCHMARKS.md can be reproduced from a clone.

The algorithms are the HSQ authors' (their published PyTorch code): nearest-neighbour HSQ
(largest |<c_k, v>| over a codebook of unit vectors, the inner product as the scalar, an
n-bit stochastic uniform quantizer between the scalars' min and max) and QSGD with buckets
scaled by their largest magnitude and stochastic rounding to s = 2^bits levels. The matrix
products go to NumPy's BLAS.

  numpy_peer.py bench [--d N] [--dim 16] [--k 256] [--norm-bits 6] [--qsgd-bits 2] [--qsgd-bucket 128] [--reps 5]
  numpy_peer.py train [--steps 200] [--workers 8] [--batch 32] [--lr 0.1] [--momentum 0]
                      [--weight-decay 0] [--ef] [--codebook F.fvecs] [--compressor hsq|qsgd|none]

`train` is Fashion-MNIST (the Debian package dataset-fashion-mnist, or --data DIR holding the
four IDX .gz files), an MLP 784-128-10 with ReLU and softmax cross-entropy, `workers` workers
with `batch` samples each per step, their decompressed gradients averaged by a parameter
server, heavy-ball SGD. Layers of at most 1000 parameters (the biases) travel uncompressed.
"""
import argparse
import gzip
import json
import statistics
import time

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"
SMALL_LAYER = 1000  # layers of at most this many parameters are sent uncompressed


def load_fvecs(path):
    """The .fvecs format: per vector an int32 length, then that many float32 values."""
    words = np.fromfile(path, dtype=np.int32)
    n = int(words[0])
    return words.reshape(-1, n + 1)[:, 1:].view(np.float32).copy()


def unit_rows(a):
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def random_codebook(dim, k, rng):
    """An orthonormal basis when k == dim, else k normalized Gaussian vectors."""
    if k == dim:
        q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
        return (q * np.sign(np.diag(r))).T.astype(np.float32)
    return unit_rows(rng.standard_normal((k, dim)).astype(np.float32))


def stochastic_round(x, s, rng):
    """floor(x) or floor(x) + 1 with probability x - floor(x), x in [0, s], levels 0..s."""
    low = np.minimum(x, s - 1).astype(np.int32)
    return low + (rng.random(x.shape) < x - low)


class HSQ:
    """Nearest-neighbour hyper-sphere quantization of sub-vectors of length `dim`."""

    def __init__(self, dim, k, norm_bits, rng, codebook_path=None):
        if codebook_path:
            book = unit_rows(load_fvecs(codebook_path))
            if book.shape != (k, dim):
                raise SystemExit(f"codebook {codebook_path} is {book.shape}, expected ({k}, {dim})")
        else:
            book = random_codebook(dim, k, rng)
        self.book, self.dim, self.rng = book, dim, rng
        self.levels = 2 ** norm_bits if norm_bits < 32 else None

    def roundtrip(self, g):
        sub = g.reshape(-1, self.dim)
        scores = sub @ self.book.T
        code = np.abs(scores).argmax(axis=1)
        scale = scores[np.arange(len(code)), code]
        if self.levels:
            lo, hi = scale.min(), scale.max()
            if hi > lo:
                level = stochastic_round((scale - lo) / (hi - lo) * self.levels, self.levels, self.rng)
                scale = level.astype(np.float32) * (hi - lo) / self.levels + lo
        return (self.book[code] * scale[:, None]).reshape(g.shape)


class QSGD:
    """Buckets scaled by their largest magnitude, stochastic rounding to s = 2^bits levels."""

    def __init__(self, bits, bucket, rng):
        self.s, self.bucket, self.rng = 2 ** bits, bucket, rng

    def roundtrip(self, g):
        b = g.reshape(-1, self.bucket)
        magnitude = np.abs(b)
        scale = magnitude.max(axis=1, keepdims=True)
        scale[scale == 0] = 1
        level = stochastic_round(magnitude / scale * self.s, self.s, self.rng)
        return (np.sign(b) * level * (scale / self.s)).astype(np.float32).reshape(g.shape)


class Uncompressed:
    def roundtrip(self, g):
        return g


def time_roundtrips(peer, name, compressor, g, args):
    """Prints the JSON line of `reps` timed round trips of g (a NumPy array or a torch tensor)."""
    seconds = []
    for _ in range(args.reps):
        start = time.perf_counter()
        out = compressor.roundtrip(g)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"peer": peer, "compressor": name, "d": args.d, "dim": args.dim, "k": args.k,
                      "median_s": statistics.median(seconds), "min_s": min(seconds),
                      "rel_error": float(((out - g) ** 2).sum() / (g ** 2).sum())}))


def bench(args):
    rng = np.random.default_rng(0)
    g = rng.standard_normal(args.d).astype(np.float32)
    time_roundtrips("numpy", "hsq-nn", HSQ(args.dim, args.k, args.norm_bits, rng), g, args)
    time_roundtrips("numpy", "qsgd", QSGD(args.qsgd_bits, args.qsgd_bucket, rng), g, args)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fashion_mnist(directory):
    def images(name):
        return read_idx(f"{directory}/{name}-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255

    def labels(name):
        return read_idx(f"{directory}/{name}-labels-idx1-ubyte.gz").astype(np.int64)

    return images("train"), labels("train"), images("t10k"), labels("t10k")


def gradients(params, x, y):
    """Softmax cross-entropy gradients of the MLP for one minibatch."""
    w1, b1, w2, b2 = params
    hidden = np.maximum(x @ w1 + b1, 0)
    logits = hidden @ w2 + b2
    logits -= logits.max(axis=1, keepdims=True)
    dz = np.exp(logits)
    dz /= dz.sum(axis=1, keepdims=True)
    dz[np.arange(len(y)), y] -= 1
    dz /= len(y)
    dh = (dz @ w2.T) * (hidden > 0)
    return [x.T @ dh, dh.sum(axis=0), hidden.T @ dz, dz.sum(axis=0)]


def train(args):
    rng = np.random.default_rng(1)
    xtr, ytr, xte, yte = fashion_mnist(args.data)
    params = [(rng.standard_normal((784, 128)) * np.sqrt(2 / 784)).astype(np.float32), np.zeros(128, np.float32),
              (rng.standard_normal((128, 10)) * np.sqrt(2 / 128)).astype(np.float32), np.zeros(10, np.float32)]
    factories = {"hsq": lambda: HSQ(16, 256, 6, rng, args.codebook), "qsgd": lambda: QSGD(2, 128, rng),
                 "none": Uncompressed}
    codecs = [factories[args.compressor]() if p.size > SMALL_LAYER else Uncompressed() for p in params]
    velocity = [np.zeros_like(p) for p in params]
    memory = [[np.zeros_like(p) for p in params] for _ in range(args.workers)] if args.ef else None
    start = time.perf_counter()
    for _ in range(args.steps):
        total = [np.zeros_like(p) for p in params]
        for w in range(args.workers):
            pick = rng.integers(0, len(xtr), args.batch)
            for j, g in enumerate(gradients(params, xtr[pick], ytr[pick])):
                if memory:
                    g = g + memory[w][j]
                sent = codecs[j].roundtrip(g)
                if memory:
                    memory[w][j] = g - sent
                total[j] += sent
        for p, t, v in zip(params, total, velocity):
            v *= args.momentum
            v += t / args.workers + args.weight_decay * p
            p -= args.lr * v
    seconds = time.perf_counter() - start
    w1, b1, w2, b2 = params
    accuracy = float(((np.maximum(xte @ w1 + b1, 0) @ w2 + b2).argmax(axis=1) == yte).mean())
    print(json.dumps({"peer": "numpy", "task": "fmnist-mlp", "compressor": args.compressor, "steps": args.steps,
                      "workers": args.workers, "batch": args.batch, "momentum": args.momentum, "ef": args.ef,
                      "samples_per_s": args.steps * args.workers * args.batch / seconds, "seconds": seconds,
                      "test_accuracy": accuracy}))


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="cmd", required=True)
    b = commands.add_parser("bench", help="compress + decompress time and relative error on a Gaussian vector")
    b.add_argument("--d", type=int, default=1 << 22)
    b.add_argument("--dim", type=int, default=16)
    b.add_argument("--k", type=int, default=256)
    b.add_argument("--norm-bits", type=int, default=6)
    b.add_argument("--qsgd-bits", type=int, default=2)
    b.add_argument("--qsgd-bucket", type=int, default=128)
    b.add_argument("--reps", type=int, default=5)
    t = commands.add_parser("train", help="the Fashion-MNIST MLP task: samples/s and test accuracy")
    t.add_argument("--steps", type=int, default=200)
    t.add_argument("--workers", type=int, default=8)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=0.1)
    t.add_argument("--momentum", type=float, default=0.0)
    t.add_argument("--weight-decay", type=float, default=0.0)
    t.add_argument("--ef", action="store_true", help="error feedback, one memory per worker")
    t.add_argument("--codebook", default=None, help="HSQ codebook (.fvecs, 256 vectors of 16); default Gaussian")
    t.add_argument("--compressor", default="hsq", choices=["hsq", "qsgd", "none"])
    t.add_argument("--data", default=DATA, help="directory of the Fashion-MNIST IDX .gz files")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse()
    bench(arguments) if arguments.cmd == "bench" else train(arguments)
