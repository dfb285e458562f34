"""Where a training step's time goes, and what each trainer change buys (same examples, 1 epoch).

Prints tokens/s for: micro-batches of 2 x 4 accumulated, one fused pass of 8, and the fused pass
without the shared prompt prefix; PEFT's LoRA dropout against the shared-mask dropout (alternating,
twice each); the cost of one dropout mask; then the top operators of a torch profile and its matmul
time split into frozen-weight, rank-r LoRA and shared-prefix matmuls; and one AdamW step over the
LoRA weights, PyTorch's default (a loop over tensors) against the fused kernel the trainer uses.
`--part precision`: each of the model's matmul shapes in fp32 and in bf16 (a packed row of 184
tokens), then whole steps with `bf16_matmuls` off and on, alternating.
Run: .venv/bin/python bench/profile_step.py [--examples 64] [--part optimizer|precision]
"""

from __future__ import annotations

import argparse
import collections
import time
from dataclasses import replace

from torch.profiler import ProfilerActivity, profile

from andraeus.facts import load_facts
from andraeus.models import load_model
import torch

from andraeus.train import SharedInputDropout, TrainConfig, add_lora, build_examples, fit, keep_mask, shared_prefix
from andraeus.variations import make_split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--examples", type=int, default=64)
    ap.add_argument("--part", choices=("all", "optimizer", "precision"), default="all")
    args = ap.parse_args()
    facts = load_facts("examples/facts.yaml")
    base = TrainConfig(variations=10, epochs=1)
    model, tok = load_model(base.model, "cpu")
    model = add_lora(model, base)
    optimizer_ab(model)
    if args.part == "optimizer":
        return
    examples = build_examples(tok, facts, make_split(facts, 10, 0, 4), base)[: args.examples]
    if args.part == "precision":
        precision_ab(model, examples, base)
        return
    mean_len = sum(len(e.input_ids) for e in examples) / len(examples)
    print(f"{len(examples)} examples, mean length {mean_len:.1f} tokens, shared prefix {len(shared_prefix(examples))}")
    fit(model, examples[:8], base, progress=False)  # warm-up
    variants = {
        "micro-batch 2 x accumulate 4, no prefix sharing": replace(base, fuse_micro_batches=False, share_prefix=False),
        "one pass of 8, no prefix sharing": replace(base, share_prefix=False),
        "one pass of 8, shared prefix (default)": base,
    }
    for name, cfg in variants.items():
        start = time.perf_counter()
        stats = fit(model, examples, cfg, progress=False)
        print(f"{name:<50} {stats.tokens / (time.perf_counter() - start):6.0f} tokens/s")
    dropout_ab(model, tok, examples, base)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        fit(model, examples[:32], base, progress=False)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=8))
    matmuls_by_kind(prof, base.lora_rank, len(shared_prefix(examples)))


def optimizer_ab(model, steps: int = 20) -> None:
    """Milliseconds per AdamW step over the LoRA weights: default (for-loop) vs fused, alternating."""
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        p.grad = torch.randn_like(p) * 1e-3
    for fused in (False, True, False, True):
        opt = torch.optim.AdamW(params, lr=1e-9, fused=fused)
        opt.step()  # allocates the moment buffers
        start = time.perf_counter()
        for _ in range(steps):
            opt.step()
        label = "AdamW, fused (default)" if fused else "AdamW, PyTorch's default"
        print(f"{label:<50} {(time.perf_counter() - start) / steps * 1e3:6.1f} ms a step, {len(params)} tensors")
    for p in params:
        p.grad = None


def dropout_ab(model, tok, examples, config: TrainConfig) -> None:
    """PEFT's dropout (bernoulli, one mask per projection) against SharedInputDropout, alternating."""
    holders = [m for m in model.modules() if isinstance(getattr(m, "lora_dropout", None), torch.nn.ModuleDict)]
    x = torch.randn(225, 576)
    for name, make in (("bernoulli mask (PEFT's dropout)", lambda: torch.empty(x.shape).bernoulli_(0.95)),
                       ("one 16-bit random integer per element",
                        lambda: torch.empty(x.shape, dtype=torch.int16).random_(0, 1 << 15) >= 1638),
                       ("four draws per 64-bit integer (keep_mask)", lambda: keep_mask(x.shape, 0.05))):
        make()
        start = time.perf_counter()
        for _ in range(50):
            make()
        print(f"{name:<50} {(time.perf_counter() - start) / 50 * 1e6:6.0f} us for a 225 x 576 mask")
    for shared in (False, True, False, True):
        memo: dict = {}
        for m in holders:
            m.lora_dropout["default"] = (SharedInputDropout(config.lora_dropout, memo) if shared
                                         else torch.nn.Dropout(config.lora_dropout))
        start = time.perf_counter()
        stats = fit(model, examples, config, progress=False)
        label = "shared-mask dropout (default)" if shared else "PEFT's dropout"
        print(f"{label:<50} {stats.tokens / (time.perf_counter() - start):6.0f} tokens/s")


def precision_ab(model, examples, config: TrainConfig, tokens: int = 184) -> None:
    """GFLOP/s of the model's matmul shapes in fp32 and bf16, forward (x W^T) and backward (g W);
    then tokens/s of whole steps with bf16_matmuls off and on, alternating, twice."""
    layer = model.get_base_model().model.layers[0]
    shapes = {"q/o": layer.self_attn.q_proj, "k/v": layer.self_attn.k_proj, "gate/up": layer.mlp.gate_proj,
              "down": layer.mlp.down_proj}
    for name, lora in shapes.items():
        w = lora.base_layer.weight.detach()
        a = lora.lora_A["default"].weight.detach()
        for part, (x, y) in {"frozen": (torch.randn(tokens, w.shape[1]), w.T),
                             "frozen, backward": (torch.randn(tokens, w.shape[0]), w),
                             "LoRA A": (torch.randn(tokens, a.shape[1]), a.T)}.items():
            rates = [_gflops(x.to(dtype), y.to(dtype).contiguous()) for dtype in (torch.float32, torch.bfloat16)]
            print(f"{name:<8} {part:<17} fp32 {rates[0]:6.0f} GFLOP/s   bf16 {rates[1]:6.0f} GFLOP/s")
    fit(model, examples[:8], replace(config, bf16_matmuls=True), progress=False)  # warm-up
    for on in (False, True, False, True):
        start = time.perf_counter()
        stats = fit(model, examples, replace(config, bf16_matmuls=on), progress=False)
        label = "bf16 matmuls (default here)" if on else "fp32 throughout"
        print(f"{label:<50} {stats.tokens / (time.perf_counter() - start):6.0f} tokens/s")


def _gflops(x: torch.Tensor, y: torch.Tensor, repeats: int = 50) -> float:
    x @ y
    start = time.perf_counter()
    for _ in range(repeats):
        x @ y
    return 2 * x.shape[0] * x.shape[1] * y.shape[1] * repeats / (time.perf_counter() - start) / 1e9


def matmuls_by_kind(prof, rank: int, prefix: int) -> None:
    """Seconds and GFLOP/s of the profiled matmuls: rank-r LoRA, shared prefix, frozen weights."""
    kinds = collections.defaultdict(lambda: [0.0, 0.0])
    for e in prof.key_averages(group_by_input_shape=True):
        if e.key != "aten::mm" or len(e.input_shapes) < 2:
            continue
        (m, k), (_, n) = e.input_shapes[0], e.input_shapes[1]
        kind = f"LoRA (rank {rank})" if rank in (m, k, n) else (
            f"shared prefix ({prefix} tokens)" if min(m, n) <= prefix else "frozen weights")
        kinds[kind][0] += e.self_cpu_time_total / 1e6
        kinds[kind][1] += 2 * m * k * n * e.count / 1e9
    for kind, (seconds, gflop) in kinds.items():
        print(f"matmuls, {kind:<30} {seconds:6.2f} s  {gflop:7.1f} GFLOP  {gflop / seconds:6.1f} GFLOP/s")


if __name__ == "__main__":
    main()
