"""The shipped judge as a veto after the served gate, on people it was not fitted on, route only.

For each hand-written held-out and never-given question the served gate sends to the adapter, the
judge's score for (the question in the user's voice, the trained phrasing it is answered from). A
veto at threshold T declines every such question scoring below T: the table says how many held-out
questions routed to their own fact it would lose and how many never-given ones it would catch, so a
trade of held-out accuracy for confusion can be read off at every T. Phrasings of a default adapter
of seed 0 (no adapter needed); the judge shipped in src/andraeus/data/judge was fitted on Maya's,
the second's, the third's and the fourth person's questions, so they are left out by default.

  .venv/bin/python bench/judge_veto.py [--people fifth,sixth,...] [--judge DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from andraeus.facts import load_facts
from andraeus.gate import in_own_voice, plain_kin
from andraeus.judge import Judge
from gate_routes import default_saved, hand_written, people, served_gate
from gate_study import trained

FITTED = ("maya", "second", "third", "fourth")
THRESHOLDS = (-6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0)


def routed(facts_path: Path, held: list[Path], never: list[Path], judge: Judge) -> list[tuple[str, bool, float]]:
    """(kind, routed to its own fact, judge score) for each question the served gate sends to the adapter;
    kind "held" or "never"."""
    facts = load_facts(facts_path)
    train, texts, ids = trained(default_saved(facts))
    rows = hand_written(facts, train, held, never)
    of = dict(zip(texts, ids))
    routes = served_gate(facts, texts, ids).route([q for _, q, _ in rows])
    sent = [(want, q, r.text) for (_, q, want), r in zip(rows, routes) if r.to == "adapter" and r.text in of]
    scores = judge.scores([(plain_kin(in_own_voice(q, facts.person)), text) for _, q, text in sent])
    return [("never" if want == "decline" else "held", of[text] == want, s) for (want, _, text), s in zip(sent, scores)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=lambda s: s.split(","), help="comma-separated (default: all but the fitted)")
    ap.add_argument("--judge", type=Path, help="a judge folder (default: the shipped one)")
    args = ap.parse_args()
    judge = Judge(args.judge)
    everyone = people()
    names = args.people or [n for n in everyone if n not in FITTED]
    scored, asked_never = [], 0
    for name in names:
        facts, held, never = everyone[name]
        scored += routed(facts, held, never, judge)
        asked_never += sum(len(yaml.safe_load(p.read_text())["questions"]) for p in never)
    right = [s for kind, ok, s in scored if kind == "held" and ok]
    confused = [s for kind, _, s in scored if kind == "never"]
    print(f"{', '.join(names)}: {len(right)} held-out questions routed to their own fact, "
          f"{len(confused)} of {asked_never} never-given questions routed to a fact")
    for t in THRESHOLDS:
        lost, caught = sum(s < t for s in right), sum(s < t for s in confused)
        print(f"veto below {t:5.1f}: loses {lost:3d} of them ({100 * lost / len(right):4.1f}%), "
              f"catches {caught:3d} never-given ({100 * caught / asked_never:4.1f} points of confusion)")


if __name__ == "__main__":
    main()
