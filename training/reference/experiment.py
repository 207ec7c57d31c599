"""Architecture and recipe A/B runs in PyTorch, a reference framework that trains about three times
faster than our WASM path on this CPU: used to choose what is worth a long run of our own trainer, never
to make shipped weights. Mirrors @fmnist/model's seed-bn recipe (AdamW one-cycle to 3e-3, weight decay
0.01, label smoothing 0.1, batch 128, +-2 px shifts and flips; Keras BatchNorm settings) and its
distillation targets (a float32 file of 60000 x 10 teacher probabilities, as the trainer caches them).
Prints one JSON line per epoch and a last one with the test accuracy after the final epoch."""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

DATA_DIRS = ["/usr/share/datasets/fashion-mnist", os.path.expanduser("~/.cache/fmnist/fashion-mnist")]


def read_idx(name: str) -> np.ndarray:
    for folder in DATA_DIRS:
        path = os.path.join(folder, name + ".gz")
        if os.path.exists(path):
            with gzip.open(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise FileNotFoundError(name)


def conv_bn(cin: int, cout: int, k: int) -> list:
    # Keras BatchNormalization: momentum 0.99 (PyTorch 0.01), epsilon 1e-3.
    return [nn.Conv2d(cin, cout, k, padding="same"), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU()]


def seed_bn(drop_conv=0.2, drop_dense=0.4) -> nn.Module:
    return nn.Sequential(
        *conv_bn(1, 32, 3), *conv_bn(32, 64, 3), nn.MaxPool2d(3), nn.Dropout(drop_conv),
        *conv_bn(64, 64, 3), *conv_bn(64, 128, 5), nn.MaxPool2d(3), nn.Dropout(drop_conv),
        nn.Flatten(), nn.Linear(128 * 3 * 3, 32), nn.ReLU(), nn.Dropout(drop_dense), nn.Linear(32, 10),
    )


def vgg(widths=(32, 32, 64, 64, 128, 128), drop=0.1) -> nn.Module:
    """3x3 convs in pairs at 28, 14 and 7 px, 2x2 max pooling between, global average pooling, one linear layer."""
    layers, cin = [], 1
    for i, w in enumerate(widths):
        layers += conv_bn(cin, w, 3)
        cin = w
        if i % 2 == 1 and i < len(widths) - 1:
            layers += [nn.MaxPool2d(2)] + ([nn.Dropout(drop)] if drop else [])
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()] + ([nn.Dropout(drop)] if drop else []) + [nn.Linear(cin, 10)]
    return nn.Sequential(*layers)


MODELS = {
    "seed-bn": seed_bn,
    "vgg": vgg,
    "vgg-nodrop": lambda: vgg(drop=0),
    "vgg-drop2": lambda: vgg(drop=0.2),
    "vgg-wide": lambda: vgg(widths=(32, 48, 64, 96, 128, 144)),
}


def shift_flip(x: torch.Tensor, pad: int, gen: torch.Generator) -> torch.Tensor:
    n, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    rows = (dy[:, None] + torch.arange(h)[None, :])  # n,h
    cols = (dx[:, None] + torch.arange(w)[None, :])  # n,w
    out = padded[torch.arange(n)[:, None, None], 0, rows[:, :, None], cols[:, None, :]].unsqueeze(1)
    flip = torch.rand(n, generator=gen) < 0.5
    out[flip] = out[flip].flip(-1)
    return out


def random_erasing(x: torch.Tensor, p: float, gen: torch.Generator) -> torch.Tensor:
    """Zhong et al.: area 2-40% of the image, aspect ratio 0.3-3.3, erased pixels set to 0."""
    n, _, h, w = x.shape
    for i in range(n):
        if torch.rand(1, generator=gen).item() >= p:
            continue
        for _ in range(10):
            area = h * w * (0.02 + 0.38 * torch.rand(1, generator=gen).item())
            ratio = float(np.exp(np.log(0.3) + (np.log(3.3) - np.log(0.3)) * torch.rand(1, generator=gen).item()))
            eh, ew = int(round((area * ratio) ** 0.5)), int(round((area / ratio) ** 0.5))
            if eh < h and ew < w:
                y0 = int(torch.randint(0, h - eh + 1, (1,), generator=gen))
                x0 = int(torch.randint(0, w - ew + 1, (1,), generator=gen))
                x[i, :, y0:y0 + eh, x0:x0 + ew] = 0
                break
    return x


def six_views(x: torch.Tensor) -> list:
    """The trainer's `flip-shift` test-time views: the image, its mirror, and moves of one pixel up, down,
    left and right, with zeros moved in."""
    def moved(dy: int, dx: int) -> torch.Tensor:
        padded = F.pad(x, (1, 1, 1, 1))
        return padded[:, :, 1 - dy:1 - dy + x.shape[2], 1 - dx:1 - dx + x.shape[3]]
    return [x, x.flip(-1)] + [moved(dy, dx) for dy, dx in [(-1, 0), (1, 0), (0, -1), (0, 1)]]


def probabilities(model: nn.Module, x: torch.Tensor, views: bool) -> torch.Tensor:
    """Class probabilities in eval mode, 1000 images at a time, averaged over the six views if `views`."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            chunk = x[i:i + 1000]
            inputs = six_views(chunk) if views else [chunk]
            out.append(sum(F.softmax(model(v), 1) for v in inputs) / len(inputs))
    model.train()
    return torch.cat(out)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=MODELS, default="seed-bn")
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--max-lr", type=float, default=3e-3)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--erasing", type=float, default=0.0, help="random erasing probability")
    p.add_argument("--low-res", type=int, default=0,
                   help="progressive resizing: train the first --low-res-epochs epochs on images downscaled to this size")
    p.add_argument("--low-res-epochs", type=int, default=0)
    p.add_argument("--teacher", action="append",
                   help="float32 file of 60000 x 10 teacher probabilities (repeatable: their mean, as the trainer's)")
    p.add_argument("--alpha", type=float, default=0.7, help="weight of the teacher in the targets")
    p.add_argument("--save", help="folder for the final weights (model.pt) and their six-view probabilities on "
                   "the training images (train-targets.bin, a --teacher file)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)

    train_x = torch.from_numpy(read_idx("train-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
    train_y = torch.from_numpy(read_idx("train-labels-idx1-ubyte").astype(np.int64))
    test_x = torch.from_numpy(read_idx("t10k-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
    test_y = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte").astype(np.int64))
    one_hot = F.one_hot(train_y, 10).float()
    if args.teacher:
        teacher = torch.from_numpy(np.mean([np.fromfile(f, dtype=np.float32).reshape(-1, 10)
                                            for f in args.teacher], axis=0))
        targets = args.alpha * teacher + (1 - args.alpha) * one_hot
        smoothing = 0.0
    else:
        targets, smoothing = one_hot, args.label_smoothing
    targets = targets * (1 - smoothing) + smoothing / 10

    model = MODELS[args.model]()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    steps_per_epoch = (len(train_x) + args.batch - 1) // args.batch
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.max_lr / 25, weight_decay=args.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.max_lr, total_steps=args.epochs * steps_per_epoch)

    def test_accuracy(views: bool = False) -> float:
        return (probabilities(model, test_x, views).argmax(1) == test_y).float().mean().item()

    started = time.time()
    for epoch in range(args.epochs):
        order = torch.randperm(len(train_x), generator=gen)
        total = 0.0
        for b in range(steps_per_epoch):
            idx = order[b * args.batch:(b + 1) * args.batch]
            x = shift_flip(train_x[idx], 2, gen)
            if args.erasing:
                x = random_erasing(x, args.erasing, gen)
            if epoch < args.low_res_epochs:
                x = F.interpolate(x, size=(args.low_res, args.low_res), mode="bilinear", align_corners=False)  # as tf.image.resizeBilinear
            loss = -(targets[idx] * F.log_softmax(model(x), 1)).sum(1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item()
        line = {"epoch": epoch + 1, "loss": round(total / steps_per_epoch, 4), "minutes": round((time.time() - started) / 60, 1)}
        if (epoch + 1) % 5 == 0 or epoch + 1 == args.epochs:
            line["test_acc"] = test_accuracy()
        print(json.dumps(line), flush=True)
    if args.save:
        os.makedirs(args.save, exist_ok=True)
        torch.save(model.state_dict(), os.path.join(args.save, "model.pt"))
        probabilities(model, train_x, True).numpy().astype(np.float32).tofile(os.path.join(args.save, "train-targets.bin"))
    print(json.dumps({"final": True, **vars(args), "parameters": params, "test_acc": test_accuracy(),
                      "test_acc_six_views": test_accuracy(True),
                      "minutes": round((time.time() - started) / 60, 1), "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
