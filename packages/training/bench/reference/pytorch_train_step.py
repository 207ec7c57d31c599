"""Our networks' training step in PyTorch: a reference figure for `pnpm bench:compare`, not part of the
toolkit. `--model cnn-mlp` (default) has the layers, padding, pooling and dropout of @fmnist/model's
createCnnMlpModel, `--model vgg` those of createVggModel (BatchNorm with Keras's momentum and epsilon,
global average pooling); Adam, random inputs. Prints one JSON line: images per second over `--steps` steps
after two warm-up steps (with `--inference`, forward passes in eval mode)."""
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


# Keras's BatchNormalization defaults (tfjs-layers keeps them): moving = 0.99 * moving + 0.01 * batch,
# which is PyTorch's momentum 0.01; epsilon 1e-3 where PyTorch's default is 1e-5.
KERAS_BN = {"eps": 1e-3, "momentum": 0.01}


def vgg_model() -> nn.Module:
    layers: list[nn.Module] = []
    channels = 1
    for i, filters in enumerate((32, 32, 64, 64, 128, 128)):
        # createVggModel's conv blocks: a 'same' 3x3 convolution with bias, BatchNorm, ReLU.
        layers += [nn.Conv2d(channels, filters, 3, padding="same"), nn.BatchNorm2d(filters, **KERAS_BN), nn.ReLU()]
        channels = filters
        if i in (1, 3):
            layers += [nn.MaxPool2d(2), nn.Dropout(0.1)]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.1), nn.Linear(channels, 10)]
    return nn.Sequential(*layers)


# Each network and its trainable parameters in @fmnist/model (CNN_MLP_MODEL_PARAMS,
# VGG_MODEL_TRAINABLE_PARAMS): a PyTorch network of another size is not the same network.
MODELS = {"cnn-mlp": (cnn_mlp_model, 297_898), "vgg": (vgg_model, 288_618)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=sorted(MODELS), default="cnn-mlp")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--inference", action="store_true", help="time model(x) in eval mode instead")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    build, expected_params = MODELS[args.model]
    model = build()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if params != expected_params:
        raise SystemExit(f"--model {args.model}: {params} trainable parameters, expected {expected_params} as in @fmnist/model")
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
    print(json.dumps({
        "name": "pytorch.inference" if args.inference else "pytorch.train.step",
        "value": round(args.batch * args.steps / seconds, 1), "unit": "img/s", "model": args.model,
        "threads": args.threads, "batch": args.batch, "parameters": params, "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
