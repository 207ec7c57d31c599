"""The CNN-MLP's training step in PyTorch: a reference figure for `pnpm bench:compare`, not part of
the toolkit. Same layers, padding, pooling and dropout as @fmnist/model's createCnnMlpModel, Adam, random
inputs. Prints one JSON line: images per second over `--steps` steps after two warm-up steps (with
`--inference`, forward passes in eval mode)."""
import argparse
import json
import time

import torch
from torch import nn


def cnn_mlp_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding="same"), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding="same"), nn.ReLU(),
        nn.MaxPool2d(3), nn.Dropout(0.2),
        nn.Conv2d(64, 64, 3, padding="same"), nn.ReLU(),
        nn.Conv2d(64, 128, 5, padding="same"), nn.ReLU(),
        nn.MaxPool2d(3), nn.Dropout(0.2),
        nn.Flatten(),
        nn.Linear(128 * 3 * 3, 32), nn.ReLU(), nn.Dropout(0.4),
        nn.Linear(32, 10),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--inference", action="store_true", help="time model(x) in eval mode instead")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = cnn_mlp_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.arange(args.batch) % 10

    def step() -> None:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    if args.inference:
        model.eval()

        def step() -> None:  # noqa: F811 (inference replaces the training step)
            with torch.no_grad():
                model(x)

    for _ in range(2):
        step()
    started = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - started
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({
        "name": "pytorch.inference" if args.inference else "pytorch.train.step", "value": round(args.batch * args.steps / seconds, 1), "unit": "img/s",
        "threads": args.threads, "batch": args.batch, "parameters": params, "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
