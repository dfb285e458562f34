"""Where a GPU training step's time goes, and what each change to andraeus's trainer buys there.

On the GPU benchmark's model (bench/trl_vs_andraeus.py: Qwen2.5-7B's configuration, random bf16
weights) and the default recipe's batch, one model load: milliseconds per optimiser step for the
trainer as shipped and for variants (no shared prefix, no LoRA dropout, TF32 for the fp32 LoRA
matmuls, all three); a torch profile of the shipped step (CPU time against GPU kernel time, top
operators); then QLoRA with PEFT's prepare_model_for_kbit_training (every bf16 weight cast to fp32)
against LoRA put straight on the 4-bit model: step time and peak memory.
  python bench/gpu_profile.py [--steps 10] [--arch qwen2.5-7b] [--device cuda]
`--device cpu --arch tiny` runs the same code on a 2-layer model (plumbing check; no QLoRA part).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).parent))
from trl_vs_andraeus import ARCHS, _setup, _sync, random_model_dir  # noqa: E402

from andraeus.train import add_lora, fit  # noqa: E402


def ms_per_step(model, tok, examples, config, steps: int, warmup: int = 3) -> float:
    fit(model, examples, replace(config, max_steps=warmup), progress=False)
    _sync(config.device)
    stats = fit(model, examples, replace(config, max_steps=steps), progress=False)
    return stats.seconds / steps * 1e3


def variants(args) -> None:
    facts, config, split, base, tok, examples = _setup(args)
    cases = [  # the shipped trainer first and last: a drift between them would show
        ("as shipped", config, False),
        ("no shared prefix", replace(config, share_prefix=False), False),
        ("no LoRA dropout", replace(config, lora_dropout=0.0), False),
        ("TF32 for fp32 LoRA matmuls", config, True),
        ("all three", replace(config, share_prefix=False, lora_dropout=0.0), True),
        ("as shipped, again", config, False),
    ]
    for i, (name, cfg, tf32) in enumerate(cases):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        model = add_lora(base, cfg)
        print(f"{name:<30} {ms_per_step(model, tok, examples, cfg, args.steps):7.1f} ms a step", flush=True)
        if i == 0:
            try:
                profile_steps(model, tok, examples, cfg, args.device)
            except Exception as e:  # the profile is a diagnosis: never lose the timings to it
                print(f"profile failed: {e!r}")
        base = model.unload()


def profile_steps(model, tok, examples, config, device: str, steps: int = 3) -> None:
    """CPU time against GPU kernel time over a few steps, and the operators that take the CPU's time."""
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])
    _sync(device)
    start = time.perf_counter()
    with profile(activities=acts) as prof:
        fit(model, examples, replace(config, max_steps=steps), progress=False)
        _sync(device)
    wall = time.perf_counter() - start
    events = prof.key_averages()
    kernels = sum(e.duration_ns() for e in prof.profiler.kineto_results.events()
                  if e.device_type() == torch.autograd.DeviceType.CUDA) / 1e9
    launches = sum(e.count for e in events if e.key.startswith(("cudaLaunchKernel", "cuLaunchKernel")))
    print(f"profile, {steps} steps: {wall:.2f} s wall (profiled), GPU kernels busy {kernels:.2f} s "
          f"({kernels / wall:.0%}), {launches} kernel launches ({launches / steps:.0f} a step)")
    print(events.table(sort_by="self_cpu_time_total", row_limit=12))
    if device == "cuda":
        print(events.table(sort_by="self_device_time_total", row_limit=8))


def qlora(args) -> None:
    """LoRA straight on the 4-bit model, then (same model, adapter removed) as shipped, through
    prepare_model_for_kbit_training, which casts every bf16 weight to fp32: step time, peak memory."""
    from peft import LoraConfig, get_peft_model

    gc.collect()
    torch.cuda.empty_cache()
    print(f"before QLoRA: {torch.cuda.memory_allocated() / 2**20:.0f} MiB still allocated")
    facts, config, split, model, tok, examples = _setup(args, quantize="4bit")
    for prepare in (False, True):
        if prepare:
            model = add_lora(model, config)  # as shipped: calls prepare_model_for_kbit_training
        else:
            model = get_peft_model(model, LoraConfig(
                r=config.lora_rank, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                target_modules=config.target_modules, task_type="CAUSAL_LM"))
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        ms = ms_per_step(model, tok, examples, config, args.steps)
        fp32 = sum(p.numel() for p in model.parameters() if p.dtype == torch.float32 and not p.requires_grad)
        label = "QLoRA, prepare_model_for_kbit_training" if prepare else "QLoRA, LoRA straight on the 4-bit model"
        print(f"{label:<42} {ms:7.1f} ms a step, peak {torch.cuda.max_memory_allocated() / 2**20:7.0f} MiB, "
              f"{fp32 / 1e6:.0f} M frozen fp32 weights", flush=True)
        model = model.unload()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--arch", choices=list(ARCHS), default="qwen2.5-7b")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cuda")
    ap.add_argument("--facts", type=int, default=30)
    args = ap.parse_args()
    # what _setup reads, as the benchmark's defaults
    args.facts_file, args.variations, args.epochs, args.micro_batch, args.grad_accum = None, 10, 5, 0, 0
    random_model_dir(args.arch)
    variants(args)
    if args.device == "cuda":
        qlora(args)


if __name__ == "__main__":
    main()
