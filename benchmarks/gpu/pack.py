"""Pack the base MiniLM weights small enough to travel: int8 per row for matrices, fp16 else."""

import sys

import numpy as np
from safetensors.numpy import load_file

src, dst = sys.argv[1], sys.argv[2]
w = load_file(src)
out = {}
for k, v in w.items():
    v = v.astype(np.float32)
    if v.ndim == 2 and v.size > 100_000:
        scale = np.abs(v).max(axis=1, keepdims=True) / 127.0
        scale[scale == 0] = 1.0
        out["q8|" + k] = np.round(v / scale).astype(np.int8)
        out["sc|" + k] = scale.astype(np.float32)
    else:
        out["f16|" + k] = v.astype(np.float16)
np.savez(dst, **out)
