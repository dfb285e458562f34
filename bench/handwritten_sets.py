"""Accuracy on each hand-written held-out set, for several groups of adapters, on the same questions.

A run leaves out the hand-written questions that equal one of its training phrasings, and runs with
more phrasings leave out more; so every figure here is on the questions that *every* compared run
kept (the count per set is printed). Questions are matched to their set by text.

  .venv/bin/python bench/handwritten_sets.py [--sweep SWEEP_DIR] \
      [--runs "LABEL=ADAPTER,ADAPTER,..."]... [--evals "LABEL=ADAPTER:EVAL_JSON,..."]...

--sweep: every cell of an `andraeus sweep --questions` run (grouped by phrasing count and mode);
--runs: adapters from `andraeus train --questions` (their eval.json holds every answer);
--evals: adapters scored by `andraeus eval --questions --json` (failures only: kept minus failures).
The questions must be a merge of the example sets (see the RESULTS section for the command).
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
from pathlib import Path

import yaml

from andraeus.facts import normalise_question
from andraeus.variations import Phrasing, without_leaks

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SETS = {"set1": "heldout_handwritten.yaml", "set2": "heldout_handwritten2.yaml",
        "set3": "heldout_handwritten3.yaml", "set4": "heldout_handwritten4.yaml",
        "set5": "heldout_handwritten5.yaml", "set6": "heldout_handwritten6.yaml"}


def load_sets() -> tuple[dict[str, set[str]], list[Phrasing]]:
    where: dict[str, set[str]] = {}
    questions = []
    for name, file in SETS.items():
        for fact_id, texts in yaml.safe_load((EXAMPLES / file).read_text()).items():
            for text in texts:
                where.setdefault(normalise_question(text), set()).add(name)
                questions.append(Phrasing(fact_id, text, "handwritten"))
    return where, questions


def from_results(folder: str) -> dict[str, bool]:
    """Normalised question -> right, from an adapter's eval.json (train or sweep cell)."""
    results = json.loads((Path(folder) / "eval.json").read_text())["results"]
    return {normalise_question(r["question"]): r["correct"] for r in results if r["split"] == "handwritten"}


def from_eval_json(folder: str, eval_json: str, questions: list[Phrasing]) -> dict[str, bool]:
    """From `eval --json` output: the questions the adapter kept, right unless listed as failures."""
    saved = json.loads((Path(folder) / "phrasings.json").read_text())["train"]
    kept, _ = without_leaks([Phrasing(p["fact_id"], p["text"], p["family"]) for p in saved], questions)
    failed = {normalise_question(f["question"]) for f in json.loads(Path(eval_json).read_text())["failures"]
              if f["split"] == "handwritten"}
    return {normalise_question(p.text): normalise_question(p.text) not in failed for p in kept}


def table(groups: dict[str, list[dict[str, bool]]], where: dict[str, set[str]]) -> None:
    common = set.intersection(*(set(run) for runs in groups.values() for run in runs))
    print("questions every run kept: " + ", ".join(
        f"{s} {sum(s in where.get(q, ()) for q in common)}" for s in SETS))
    for label, runs in groups.items():
        cols = []
        for s in SETS:
            qs = [q for q in common if s in where.get(q, ())]
            if not qs:  # a set these runs were not asked
                continue
            per = [100 * sum(run[q] for q in qs) / len(qs) for run in runs]
            cols.append(f"{s} {statistics.mean(per):5.1f} [{' / '.join(f'{x:.1f}' for x in per)}]")
        print(f"{label:>26}: " + "  ".join(cols))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep", help="An `andraeus sweep` output folder.")
    ap.add_argument("--runs", action="append", default=[], help="LABEL=ADAPTER,ADAPTER,...")
    ap.add_argument("--evals", action="append", default=[], help="LABEL=ADAPTER:EVAL_JSON,...")
    args = ap.parse_args()
    where, questions = load_sets()
    groups: dict[str, list[dict[str, bool]]] = {}
    if args.sweep:
        for cell in sorted(glob.glob(f"{args.sweep}/cells/*/eval.json")):
            name = Path(cell).parent.name  # n10-s0-same-epochs
            count, mode = name.split("-")[0][1:], name.split("-", 2)[2]
            groups.setdefault(f"{count} phrasings, {mode}", []).append(from_results(str(Path(cell).parent)))
        groups = dict(sorted(groups.items(), key=lambda kv: int(kv[0].split()[0])))
    for spec in args.runs:
        label, folders = spec.split("=", 1)
        groups[label] = [from_results(f) for f in folders.split(",")]
    for spec in args.evals:
        label, pairs = spec.split("=", 1)
        groups[label] = [from_eval_json(*pair.split(":"), questions) for pair in pairs.split(",")]
    table(groups, where)


if __name__ == "__main__":
    main()
