"""Peer: the same DenseNet-121 training step and inference in PyTorch (torchvision densenet121,
14-way head, Adam, BCE with logits, batch 16, 224x224, 2 threads), in float32 or with the
forward and loss under torch.autocast("cpu", bfloat16). Run by bench/train-step.sh."""
import json
import statistics
import sys
import time

import torch
import torchvision

batch = int(sys.argv[1]) if len(sys.argv) > 1 else 16
size = int(sys.argv[2]) if len(sys.argv) > 2 else 224
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 7
precision = sys.argv[4] if len(sys.argv) > 4 else "float32"
warmup = 2
torch.set_num_threads(2)
torch.manual_seed(1)
model = torchvision.models.densenet121(num_classes=14)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
loss_fn = torch.nn.BCEWithLogitsLoss()
x = torch.randn(batch, 3, size, size)
y = (torch.rand(batch, 14) < 0.1).float()


def timed(fn):
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        fn()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def train_step():
    model.train()
    optimizer.zero_grad()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "mixed_bfloat16"):
        loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()


def inference():
    model.eval()
    with torch.no_grad():
        torch.sigmoid(model(x))


for work, fn in (("train", train_step), ("inference", inference)):
    median = timed(fn)
    print(json.dumps({"impl": "pytorch-" + torch.__version__ + " " + precision, "work": work, "batch": batch, "size": size,
                      "median_s": round(median, 4), "images_per_s": round(batch / median, 2), "steps": steps}))
