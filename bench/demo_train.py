"""Time the demo's training (examples/facts.yaml, default settings) and print held-out accuracy
(as served, and with the adapter reading each question as written).

Run: .venv/bin/python bench/demo_train.py [--facts FILE] [--out DIR] [--seed S]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from andraeus.facts import load_facts
from andraeus.models import resolve
from andraeus.train import TrainConfig, train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--facts", default="examples/facts.yaml")
    ap.add_argument("--out", default=None, help="adapter folder (default: a temporary one)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    facts = load_facts(args.facts)
    config = TrainConfig(seed=args.seed)
    resolve(config.model)  # convert the built-in model first: not part of training time
    out = Path(args.out or tempfile.mkdtemp()) / "adapter"
    start = time.perf_counter()
    m = train(facts, out, config, overwrite=True)
    wall = time.perf_counter() - start
    t, ev = m["training"], m["eval"]
    print(f"facts: {m['facts']}  phrasings/fact: {config.variations}  epochs: {config.epochs}  device: {m['device']}")
    print(f"examples: {t['examples']}  optimiser steps: {t['steps']}  tokens: {t['tokens']}")
    print(f"train seconds: {m['timings']['train_s']:.1f}  ({m['tokens_per_s']} tokens/s)")
    print(f"wall seconds (load + train + eval + save): {wall:.1f}")
    print(f"peak memory: {m['peak_memory_mb']:.0f} MiB  adapter: {m['adapter_bytes'] / 2**20:.1f} MiB")
    for split in ("train", "heldout", "heldout_as_written"):  # as served; then the adapter reading the words
        if split not in ev:
            continue
        a = ev[split]
        print(f"{split} accuracy: {a['accuracy']:.1%}  95% CI [{a['ci95'][0]:.1%}, {a['ci95'][1]:.1%}]  "
              f"({a['questions']} questions)")


if __name__ == "__main__":
    main()
