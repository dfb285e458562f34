"""Are a GPU run's replies (bench/gpu_accuracy.py run) the replies CPU adapters of the same people and seeds give?

  .venv/bin/python bench/gpu_cpu_replies.py bench/gpu_h200/accuracy_replies.json twentyfirst=/tmp/r21 twentysecond=/tmp/r22

Each NAME=DIR holds CPU adapters DIR/s0, DIR/s1, ... (`andraeus train ... --out DIR/sS --seed S`). Prints,
per adapter, how many of the same texts get the same greedy reply, with the adapter and with the base model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from andraeus.answer import Answerer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("replies", type=Path)
    ap.add_argument("adapters", nargs="+", help="NAME=DIR")
    args = ap.parse_args()
    folders = dict(a.split("=", 1) for a in args.adapters)
    total = same = 0
    for r in json.loads(args.replies.read_text()):
        if r["name"] not in folders:
            continue
        answerer = Answerer.from_adapter(Path(folders[r["name"]]) / f"s{r['seed']}", gate=None)
        for to, use_adapter in (("adapter", True), ("base", False)):
            texts = list(r["replies"][to])
            cpu = answerer.answer(texts, use_adapter=use_adapter)
            n = sum(c == r["replies"][to][t] for t, c in zip(texts, cpu))
            print(f"{r['name']} seed {r['seed']} {to}: {n}/{len(texts)} identical", flush=True)
            total, same = total + len(texts), same + n
    print(f"all: {same}/{total} identical")


if __name__ == "__main__":
    main()
