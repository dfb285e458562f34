"""Answering 300 questions: batched (what `ask --file` does) against one question at a time.

Both use greedy decoding, so the answers must be identical; the script checks that and prints the
speed-up. Run: .venv/bin/python bench/answer_speed.py [--adapter DIR] [--n 300]
"""

from __future__ import annotations

import argparse
import time

from andraeus.answer import Answerer
from andraeus.synth import synthetic_facts
from andraeus.variations import make_split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--adapter", default=None, help="adapter folder (default: the bare built-in model)")
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()

    facts = synthetic_facts(args.n // 3, seed=0)
    questions = [p.text for p in make_split(facts, 3, 0, 3).heldout][: args.n]
    answerer = Answerer.from_adapter(args.adapter, "cpu") if args.adapter else Answerer.from_model("smollm2-135m", "cpu")
    answerer.answer(questions[:4])  # warm-up

    start = time.perf_counter()
    batched = answerer.answer(questions)
    t_batched = time.perf_counter() - start
    start = time.perf_counter()
    single = [answerer.answer([q])[0] for q in questions]
    t_single = time.perf_counter() - start

    same = sum(a == b for a, b in zip(batched, single))
    print(f"{len(questions)} questions, max {answerer.max_new_tokens} new tokens, batch size {answerer.batch_size}")
    print(f"one at a time: {t_single:.1f} s ({len(questions) / t_single:.2f} questions/s)")
    print(f"batched:       {t_batched:.1f} s ({len(questions) / t_batched:.2f} questions/s)")
    print(f"speed-up: {t_single / t_batched:.1f}x; identical answers: {same}/{len(questions)}")


if __name__ == "__main__":
    main()
