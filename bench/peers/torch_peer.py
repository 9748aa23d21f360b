#!/usr/bin/env python3
"""hsq's PyTorch peer: the tasks of numpy_peer.py written the way a PyTorch user writes them for speed.

All workers of a step run as one batched computation (torch.matmul / torch.bmm over a leading
worker axis), the nearest-codeword search is a blocked matmul + argmax, gradients are computed
by hand without autograd, on CPU tensors with all cores. Same flags and JSON keys as
numpy_peer.py (and as ../shared/peers/torch_hsq.py, the reference hsq is measured against), so
`hsq-bench ... --peer bench/peers/torch_peer.py` compares hsq with it side by side; run it with a
Python that has torch first on PATH:

  python3 -m venv "$HOME/torch-peer" && "$HOME/torch-peer"/bin/pip install torch==2.13.0 numpy
  PATH="$HOME/torch-peer/bin:$PATH" .build/release/hsq-bench train --peer bench/peers/torch_peer.py

(pin torch: an unpinned install pulls the CUDA build, about 3 GB.)
"""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_peer import SMALL_LAYER, fashion_mnist, load_fvecs, parse, time_roundtrips  # noqa: E402

BLOCK = 4096  # sub-vectors scored per matmul, so the block of scores stays in cache


def unit_rows(c):
    return (c / c.norm(dim=1, keepdim=True)).contiguous()


def random_codebook(dim, k, gen):
    if k == dim:
        q, r = torch.linalg.qr(torch.randn(dim, dim, generator=gen))
        return unit_rows((q * torch.sign(torch.diag(r))).T)
    return unit_rows(torch.randn(k, dim, generator=gen))


def stochastic_round(x, s, gen):
    low = x.clamp(max=s - 1).floor()
    return low + (torch.rand(x.shape, generator=gen) < x - low).to(x.dtype)


class HSQ:
    """Nearest-neighbour HSQ of a batch of rows (workers × n), each row's scalars quantized on their own range."""

    def __init__(self, dim, k, norm_bits, gen, codebook_path=None):
        if codebook_path:
            book = unit_rows(torch.from_numpy(load_fvecs(codebook_path)))
            if tuple(book.shape) != (k, dim):
                raise SystemExit(f"codebook {codebook_path} is {tuple(book.shape)}, expected ({k}, {dim})")
        else:
            book = random_codebook(dim, k, gen)
        self.book, self.bookT, self.dim, self.gen = book, book.T.contiguous(), dim, gen
        self.levels = float(2 ** norm_bits) if norm_bits < 32 else None

    def roundtrip(self, g):
        rows, n = g.shape
        sub = g.reshape(-1, self.dim)
        code = torch.empty(sub.shape[0], dtype=torch.int64)
        scale = torch.empty(sub.shape[0])
        for a in range(0, sub.shape[0], BLOCK):
            scores = sub[a:a + BLOCK] @ self.bookT
            best = scores.abs().argmax(dim=1)
            code[a:a + BLOCK] = best
            scale[a:a + BLOCK] = scores.gather(1, best[:, None])[:, 0]
        scale = scale.view(rows, -1)
        if self.levels:
            lo = scale.min(dim=1, keepdim=True).values
            span = scale.max(dim=1, keepdim=True).values - lo
            span = torch.where(span > 0, span, torch.ones_like(span))
            scale = stochastic_round((scale - lo) / span * self.levels, self.levels, self.gen) * span / self.levels + lo
        return (self.book[code] * scale.reshape(-1, 1)).reshape(rows, n)


class QSGD:
    def __init__(self, bits, bucket, gen):
        self.s, self.bucket, self.gen = float(2 ** bits), bucket, gen

    def roundtrip(self, g):
        b = g.reshape(-1, self.bucket)
        magnitude = b.abs()
        scale = magnitude.max(dim=1, keepdim=True).values
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        level = stochastic_round(magnitude / scale * self.s, self.s, self.gen)
        return (torch.sign(b) * level * (scale / self.s)).reshape(g.shape)


class Uncompressed:
    def roundtrip(self, g):
        return g


def bench(args):
    gen = torch.Generator().manual_seed(0)
    g = torch.randn(1, args.d, generator=gen)
    time_roundtrips("torch", "hsq-nn", HSQ(args.dim, args.k, args.norm_bits, gen), g, args)
    time_roundtrips("torch", "qsgd", QSGD(args.qsgd_bits, args.qsgd_bucket, gen), g, args)


def train(args):
    gen = torch.Generator().manual_seed(1)
    xtr, ytr, xte, yte = (torch.from_numpy(a) for a in fashion_mnist(args.data))
    workers, batch = args.workers, args.batch
    params = [torch.randn(784, 128, generator=gen) * (2 / 784) ** 0.5, torch.zeros(128),
              torch.randn(128, 10, generator=gen) * (2 / 128) ** 0.5, torch.zeros(10)]
    factories = {"hsq": lambda: HSQ(16, 256, 6, gen, args.codebook), "qsgd": lambda: QSGD(2, 128, gen),
                 "none": Uncompressed}
    codecs = [factories[args.compressor]() if p.numel() > SMALL_LAYER else Uncompressed() for p in params]
    velocity = [torch.zeros_like(p) for p in params]
    memory = [torch.zeros(workers, p.numel()) for p in params] if args.ef else None
    start = time.perf_counter()
    for _ in range(args.steps):
        w1, b1, w2, b2 = params
        pick = torch.randint(0, xtr.shape[0], (workers, batch), generator=gen)
        x, y = xtr[pick], ytr[pick]
        hidden = torch.relu(torch.matmul(x, w1) + b1)
        dz = torch.softmax(torch.matmul(hidden, w2) + b2, dim=2)
        dz.scatter_add_(2, y[:, :, None], -torch.ones(workers, batch, 1))
        dz /= batch
        dh = torch.matmul(dz, w2.T) * (hidden > 0)
        grads = (torch.bmm(x.transpose(1, 2), dh), dh.sum(1), torch.bmm(hidden.transpose(1, 2), dz), dz.sum(1))
        for j, g in enumerate(grads):
            g = g.reshape(workers, -1)
            if memory:
                g = g + memory[j]
            sent = codecs[j].roundtrip(g)
            if memory:
                memory[j] = g - sent
            p, v = params[j], velocity[j]
            v.mul_(args.momentum).add_(sent.mean(0).view_as(p) + args.weight_decay * p)
            p.sub_(args.lr * v)
    seconds = time.perf_counter() - start
    w1, b1, w2, b2 = params
    accuracy = float(((torch.relu(xte @ w1 + b1) @ w2 + b2).argmax(1) == yte).float().mean())
    print(json.dumps({"peer": "torch", "task": "fmnist-mlp", "compressor": args.compressor, "steps": args.steps,
                      "workers": workers, "batch": batch, "momentum": args.momentum, "ef": args.ef,
                      "samples_per_s": args.steps * workers * batch / seconds, "seconds": seconds,
                      "test_accuracy": accuracy}))


if __name__ == "__main__":
    torch.set_num_threads(os.cpu_count() or 1)
    torch.set_grad_enabled(False)
    arguments = parse()
    bench(arguments) if arguments.cmd == "bench" else train(arguments)
