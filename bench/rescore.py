"""Re-score the raw answers a `compare` run kept, with the scorer as it is now.

Every report keeps each reply verbatim, so a scorer change never needs the models run again.
Prints each arm's accuracy as stored and as re-scored, and how many replies are now hedges
(the right answer listed beside another fact's answer).
Run: .venv/bin/python bench/rescore.py bench/compare_demo/compare.json examples/facts.yaml
"""

from __future__ import annotations

import json
import sys

from andraeus.evaluate import accuracy, score_responses
from andraeus.facts import load_facts
from andraeus.variations import Phrasing


def main(report: str, facts_path: str) -> None:
    facts = load_facts(facts_path)
    for arm in json.load(open(report)):
        rows = arm.get("answers") or []
        if not rows:
            print(f"{arm['arm']:<34} no answers kept ({'does not fit' if not arm.get('fits', True) else 'empty'})")
            continue
        phrasings = [Phrasing(r["fact_id"], r["question"], "heldout") for r in rows]
        new = score_responses(facts, phrasings, [r["response"] for r in rows], "heldout")
        acc = accuracy(new)
        print(f"{arm['arm']:<34} stored {arm['accuracy']:6.1%}  re-scored {acc['accuracy']:6.1%} "
              f"[{acc['ci95'][0]:.1%}, {acc['ci95'][1]:.1%}]  hedges {sum(r.hedged for r in new)}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
