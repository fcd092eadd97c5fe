#!/usr/bin/env python3
"""Regenerates the golden ResNet fixtures in tests/fixtures/ with PyTorch and torchvision.

Needs python3-torch and python3-torchvision (Debian: apt-get install -y python3-torch python3-torchvision; then run
it with /usr/bin/python3 if another python3 comes first on PATH). Never downloads anything.

    /usr/bin/python3 tools/make_fixtures.py [--out tests/fixtures]

The model is torchvision's ResNet-18 — its BasicBlock, its _make_layer, its forward, its parameter names — with the
stage widths cut from 64/128/256/512 to 16/32/64/128 and 10 classes, so that the fixture stays small (0.7M parameters,
2.8 MB in float32; the full ResNet-18 would be 47 MB, 23 MB even in float16). With widths 64/128/256/512 and 1000
classes the same class has exactly the state dict of torchvision.models.resnet18 (checked below), so the fixture
exercises every code path and every name of the real model. Weights use torchvision's initialisation under
torch.manual_seed(0); the batch-norm affine parameters and running statistics are then randomised (they start at 1, 0,
0, 1, which would make batch norm an identity and the test blind to it), and num_batches_tracked is set to 7.

Files written (the input and the references are .npy, the weights safetensors with torchvision's names):
    resnet18_w16.safetensors    weights, float32 (and int64 num_batches_tracked); __metadata__ records the
                                architecture, the seed and the torch/torchvision versions
    resnet18_w16_input.npy      float32 [2, 3, 64, 64], standard normal under torch.manual_seed(1)
    resnet18_w16_logits.npy     float64 [2, 10]: model(input) in eval mode, computed in float64 from the stored
                                float32 weights and input (so the reference has no float32 rounding of its own)
    resnet18_w16_layer4.npy     float64 [2, 128, 2, 2]: the output of layer4 for the same input
"""
import argparse
import os

import numpy as np
import torch
import torchvision
from torch import nn
from torchvision.models.resnet import BasicBlock, ResNet

from safetensors_writer import save

WIDTHS = (16, 32, 64, 128)
LAYERS = (2, 2, 2, 2)
NUM_CLASSES = 10


class NarrowResNet(ResNet):
    """torchvision's ResNet with stage widths `widths` instead of 64/128/256/512; the rest is ResNet's own code."""

    def __init__(self, block, layers, widths, num_classes):
        nn.Module.__init__(self)  # ResNet.__init__ hard-codes the widths; set up what _make_layer and forward use
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = widths[0]
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, widths[0], layers[0])
        self.layer2 = self._make_layer(block, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, widths[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3] * block.expansion, num_classes)
        for m in self.modules():  # as torchvision's ResNet.__init__
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


def check_same_structure_as_resnet18():
    full = NarrowResNet(BasicBlock, LAYERS, (64, 128, 256, 512), 1000).state_dict()
    ref = torchvision.models.resnet18(weights=None).state_dict()
    assert list(full) == list(ref), "NarrowResNet's names differ from torchvision's resnet18"
    assert all(full[k].shape == ref[k].shape for k in ref), "NarrowResNet's shapes differ from torchvision's resnet18"


def randomise_batch_norms(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(7)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(here, "..", "tests", "fixtures"), help="output directory")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    check_same_structure_as_resnet18()
    torch.manual_seed(0)
    model = NarrowResNet(BasicBlock, LAYERS, WIDTHS, NUM_CLASSES)
    randomise_batch_norms(model)
    model.eval()
    torch.manual_seed(1)
    x = torch.randn(2, 3, 64, 64, dtype=torch.float32)

    reference = NarrowResNet(BasicBlock, LAYERS, WIDTHS, NUM_CLASSES)
    reference.load_state_dict(model.state_dict())
    reference = reference.double().eval()
    features = {}
    reference.layer4.register_forward_hook(lambda _m, _i, out: features.update(layer4=out))
    with torch.no_grad():
        logits = reference(x.double())

    prefix = os.path.join(args.out, "resnet18_w16")
    metadata = {
        "arch": "torchvision ResNet, BasicBlock, layers 2,2,2,2, widths " + ",".join(map(str, WIDTHS)) +
                f", {NUM_CLASSES} classes (torchvision resnet18 names)",
        "generator": "tools/make_fixtures.py",
        "seed": "weights: torch.manual_seed(0), batch norms randomised after init; input: torch.manual_seed(1)",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }
    save(prefix + ".safetensors", model.state_dict(), metadata)
    np.save(prefix + "_input.npy", x.numpy())
    np.save(prefix + "_logits.npy", logits.numpy())
    np.save(prefix + "_layer4.npy", features["layer4"].numpy())
    for suffix in (".safetensors", "_input.npy", "_logits.npy", "_layer4.npy"):
        print(f"{prefix + suffix}: {os.path.getsize(prefix + suffix)} bytes")


if __name__ == "__main__":
    main()
