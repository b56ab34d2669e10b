"""Rebuild model.safetensors (fp32) from pack.py's npz."""

import sys

import numpy as np
from safetensors.numpy import save_file

z = np.load(sys.argv[1])
out = {}
for name in z.files:
    kind, k = name.split("|", 1)
    if kind == "q8":
        out[k] = (z[name].astype(np.float32) * z["sc|" + k]).astype(np.float32)
    elif kind == "f16":
        out[k] = z[name].astype(np.float32)
save_file(out, sys.argv[2], metadata={"format": "pt"})
