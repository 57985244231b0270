"""Minimal safetensors writer shared by the fixture scripts (F32, F64, I64, U8, BOOL)."""
import json, struct
import torch


def write_safetensors(path, named):
    header, blobs, offset = {}, [], 0
    codes = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.uint8: "U8", torch.bool: "BOOL"}
    for k, t in named.items():
        t = t.detach().contiguous()
        b = t.numpy().tobytes()
        header[k] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
