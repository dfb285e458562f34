"""Where a training step's time goes, and what each trainer change buys (same examples, 1 epoch).

Prints tokens/s for: micro-batches of 2 x 4 accumulated, one fused pass of 8, and the fused pass
without the shared prompt prefix; then the top operators of a torch profile.
Run: .venv/bin/python bench/profile_step.py [--examples 64]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from torch.profiler import ProfilerActivity, profile

from andraeus.facts import load_facts
from andraeus.models import load_model
from andraeus.train import TrainConfig, add_lora, build_examples, fit, shared_prefix
from andraeus.variations import make_split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--examples", type=int, default=64)
    args = ap.parse_args()
    facts = load_facts("examples/facts.yaml")
    base = TrainConfig(epochs=1)
    model, tok = load_model(base.model, "cpu")
    model = add_lora(model, base)
    examples = build_examples(tok, facts, make_split(facts, 10, 0, 4), base)[: args.examples]
    mean_len = sum(len(e.input_ids) for e in examples) / len(examples)
    print(f"{len(examples)} examples, mean length {mean_len:.1f} tokens, shared prefix {len(shared_prefix(examples))}")
    fit(model, tok, examples[:8], base, progress=False)  # warm-up
    variants = {
        "micro-batch 2 x accumulate 4, no prefix sharing": replace(base, fuse_micro_batches=False, share_prefix=False),
        "one pass of 8, no prefix sharing": replace(base, share_prefix=False),
        "one pass of 8, shared prefix (default)": base,
    }
    for name, cfg in variants.items():
        start = time.perf_counter()
        stats = fit(model, tok, examples, cfg, progress=False)
        print(f"{name:<50} {stats.tokens / (time.perf_counter() - start):6.0f} tokens/s")
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fit(model, tok, examples[:32], base, progress=False)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=8))


if __name__ == "__main__":
    main()
