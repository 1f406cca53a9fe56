"""Writes PyTorch checkpoints in the layouts of the published CheXNet reproductions, with PyTorch's
own outputs for a few images, to check chexnet-java's importer against PyTorch.

Run by the model module's tests with Debian's PyTorch (/usr/bin/python3 with python3-torch 1.13
and python3-torchvision 0.14):
    /usr/bin/python3 torch_checkpoints.py --out DIR [--group parity|tiny|e2e | --only NAME ...]

Each network is a torchvision DenseNet with random weights and random batch-norm running
statistics (so a mix-up of mean and variance, or of epsilon, shows), saved as the project saves
it. The parity group (TorchImportParityTest), every one a full DenseNet-121 at the layout's own
sizes:
    arnoweng-full          {"state_dict": module.densenet121.* with torchvision's old layer names
                           (norm.1, conv.1, ...), no num_batches_tracked}, legacy serialisation;
                           256 px images, ten-crop 224, mean of the crops
    zoogzog-full           the same layout plus epoch, best_loss and an Adam optimizer state
    jrzech-full            the whole pickled model, {"model", "best_loss", "epoch", "rng_state",
                           "LR"}, zip serialisation; 224 px, centre crop 224
    jrzech-legacy-full     the same as PyTorch 0.4 wrote it: legacy serialisation, old layer names
    torchvision-logits-full  a plain state dict, classifier = Linear (logits), zip serialisation,
                           with float16 and float64 storages, a transposed tensor and two tensors
                           sharing one storage at an offset; 224 px, no crop
    torchvision-parallel-full  a DataParallel state dict (module.features.*), classifier.0, legacy;
                           224 px, no crop
The tiny group (ModelImporterTest's error messages and cards; a ten-crop with an odd margin, 64 of
73 px): the same layouts as tiny DenseNets (growth 8, 16 stem filters, blocks (2, 1, 1, 2)), and
    torchvision-3-classes  a plain state dict with a 3-output classifier, at torchvision's default
                           224 px (for --classes and --name)
The e2e group (PublishedModelEndToEndTest in the command line module), blocks (1, 1, 1, 1), the
images also as PNG files (images/NAME-I.png):
    e2e-arnoweng           arnoweng's layout and preprocessing (256 px, ten-crop 224), legacy
    e2e-jrzech             jrzech's whole pickled model (224 px, centre crop 224), zip

Per network, a folder with:
    the checkpoint file
    images.u8          N gray images of the source's resize size, uint8, row-major
    probabilities.f32  PyTorch's probabilities [N, classes], float32 little-endian, after the
                       source's crops (and their mean) from those images
    fixture.json       what the Java test needs to know
"""

import argparse
import collections
import copy
import json
import os

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def network(size, head, classes):
    if size == "full":
        model = torchvision.models.densenet121()
    else:
        blocks = (1, 1, 1, 1) if size == "e2e" else (2, 1, 1, 2)
        model = torchvision.models.DenseNet(
            growth_rate=8, block_config=blocks, num_init_features=16, bn_size=4)
    features = model.classifier.in_features
    model.classifier = (torch.nn.Sequential(torch.nn.Linear(features, classes), torch.nn.Sigmoid())
                        if head == "sigmoid" else torch.nn.Linear(features, classes))
    return model


def randomise(model, generator):
    """He-normal kernels, batch norms far from their initial values, a head that spreads the
    probabilities."""
    with torch.no_grad():
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.Conv2d):
                fan_in = module.weight[0].numel()
                module.weight.normal_(0.0, (2.0 / fan_in) ** 0.5, generator=generator)
            elif isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5, generator=generator)
                module.bias.normal_(0.0, 0.2, generator=generator)
                module.running_mean.normal_(0.0, 0.2, generator=generator)
                module.running_var.uniform_(0.5, 2.0, generator=generator)
            elif isinstance(module, torch.nn.Linear):
                module.weight.normal_(0.0, 1.0 / module.in_features ** 0.5, generator=generator)
                module.bias.normal_(0.0, 0.5, generator=generator)
    model.eval()


def old_names(state_dict):
    """torchvision before 0.3: a dense layer's norm1/conv1/norm2/conv2 were norm.1/conv.1/..."""
    renamed = collections.OrderedDict()
    for key, value in state_dict.items():
        for new, old in (("norm1", "norm.1"), ("conv1", "conv.1"), ("norm2", "norm.2"), ("conv2", "conv.2")):
            if ".denselayer" in key and "." + new + "." in key:
                key = key.replace("." + new + ".", "." + old + ".")
        renamed[key] = value
    return renamed


def without_counters(state_dict):
    return collections.OrderedDict((k, v) for k, v in state_dict.items() if "num_batches_tracked" not in k)


class CheXNetWrapper(torch.nn.Module):
    """arnoweng's and zoogzog's DenseNet121: torchvision's network as the attribute densenet121."""

    def __init__(self, model):
        super().__init__()
        self.densenet121 = model

    def forward(self, x):
        return self.densenet121(x)


def probabilities(model, head, grays, crop):
    """The source's evaluation: gray -> RGB -> (crops) -> tensor -> ImageNet normalisation ->
    network (-> sigmoid for logits) -> mean over crops."""
    to_input = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    outputs = []
    with torch.no_grad():
        for gray in grays:
            image = Image.fromarray(gray, mode="L").convert("RGB")
            if crop["kind"] == "ten-crop":
                batch = torch.stack([to_input(c) for c in transforms.TenCrop(crop["size"])(image)])
            elif crop["kind"] == "center":
                batch = to_input(transforms.CenterCrop(crop["size"])(image)).unsqueeze(0)
            else:
                batch = to_input(image).unsqueeze(0)
            out = model(batch)
            if head == "logits":
                out = torch.sigmoid(out)
            outputs.append(out.mean(0))
    return torch.stack(outputs).numpy().astype(np.float32)


def arnoweng_like(model, generator, extra):
    wrapper = torch.nn.DataParallel(CheXNetWrapper(model))
    state = {"state_dict": old_names(without_counters(wrapper.state_dict()))}
    if extra:  # zoogzog: {'epoch', 'state_dict', 'best_loss', 'optimizer'}
        optimizer = torch.optim.Adam(wrapper.parameters(), lr=1e-4)
        wrapper.train()
        loss = wrapper(torch.randn(2, 3, 64, 64, generator=generator)).mean()
        loss.backward()
        optimizer.step()
        wrapper.eval()
        # The step moved the weights: the saved state dict is taken after it.
        state = {"epoch": 7, "state_dict": old_names(without_counters(wrapper.state_dict())),
                 "best_loss": 0.1503, "optimizer": optimizer.state_dict()}
    return state


def jrzech_legacy(model):
    """A whole model as PyTorch 0.4 pickled it: torchvision 0.2 named a dense layer's modules
    norm.1, conv.1, ... (set here in the pickled copy only)."""
    old = copy.deepcopy(model)
    for module in old.modules():
        if isinstance(module, torchvision.models.densenet._DenseLayer):
            module._modules = collections.OrderedDict(
                (name.replace("1", ".1").replace("2", ".2") if name[-1] in "12" and name[:-1] in ("norm", "conv") else name, child)
                for name, child in module._modules.items())
    return old


def odd_storages(model):
    """A plain state dict whose tensors are stored as older code and other dtypes store them; the
    network is set to exactly the values stored, so its outputs are what the file says."""
    sd = collections.OrderedDict(model.state_dict())
    with torch.no_grad():
        conv0 = sd["features.conv0.weight"].half()
        model.features.conv0.weight.copy_(conv0.float())
        sd["features.conv0.weight"] = conv0
        sd["features.norm0.running_var"] = sd["features.norm0.running_var"].double()
        weight = sd["classifier.weight"]
        sd["classifier.weight"] = weight.t().contiguous().t()  # stride (1, out): not contiguous
        assert not sd["classifier.weight"].is_contiguous()
        shared = torch.cat([sd["features.norm5.weight"], sd["features.norm5.bias"]])
        channels = sd["features.norm5.weight"].numel()
        sd["features.norm5.weight"] = shared[:channels]
        sd["features.norm5.bias"] = shared[channels:]  # storage offset = channels
        assert sd["features.norm5.bias"].storage_offset() == channels
    return sd


PARITY, TINY, END_TO_END = "parity", "tiny", "e2e"
FIXTURES = {
    # name: (group, network size, head, classes, crop, resize, file name, serialisation)
    "arnoweng-full": (PARITY, "full", "sigmoid", 14, {"kind": "ten-crop", "size": 224}, 256, "model.pth.tar", "legacy"),
    "zoogzog-full": (PARITY, "full", "sigmoid", 14, {"kind": "ten-crop", "size": 224}, 256, "m-25012018-123527.pth.tar", "legacy"),
    "jrzech-full": (PARITY, "full", "sigmoid", 14, {"kind": "center", "size": 224}, 224, "checkpoint", "zip"),
    "jrzech-legacy-full": (PARITY, "full", "sigmoid", 14, {"kind": "center", "size": 224}, 224, "checkpoint", "legacy"),
    "torchvision-logits-full": (PARITY, "full", "logits", 14, {"kind": "none", "size": 224}, 224, "densenet.pth", "zip"),
    "torchvision-parallel-full": (PARITY, "full", "sigmoid", 14, {"kind": "none", "size": 224}, 224, "densenet-parallel.pt", "legacy"),
    "zoogzog-tiny": (TINY, "tiny", "sigmoid", 14, {"kind": "ten-crop", "size": 64}, 73, "m-25012018-123527.pth.tar", "legacy"),
    "jrzech-tiny-legacy": (TINY, "tiny", "sigmoid", 14, {"kind": "center", "size": 64}, 64, "checkpoint", "legacy"),
    "torchvision-logits-tiny": (TINY, "tiny", "logits", 14, {"kind": "none", "size": 64}, 64, "densenet.pth", "zip"),
    "torchvision-parallel-tiny": (TINY, "tiny", "sigmoid", 14, {"kind": "none", "size": 64}, 64, "densenet-parallel.pt", "legacy"),
    "torchvision-3-classes": (TINY, "tiny", "sigmoid", 3, {"kind": "none", "size": 224}, 224, "three.pth", "zip"),
    "e2e-arnoweng": (END_TO_END, "e2e", "sigmoid", 14, {"kind": "ten-crop", "size": 224}, 256, "model.pth.tar", "legacy"),
    "e2e-jrzech": (END_TO_END, "e2e", "sigmoid", 14, {"kind": "center", "size": 224}, 224, "checkpoint", "zip"),
}


def write(name, out, seed, images):
    group, size, head, classes, crop, resize, file_name, serialisation = FIXTURES[name]
    generator = torch.Generator().manual_seed(seed)
    model = network(size, head, classes)
    randomise(model, generator)
    if name.startswith(("arnoweng", "zoogzog", "e2e-arnoweng")):
        saved = arnoweng_like(model, generator, extra=name.startswith("zoogzog"))
    elif name in ("jrzech-full", "e2e-jrzech"):
        saved = {"model": model, "best_loss": 0.1472, "epoch": 9, "rng_state": torch.get_rng_state(), "LR": 1e-4}
    elif name.startswith("jrzech"):
        saved = {"model": jrzech_legacy(model), "best_loss": 0.1472, "epoch": 9,
                 "rng_state": torch.get_rng_state(), "LR": 1e-4}
    elif name.startswith("torchvision-logits"):
        saved = odd_storages(model)
    elif name.startswith("torchvision-parallel"):
        saved = torch.nn.DataParallel(model).state_dict()
    else:
        saved = model.state_dict()
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    torch.save(saved, os.path.join(folder, file_name),
               _use_new_zipfile_serialization=(serialisation == "zip"))
    rng = np.random.default_rng(seed)
    # Smooth gray images with some texture: a ramp, a blob and noise.
    y, x = np.mgrid[0:resize, 0:resize] / resize
    grays = []
    for _ in range(images):
        cx, cy = rng.uniform(0.2, 0.8, 2)
        blob = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / rng.uniform(0.01, 0.1))
        image = 90 * x + 100 * blob + rng.normal(0, 12, x.shape) + rng.uniform(20, 60)
        grays.append(np.clip(image, 0, 255).astype(np.uint8))
    pngs = []
    if group == END_TO_END:
        # The same pixels as PNG files, for the command line; PIL reads them back as they are.
        os.makedirs(os.path.join(folder, "images"), exist_ok=True)
        for i, gray in enumerate(grays):
            pngs.append(f"images/{name}-{i}.png")
            Image.fromarray(gray, mode="L").save(os.path.join(folder, pngs[-1]))
            assert np.array_equal(np.asarray(Image.open(os.path.join(folder, pngs[-1]))), gray)
    probs = probabilities(model, head, grays, crop)
    np.stack(grays).tofile(os.path.join(folder, "images.u8"))
    probs.astype("<f4").tofile(os.path.join(folder, "probabilities.f32"))
    with open(os.path.join(folder, "fixture.json"), "w") as f:
        json.dump({"file": file_name, "images": images, "resize": resize, "crop": crop["kind"],
                   "cropSize": crop["size"], "classes": classes, "serialisation": serialisation,
                   "pngs": pngs,
                   "torch": torch.__version__, "torchvision": torchvision.__version__}, f, indent=2)
    print(f"{name}: {file_name} ({os.path.getsize(os.path.join(folder, file_name))} bytes), "
          f"probabilities {probs.min():.3f}..{probs.max():.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--group", choices=[PARITY, TINY, END_TO_END], default=PARITY)
    parser.add_argument("--only", nargs="+", choices=sorted(FIXTURES),
                        help="these fixtures, of any group, instead of a group")
    parser.add_argument("--images", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20240611)
    args = parser.parse_args()
    torch.set_num_threads(2)
    for name, fixture in FIXTURES.items():
        if (name in args.only) if args.only else fixture[0] == args.group:
            # Seeds by position in the table: a fixture is the same whichever others are written.
            write(name, args.out, args.seed + list(FIXTURES).index(name),
                  max(args.images, 4) if fixture[0] == END_TO_END else args.images)


if __name__ == "__main__":
    main()
