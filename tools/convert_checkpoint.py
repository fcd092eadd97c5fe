#!/usr/bin/env python3
"""Converts a PyTorch checkpoint (.pth state dict) to a safetensors file with htp's parameter names.

Needs PyTorch (Debian: python3-torch; run it with /usr/bin/python3 if another python3 comes first on PATH). Offline
only: it reads a local file and never downloads. Only people who have PyTorch and a checkpoint need it; htp itself
reads the safetensors file (nn/safetensors.h, `htp forward --weights`).

    /usr/bin/python3 tools/convert_checkpoint.py --format torchvision --arch resnet50 resnet50-11ad3fa6.pth resnet50.safetensors
    /usr/bin/python3 tools/convert_checkpoint.py --format timm --arch vit_base_patch16_224 vit_base.pth vit_base.safetensors
    /usr/bin/python3 tools/convert_checkpoint.py --format bcos-v2 --arch bcos_resnet50 resnet_50-ead259efe4.pth bcos_resnet50.safetensors
    # how-to-probe (mmpretrain) checkpoints keep the backbone under "backbone." and have no fc: the result holds the
    # backbone only, to be loaded non-strictly (load_into(model, path, /*strict=*/false)):
    /usr/bin/python3 tools/convert_checkpoint.py --format bcos-v2 --arch bcos_resnet50 --strip-prefix backbone. epoch_100.pth out.safetensors

Names. htp's models register their parameters and buffers under the names of the reference implementations, so for
most sources the map is the identity:
  * torchvision ResNet-18/34/50: conv1.weight, bn1.{weight,bias,running_mean,running_var,num_batches_tracked},
    layer{1-4}.{i}.conv{1,2,3}.weight, layer{1-4}.{i}.bn{1,2,3}.*, layer{k}.0.downsample.{0,1}.*, fc.{weight,bias}.
  * timm ViT-Ti/S/B/16 (vit_{tiny,small,base}_patch16_224): cls_token, pos_embed, patch_embed.proj.{weight,bias},
    blocks.{i}.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}.{weight,bias}, norm.{weight,bias}, head.{weight,bias}.
  * B-cos-v2 ResNets (bcos/models/resnet.py): every convolution is a BcosConv2d whose weight lives in its child
    NormedConv2d `linear` (conv1.linear.weight, layer1.0.conv1.linear.weight, layer1.0.downsample.0.linear.weight,
    fc.linear.weight), norms are NoBias(BatchNormUncentered2d) (weight, running_mean, running_var,
    num_batches_tracked; no bias). htp's BcosConv2d and BatchNormUncentered2d keep exactly these names. The logit bias
    (-log(K-1)) is a constant of the model, not a tensor of the checkpoint.
  * B-cos-v2 ViTs (bcos/models/vit.py, experiments/ImageNet/vit_final/model.py) are saved as
    BcosSequential(SimpleViT, LogitLayer), so every key starts with "0."; RENAMES drops it.
The only renames are therefore in RENAMES below. Wrappers are undone first: a checkpoint that is a dict holding the
state dict under "state_dict", "model" or "module" is unwrapped, and a "module." prefix on every key (DataParallel)
is dropped.

For torchvision sources the result is checked against torchvision.models.<arch>(weights=None): same names, same
shapes, or an error listing the differences. Other sources are checked when htp loads the file (strict
load_state_dict: missing and unexpected names and shape mismatches are errors naming the tensors).

__metadata__ records the source file's name and SHA-256, the format, the architecture and the torch version.
"""
import argparse
import hashlib
import os
import re
import sys

import torch

from safetensors_writer import DTYPE_CODES, save

ARCHS = {
    "torchvision": ["resnet18", "resnet34", "resnet50"],
    "timm": ["vit_tiny_patch16_224", "vit_small_patch16_224", "vit_base_patch16_224"],
    "bcos-v2": ["bcos_resnet18", "bcos_resnet50", "bcos_simple_vit_ti_patch16_224",
                "bcos_simple_vit_s_patch16_224", "bcos_simple_vit_b_patch16_224"],
}

# Key renames from each source's names to htp's, as (regular expression, replacement) applied in order with re.sub.
RENAMES = {
    "torchvision": [],
    "timm": [],
    "bcos-v2": [
        (r"^0\.", ""),  # ViTs: BcosSequential(model, LogitLayer) puts the model under "0."
    ],
}


def load_state_dict(path):
    obj = torch.load(path, map_location="cpu")
    for key in ("state_dict", "model", "module"):
        if isinstance(obj, dict) and key in obj and isinstance(obj[key], dict):
            obj = obj[key]
            break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        top = list(obj)[:10] if isinstance(obj, dict) else type(obj).__name__
        sys.exit(f"{path}: not a state dict (a dict of tensors); found {top}")
    if obj and all(k.startswith("module.") for k in obj):
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return obj


def rename(state, fmt, strip_prefix):
    if strip_prefix:
        state = {k[len(strip_prefix):]: v for k, v in state.items() if k.startswith(strip_prefix)}
        if not state:
            sys.exit(f"no key starts with '{strip_prefix}'")
    out = {}
    for key, value in state.items():
        new = key
        for pattern, replacement in RENAMES[fmt]:
            new = re.sub(pattern, replacement, new)
        if new in out:
            sys.exit(f"two keys map to '{new}' (the second is '{key}')")
        out[new] = value
    return out


def check_torchvision(state, arch):
    import torchvision

    ref = getattr(torchvision.models, arch)(weights=None).state_dict()
    missing = [k for k in ref if k not in state]
    unexpected = [k for k in state if k not in ref]
    shapes = [f"{k}: {tuple(state[k].shape)} vs {tuple(ref[k].shape)}"
              for k in ref if k in state and state[k].shape != ref[k].shape]
    if missing or unexpected or shapes:
        sys.exit(f"the checkpoint does not match torchvision's {arch}:\n  missing: {missing}\n"
                 f"  unexpected: {unexpected}\n  shape mismatches: {shapes}")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", required=True, choices=sorted(ARCHS), help="where the checkpoint comes from")
    parser.add_argument("--arch", required=True, help="architecture: " +
                        "; ".join(f"{k}: {', '.join(v)}" for k, v in ARCHS.items()))
    parser.add_argument("--strip-prefix", default="", help="keep only the keys with this prefix, without it")
    parser.add_argument("--dtype", choices=["keep", "float32", "float16"], default="keep",
                        help="convert floating-point tensors (default: keep them as stored)")
    parser.add_argument("input", help="a local .pth file")
    parser.add_argument("output", help="the .safetensors file to write")
    args = parser.parse_args()
    if args.arch not in ARCHS[args.format]:
        parser.error(f"--arch {args.arch} is not a {args.format} architecture ({', '.join(ARCHS[args.format])})")

    state = rename(load_state_dict(args.input), args.format, args.strip_prefix)
    if args.format == "torchvision":
        check_torchvision(state, args.arch)
    if args.dtype != "keep":
        dtype = getattr(torch, args.dtype)
        state = {k: v.to(dtype) if v.is_floating_point() else v for k, v in state.items()}
    bad = [f"{k} ({v.dtype})" for k, v in state.items() if v.dtype not in DTYPE_CODES]
    if bad:
        sys.exit(f"htp cannot hold these tensors' dtypes: {bad}")
    metadata = {
        "source": os.path.basename(args.input),
        "source_sha256": sha256(args.input),
        "format": args.format,
        "arch": args.arch,
        "torch": torch.__version__,
        "converter": "tools/convert_checkpoint.py",
    }
    save(args.output, state, metadata)
    print(f"{args.output}: {len(state)} tensors, {sum(v.numel() for v in state.values())} elements")


if __name__ == "__main__":
    main()
