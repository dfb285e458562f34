"""Training cost against the number of facts: does it grow linearly? (issue 5)

Trains the default recipe (10 phrasings per fact, the guide's LoRA settings) on synthetic fact sets
of each size for --epochs, one fresh model per size, and prints examples, tokens, seconds, seconds
per fact and tokens/s, then a line through the origin fitted to (facts, seconds) and each size's
deviation from it. Everything per example is fixed work, so the cost should be linear; this checks
that nothing else (phrasing generation, the leak check, batching) grows faster.
Run: .venv/bin/python bench/linear_cost.py --sizes 10,30,100,300 --epochs 1
"""

from __future__ import annotations

import argparse
import time

from andraeus.models import load_model
from andraeus.synth import synthetic_facts
from andraeus.train import TrainConfig, add_lora, build_examples, fit
from andraeus.variations import check_leaks, make_split


def one_size(n: int, epochs: int) -> dict:
    config = TrainConfig(variations=10, epochs=epochs, probes=False)
    facts = synthetic_facts(n, seed=0)
    start = time.perf_counter()
    split = make_split(facts, config.variations, config.seed, config.heldout_per_fact)
    check_leaks(split)
    prep_s = time.perf_counter() - start
    model, tok = load_model(config.model, "cpu")
    examples = build_examples(tok, facts, split, config)
    stats = fit(add_lora(model, config), examples, config, progress=False)
    return {"facts": n, "examples": len(examples), "tokens": stats.tokens, "prep_s": prep_s,
            "train_s": stats.seconds, "total_s": prep_s + stats.seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10,30,100,300")
    ap.add_argument("--epochs", type=int, default=1)
    args = ap.parse_args()
    rows = [one_size(int(n), args.epochs) for n in args.sizes.split(",")]
    slope = sum(r["facts"] * r["total_s"] for r in rows) / sum(r["facts"] ** 2 for r in rows)
    print(f"{'facts':>6} {'examples':>8} {'tokens':>8} {'phrasings+leak check s':>22} {'train s':>8} "
          f"{'s per fact':>10} {'tokens/s':>8} {'vs line':>8}")
    for r in rows:
        print(f"{r['facts']:>6} {r['examples']:>8} {r['tokens']:>8} {r['prep_s']:>22.2f} {r['train_s']:>8.1f} "
              f"{r['total_s'] / r['facts']:>10.2f} {r['tokens'] / r['train_s']:>8.0f} "
              f"{r['total_s'] / (slope * r['facts']) - 1:>+8.1%}")
    print(f"fitted: {slope:.2f} s per fact per {args.epochs} epoch(s) on this machine")


if __name__ == "__main__":
    main()
