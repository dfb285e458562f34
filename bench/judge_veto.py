"""A judge's two thresholds after the served gate, on people it was not fitted on, route only.

For each hand-written held-out and never-given question the served gate (without a judge) answers
from or declines beside a trained phrasing, the judge's score for (the question as the gate reads it,
that phrasing). A veto at threshold T declines every answered question scoring below T: the first
table says how many held-out questions routed to their own fact it would lose and how many
never-given ones it would catch. An override at O answers every declined question scoring O or more
from that phrasing: the second says how many held-out questions it would win back (declined beside
their own fact) and how many never-given ones it would let through. So a trade of held-out accuracy
for confusion can be read off at every threshold. Phrasings of a default adapter of seed 0 (no
adapter needed); the judge shipped in src/andraeus/data/judge was fitted on Maya's, the second's,
the third's and the fourth person's questions, so they are left out by default.

  .venv/bin/python bench/judge_veto.py [--people fifth,sixth,...] [--judge DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from andraeus.facts import load_facts
from andraeus.gate import as_the_gate_reads
from andraeus.judge import Judge
from gate_routes import default_saved, hand_written, people, served_gate
from gate_study import trained

FITTED = ("maya", "second", "third", "fourth")
THRESHOLDS = (-8.0, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0)
OVERRIDES = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)


def routed(facts_path: Path, held: list[Path], never: list[Path],
           judge: Judge) -> tuple[list[tuple[str, str, bool, float]], int, int]:
    """(kind, route, beside its own fact, judge score) for each question the served gate answers from
    ("adapter") or declines beside ("decline") a fact's trained phrasing, kind "held" or "never"; and
    how many held-out and never-given questions were asked."""
    facts = load_facts(facts_path)
    train, texts, ids = trained(default_saved(facts))
    rows = hand_written(facts, train, held, never)
    routes, beside = served_gate(facts, texts, ids).before_judge([q for _, q, _ in rows])
    sent = [(want, q, r.to, b[0]) for (_, q, want), r, b in zip(rows, routes, beside) if b is not None]
    scores = judge.scores([(as_the_gate_reads(q, facts.person), texts[j]) for _, q, _, j in sent])
    asked_never = sum(want == "decline" for _, _, want in rows)
    return ([("never" if want == "decline" else "held", to, ids[j] == want, s)
             for (want, _, to, j), s in zip(sent, scores)], len(rows) - asked_never, asked_never)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=lambda s: s.split(","), help="comma-separated (default: all but the fitted)")
    ap.add_argument("--judge", type=Path, help="a judge folder (default: the shipped one)")
    args = ap.parse_args()
    judge = Judge(args.judge)
    everyone = people()
    names = args.people or [n for n in everyone if n not in FITTED]
    scored, asked_held, asked_never = [], 0, 0
    for name in names:
        rows, n_held, n_never = routed(*everyone[name], judge)
        scored, asked_held, asked_never = scored + rows, asked_held + n_held, asked_never + n_never
    right = [s for kind, to, ok, s in scored if kind == "held" and to == "adapter" and ok]
    confused = [s for kind, to, _, s in scored if kind == "never" and to == "adapter"]
    print(f"{', '.join(names)}: {len(right)} held-out questions routed to their own fact, "
          f"{len(confused)} of {asked_never} never-given questions routed to a fact")
    for t in THRESHOLDS:
        lost, caught = sum(s < t for s in right), sum(s < t for s in confused)
        print(f"veto below {t:5.1f}: loses {lost:3d} of them ({100 * lost / len(right):4.1f}%), "
              f"catches {caught:3d} never-given ({100 * caught / asked_never:4.1f} points of confusion)")
    held_declined = [s for kind, to, ok, s in scored if kind == "held" and to == "decline" and ok]
    never_declined = [s for kind, to, _, s in scored if kind == "never" and to == "decline"]
    print(f"{len(held_declined)} held-out questions declined beside their own fact, "
          f"{len(never_declined)} never-given declined beside a fact")
    for o in OVERRIDES:
        won, through = sum(s >= o for s in held_declined), sum(s >= o for s in never_declined)
        print(f"override at {o:4.1f}: wins back {won:3d} held-out ({100 * won / asked_held:4.1f} points of {asked_held}), "
              f"lets {through:3d} never-given through ({100 * through / asked_never:4.1f} points of confusion)")


if __name__ == "__main__":
    main()
