#!/usr/bin/env bash
# The GPU mode of the training benchmark, unattended: about six minutes on one H100/H200.
#   bash bench/gpu.sh [OUTDIR]        (default bench/gpu_out; logs and JSON land there)
# 1. Qwen2.5-7B's configuration, random bf16 weights, the default recipe's batch (2 x 4): TRL as it
#    ships (gradient checkpointing on), TRL without checkpointing, andraeus, andraeus QLoRA 4-bit.
# 2. The same with a larger batch (8 x 4) for TRL without checkpointing and andraeus: how much of
#    the card a bigger batch uses.
# Needs a CUDA GPU, trl + datasets (TRL arms) and bitsandbytes (QLoRA arm). On a machine with no
# package registry, wheels in .whl/ are installed first; ANDRAEUS_CACHE may point at a cache that
# holds the built-in tokenizer (models/smollm2-135m), which the random model borrows.
set -u
out=${1:-bench/gpu_out}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
if compgen -G ".whl/*.whl" >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=src${PYTHONPATH:+:$PYTHONPATH}
{
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
  python3 -c "import sys, torch, transformers, peft, trl, datasets, bitsandbytes as b
print(sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.version.cuda, 'transformers', transformers.__version__,
      'peft', peft.__version__, 'trl', trl.__version__, 'datasets', datasets.__version__, 'bitsandbytes', b.__version__)"
} 2>&1 | tee "$out/env.txt"

stage() {  # name, time limit (s), benchmark arguments
  local name=$1 limit=$2
  shift 2
  echo "== $name: bench/trl_vs_andraeus.py $*" | tee "$out/$name.log"
  timeout "$limit" python3 bench/trl_vs_andraeus.py --device cuda --arch qwen2.5-7b "$@" 2>&1 | tee -a "$out/$name.log"
  cp bench/last_trl_vs_andraeus_qwen2.5-7b_cuda.json "$out/$name.json" 2>/dev/null
}
stage recipe_batch 330 --steps 20 --arms trl,trl-nockpt,andraeus,qlora
stage batch32 150 --steps 10 --arms trl-nockpt,andraeus --micro-batch 8 --grad-accum 4
