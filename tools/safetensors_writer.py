"""Writes safetensors files from PyTorch tensors, byte for byte as htp's nn/safetensors.cpp writes them.

Shared by tools/make_fixtures.py and tools/convert_checkpoint.py, so that neither needs the `safetensors` package.
Format (huggingface/safetensors, safetensors/src/tensor.rs): an unsigned 64-bit little-endian header length N, N bytes
of JSON {"__metadata__": {str: str}, NAME: {"dtype": "F32", "shape": [...], "data_offsets": [BEGIN, END]}, ...}
padded with spaces to a multiple of 8, then the tensors packed in C order, little-endian. As the reference writer
does, tensors are ordered by element size (largest first, which keeps each one aligned) and then by name.
"""
import json
import os
import struct

import torch

DTYPE_CODES = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.uint8: "U8",
    torch.bool: "BOOL",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
}


def _raw_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: write its bits
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def encode(tensors: dict, metadata: dict = None) -> bytes:
    for name, t in tensors.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved and cannot name a tensor")
        if t.dtype not in DTYPE_CODES:
            raise ValueError(f"tensor '{name}' has dtype {t.dtype}; htp reads only {sorted(DTYPE_CODES.values())}")
    order = sorted(tensors, key=lambda n: (-tensors[n].element_size(), n))
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in sorted(metadata.items())}
    chunks, at = [], 0
    for name in order:
        t = tensors[name]
        data = _raw_bytes(t)
        header[name] = {"dtype": DTYPE_CODES[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(data)]}
        chunks.append(data)
        at += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def save(path: str, tensors: dict, metadata: dict = None) -> None:
    """Writes to a temporary file next to `path`, then renames it over `path`."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(encode(tensors, metadata))
    os.replace(tmp, path)
