# The shipped Fashion-MNIST recipe in PyTorch (Debian python3-torch, CPU), to
# measure what a longer schedule or another width would buy before spending
# hours of WebGPU-on-llvmpipe training on it. Mirrors `deno task train --arch
# resnet-s --dataset fashion-mnist --batch 128 --lr 0.003 --optimizer adamw
# --schedule cosine --warmup 200 --augment 2`: stem conv3x3(16, no bias) + BN +
# ReLU + maxpool2, basic residual blocks (He et al. 2016) 16 / 32 s2 / W s2 with
# 1x1 projections, global average pool, dense; per-channel normalisation from
# the training split; 10% of the 60k training images held out for validation;
# shift <= 2 px (zero fill) and horizontal flip. PyTorch's own init and
# batchnorm momentum, so it is a recipe twin, not a bit-for-bit one.
#
# Usage: /usr/bin/python3 bench/peers/torch_fashion_recipe.py --epochs 30 [--width 64]
#          [--threads 1] [--seed 5] [--smoothing 0] [--val-fraction 0.1]
# Prints a JSON line per epoch (val accuracy) and a last one with the test
# accuracy on the 10k test set and the parameter count.
import gzip, json, math, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(f"{DATA}/{name}.gz") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


def resnet_s(width):
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        Block(16, 16, 1), Block(16, 32, 2), Block(32, width, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, 10),
    )


def augment(x, g, shift=2):
    """x: (N,1,28,28) raw pixels 0..255 as float; random shift (zero fill) and flip per sample."""
    n, _, h, w = x.shape
    pad = F.pad(x, (shift, shift, shift, shift))
    dy = torch.randint(0, 2 * shift + 1, (n,), generator=g)
    dx = torch.randint(0, 2 * shift + 1, (n,), generator=g)
    flip = torch.rand(n, generator=g) < 0.5
    out = torch.empty_like(x)
    for i in range(n):
        s = pad[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w]
        out[i] = s.flip(-1) if flip[i] else s
    return out


def accuracy(net, x, y, mean, std):
    net.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            right += (net((x[i:i + 1000] - mean) / std).argmax(1) == y[i:i + 1000]).sum().item()
    net.train()
    return right / len(x)


def main():
    a = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    epochs = int(a.get("--epochs", "30"))
    width = int(a.get("--width", "64"))
    seed = int(a.get("--seed", "5"))
    smoothing = float(a.get("--smoothing", "0"))
    val_fraction = float(a.get("--val-fraction", "0.1"))
    torch.set_num_threads(int(a.get("--threads", "1")))
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)

    xs = torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32)).unsqueeze(1)
    ys = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
    xt = torch.from_numpy(idx("t10k-images-idx3-ubyte").astype(np.float32)).unsqueeze(1)
    yt = torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))
    perm = torch.randperm(len(xs), generator=g)
    nval = round(len(xs) * val_fraction)
    xv, yv = xs[perm[:nval]], ys[perm[:nval]]
    xtr, ytr = xs[perm[nval:]], ys[perm[nval:]]
    mean, std = xtr.mean().item(), xtr.std().item()

    net = resnet_s(width)
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.AdamW(net.parameters(), lr=0.003, weight_decay=5e-4)
    batch, warmup = 128, 200
    steps_per_epoch = math.ceil(len(xtr) / batch)
    total = steps_per_epoch * epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup)))
    )
    t0 = time.time()
    for ep in range(epochs):
        order = torch.randperm(len(xtr), generator=g)
        for s in range(steps_per_epoch):
            j = order[s * batch:(s + 1) * batch]
            x = (augment(xtr[j], g) - mean) / std
            loss = F.cross_entropy(net(x), ytr[j], label_smoothing=smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        va = accuracy(net, xv, yv, mean, std) if nval else None
        print(json.dumps({"epoch": ep + 1, "val": va, "seconds": round(time.time() - t0)}), flush=True)
    print(json.dumps({"epochs": epochs, "width": width, "params": params, "smoothing": smoothing,
                      "test": accuracy(net, xt, yt, mean, std), "seconds": round(time.time() - t0)}), flush=True)


main()
