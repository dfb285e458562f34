"""Fit the judge the gate ships with (src/andraeus/data/judge/, see andraeus.judge) from the
hand-written question sets in examples/.

For each person named: their facts' default training phrasings (20 per fact, seed 0, as
`andraeus train` makes them); each hand-written held-out question paired with the nearest (MiniLM)
phrasing of its own fact (yes) and, when another fact is nearer, with that fact's nearest phrasing
(no); each never-given question with the nearest phrasing of the nearest fact (no). Per person at
most 600 pairs of each label, sampled, so that Maya's 35 sets do not drown the others.
Then the generator's own phrasings, so that the judge does not learn "worded alike, so a near miss"
from the hand-written pairs alone (their rewordings are far from the phrasings, their near misses
close): each generated held-out phrasing and each trained phrasing with the nearest other phrasing
of its own fact (yes) and with the nearest phrasing of another fact (no), at most 100 of each label
per person. The fifth and sixth people are left out by default: the shipped judge was fitted
without them and measured on them (bench/RESULTS.md, "A sixth person").

  .venv/bin/python bench/train_judge.py [--people maya,second,third,fourth | --people all --leave-out fifth,sixth]
      [--out src/andraeus/data/judge]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

from andraeus.baselines import minilm
from andraeus.facts import load_facts
from andraeus.judge import JudgeConfig, fit_judge
from andraeus.variations import load_questions, make_split, without_leaks
from gate_routes import people

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = people()  # name -> (facts, held-out sets, never-given sets)
SHIPPED = "maya,second,third,fourth"  # whose sets the shipped judge was fitted on
PER_LABEL = 600
GENERATED = 100  # ... of generated phrasings


def hand_written(facts_file: Path, held_sets: list[Path], never_sets: list[Path]):
    """One person's facts, default training phrasings (20 per fact, seed 0), hand-written held-out
    questions (those equal to a training phrasing left out) and never-given questions."""
    facts = load_facts(facts_file)
    train = make_split(facts, 20, 0).train
    held = [q for p in held_sets for q in without_leaks(train, load_questions(p, facts))[0]]
    never = [q for p in never_sets for q in yaml.safe_load(p.read_text())["questions"]]
    return facts, train, held, never


def person_pairs(model, facts_file: Path, held_sets: list[Path], never_sets: list[Path]) -> list[tuple[str, str, int]]:
    """(question, phrasing, 1 if the phrasing's fact answers the question) for one person's sets."""
    _, train, held, never = hand_written(facts_file, held_sets, never_sets)
    texts, ids = [p.text for p in train], [p.fact_id for p in train]
    enc = dict(normalize_embeddings=True, convert_to_tensor=True, batch_size=128)
    similar = model.encode([q.text for q in held] + never, **enc) @ model.encode(texts, **enc).T

    def nearest(i: int, fact: str | None = None) -> int:
        """The nearest phrasing to question i, of `fact` if given."""
        return int(similar[i].masked_fill(similar.new_tensor([f != fact for f in ids]).bool(), -2.0).argmax()) \
            if fact else int(similar[i].argmax())

    out = []
    for i, q in enumerate(held):
        out.append((q.text, texts[nearest(i, q.fact_id)], 1))
        if ids[j := nearest(i)] != q.fact_id:
            out.append((q.text, texts[j], 0))
    out += [(q, texts[nearest(len(held) + i)], 0) for i, q in enumerate(never)]
    return out


def generated_pairs(model, facts_file: Path) -> list[tuple[str, str, int]]:
    """Each generated held-out phrasing and each trained phrasing with the nearest other phrasing of its
    own fact (1) and the nearest phrasing of another fact (0)."""
    facts = load_facts(facts_file)
    split = make_split(facts, 20, 0)
    texts, ids = [p.text for p in split.train], [p.fact_id for p in split.train]
    asked = list(split.heldout) + list(split.train)
    enc = dict(normalize_embeddings=True, convert_to_tensor=True, batch_size=128)
    similar = model.encode([p.text for p in asked], **enc) @ model.encode(texts, **enc).T
    out = []
    for i, p in enumerate(asked):
        same = similar.new_tensor([f == p.fact_id and t != p.text for f, t in zip(ids, texts)]).bool()
        out.append((p.text, texts[int(similar[i].masked_fill(~same, -2.0).argmax())], 1))
        other = similar.new_tensor([f != p.fact_id for f in ids]).bool()
        out.append((p.text, texts[int(similar[i].masked_fill(~other, -2.0).argmax())], 0))
    return out


def balanced(pairs: list[tuple[str, str, int]], rng: random.Random, most: int = PER_LABEL) -> list[tuple[str, str, int]]:
    """At most `most` pairs of each label, and no more yes-pairs than there are no-pairs (150 at least)."""
    yes, no = [p for p in pairs if p[2]], [p for p in pairs if not p[2]]
    k = min(len(yes), max(len(no), 150), most)
    return rng.sample(yes, k) + rng.sample(no, min(k, len(no)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", default=SHIPPED,
                    help="whose sets to fit on, comma-separated (names as in examples/: maya, second, ...), or all")
    ap.add_argument("--leave-out", default="fifth,sixth", help="with --people all: whose sets not to fit on")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "andraeus" / "data" / "judge")
    args = ap.parse_args()
    chosen = args.people.split(",")
    if args.people == "all":
        chosen = [p for p in PEOPLE if p not in args.leave_out.split(",")]
    if unknown := [p for p in chosen if p not in PEOPLE]:
        ap.error(f"no such people in examples/: {', '.join(unknown)} (names: {', '.join(PEOPLE)})")
    model, rng = minilm(), random.Random(0)
    pairs = []
    for person in chosen:
        got = balanced(person_pairs(model, *PEOPLE[person]), rng)
        made = balanced(generated_pairs(model, PEOPLE[person][0]), rng, GENERATED)
        print(f"{person}: {sum(p[2] for p in got)} yes, {sum(not p[2] for p in got)} no; generated "
              f"{sum(p[2] for p in made)} yes, {sum(not p[2] for p in made)} no")
        pairs += got + made
    settings = fit_judge([(q, p) for q, p, _ in pairs], [y for *_, y in pairs], args.out, JudgeConfig())
    print(f"threshold {settings['threshold']:.3f}  override {settings['override']}  -> {args.out}")


if __name__ == "__main__":
    main()
