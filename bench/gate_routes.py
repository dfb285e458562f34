"""Where the gate sends each hand-written question, without answering any: a cheap check of a change to
the gate's words on questions already read, before a blind set measures it.

  # the routes of the code importable now (PYTHONPATH=OLD/src for another version), one JSON line each
  .venv/bin/python bench/gate_routes.py dump ADAPTER --facts FACTS --held SET.yaml ... --never SET.yaml ... --out F.jsonl
  # every person in examples/ (facts.yaml with its numbered sets, facts_X.yaml with X_heldout_handwritten.yaml
  # and X_never_given_handwritten.yaml), phrasings as a default adapter of seed 0 trains on: OUT/X.jsonl each
  .venv/bin/python bench/gate_routes.py all OUT [--margin M] [--skip NAME ...]
  # every person's generated held-out phrasings (seed 0) the served gate sends away from their own fact
  .venv/bin/python bench/gate_routes.py generated [--skip NAME ...]
  # the questions two dumps route differently: "+" now right, "-" now wrong, "?" wrong both ways
  .venv/bin/python bench/gate_routes.py diff OLD.jsonl NEW.jsonl
  # route-only figures per dump: held-out routed to its own fact (mean over facts, as `andraeus eval`
  # averages), hand-written never-given and built-in never-given questions sent to the adapter
  .venv/bin/python bench/gate_routes.py score F.jsonl ...

A route is "decline", "base", or "adapter:FACT" (the fact of the trained phrasing it is answered from).
A held-out question is routed right when it goes to its own fact; a never-given one when it is declined
or sent to the base model. Route only: the adapter's answer to a right route may still be wrong.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import yaml

from andraeus.facts import load_facts
from andraeus.gate import Gate
from andraeus.probes import abstain_questions, general_questions, unknown_questions
from andraeus.train import TrainConfig
from andraeus.variations import load_questions, make_split, without_leaks
from gate_study import EXAMPLES, HELD, NEVER, route_all, trained

MARGIN = Gate([]).margin


def people(skip: Sequence[str] = ()) -> dict[str, tuple[Path, list[Path], list[Path]]]:
    """Everyone in examples/ with hand-written sets but those in `skip` (blind sets not yet read): name ->
    (facts, held-out sets, never-given sets)."""
    out = {"maya": (EXAMPLES / "facts.yaml", HELD, NEVER)}
    for facts in sorted(EXAMPLES.glob("facts_*.yaml")):
        name = facts.stem.removeprefix("facts_")
        out[name] = (facts, [EXAMPLES / f"{name}_heldout_handwritten.yaml"],
                     [EXAMPLES / f"{name}_never_given_handwritten.yaml"])
    return {name: sets for name, sets in out.items() if name not in skip}


def default_saved(facts) -> dict:
    """The training and held-out phrasings of a default adapter of seed 0, as its phrasings.json holds them
    (written here, not with train.phrasings_record, so an older src on PYTHONPATH runs this too)."""
    config = TrainConfig(seed=0)
    split = make_split(facts, config.variations, 0, config.heldout_per_fact)
    return {part: [dataclasses.asdict(p) for p in getattr(split, part)] for part in ("train", "heldout")}


def served_gate(facts, texts: list[str], ids: list[str | None], margin: float = MARGIN) -> Gate:
    """The gate an adapter trained on these phrasings answers with (anchoring, declines, no judge)."""
    return Gate(texts, facts.person, unknown=unknown_questions(facts), anchor=True, margin=margin, fact_ids=ids,
                answers={f.id: list(f.accepted) for f in facts})


def hand_written(facts, train: list, held: list[Path], never: list[Path]) -> list[tuple[str, str, str]]:
    """(set, question, wanted route) for each hand-written held-out question (not a training phrasing)
    and never-given one ("decline")."""
    rows = [(p.stem, q.text, q.fact_id) for p in held for q in without_leaks(train, load_questions(p, facts))[0]]
    return rows + [(p.stem, q, "decline") for p in never for q in yaml.safe_load(p.read_text())["questions"]]


def dump(adapter: Path | None, facts_path: Path, held: list[Path], never: list[Path],
         margin: float = MARGIN) -> list[list[str]]:
    """[set, question, wanted route, route] for each held-out, never-given, built-in never-given and
    general question, with the gate the adapter would answer with; with no adapter, the phrasings of a
    default one of seed 0."""
    facts = load_facts(facts_path)
    saved = json.loads((adapter / "phrasings.json").read_text()) if adapter else default_saved(facts)
    train, texts, ids = trained(saved)
    gate = served_gate(facts, texts, ids, margin)
    rows = hand_written(facts, train, held, never)
    builtin = [p.question for p in abstain_questions(facts, saved.get("abstain_train", []))]
    general = [p.question for p in general_questions()]
    asked = [q for _, q, _ in rows] + general
    routes = route_all(gate, asked, builtin)
    rows += [("builtin", q, "decline") for q in builtin] + [("general", q, "base") for q in general]
    of = dict(zip(texts, ids))
    return [[s, q, want, named(routes[q], of)] for s, q, want in rows]


def named(route, of: dict) -> str:
    """A route as a dump writes it: "decline", "base", or "adapter:FACT" by the phrasing answered from."""
    return f"adapter:{of.get(route.text, '(as written)')}" if route.to == "adapter" else route.to


def generated(facts_path: Path, margin: float = MARGIN) -> tuple[list[list[str]], int]:
    """The generated held-out phrasings (seed 0) that the served gate of a default adapter sends
    anywhere but to their own fact, as [question, fact, route], and how many there are in all: the
    generator's own wordings of a fact must reach it."""
    facts = load_facts(facts_path)
    saved = default_saved(facts)
    _, texts, ids = trained(saved)
    held = saved["heldout"]
    routes = served_gate(facts, texts, ids, margin).route([p["text"] for p in held])
    of = dict(zip(texts, ids))
    got = [named(r, of) for r in routes]
    return [[p["text"], p["fact_id"], g] for p, g in zip(held, got) if g != f"adapter:{p['fact_id']}"], len(held)


def right(want: str, got: str) -> bool:
    return got in (want, f"adapter:{want}") or (want == "decline" and got in ("decline", "base"))


def diff(old: list[list[str]], new: list[list[str]]) -> tuple[list[str], int, int]:
    """The lines of questions routed differently, and how many are now right and now wrong (matched by set
    and question: a change of phrasings may leave a question out of one dump as a leak)."""
    lines, better, worse = [], 0, 0
    before = {(s, q): route for s, q, _, route in old}
    for s, q, want, b in new:
        if (s, q) not in before:
            continue
        a = before[(s, q)]
        if a != b:
            mark = "+" if right(want, b) and not right(want, a) else "-" if right(want, a) and not right(want, b) else "?"
            better, worse = better + (mark == "+"), worse + (mark == "-")
            lines.append(f"{mark} {s}: {q!r} want {want}: {a} -> {b}")
    return lines, better, worse


def score(rows: list[list[str]]) -> tuple[float, float, float]:
    """Route-only held-out accuracy (mean over facts), and the shares of hand-written and built-in
    never-given questions sent to the adapter."""
    per_fact, never, builtin = defaultdict(list), [], []
    for s, _, want, got in rows:
        if s == "builtin":
            builtin.append(got.startswith("adapter"))
        elif want == "decline":
            never.append(got.startswith("adapter"))
        elif s != "general":
            per_fact[want].append(right(want, got))
    return (statistics.mean(statistics.mean(v) for v in per_fact.values()), statistics.mean(never),
            statistics.mean(builtin))


def write(rows: list[list[str]], out: Path) -> None:
    """A dump as JSON lines, and a line saying how many routes are wrong."""
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    wrong = [r for r in rows if not right(r[2], r[3])]
    print(f"{out}: {len(rows)} questions, {len(wrong)} routed wrong")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("adapter", type=Path)
    d.add_argument("--facts", type=Path, required=True)
    d.add_argument("--held", type=Path, nargs="*", default=[])
    d.add_argument("--never", type=Path, nargs="*", default=[])
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--margin", type=float, default=MARGIN)
    a = sub.add_parser("all")
    a.add_argument("out", type=Path)
    a.add_argument("--margin", type=float, default=MARGIN)
    a.add_argument("--skip", nargs="*", default=[], help="people to leave out (a blind set not yet read)")
    g = sub.add_parser("generated")
    g.add_argument("--margin", type=float, default=MARGIN)
    g.add_argument("--skip", nargs="*", default=[], help="people to leave out (a blind set not yet read)")
    r = sub.add_parser("score")
    r.add_argument("dumps", type=Path, nargs="+")
    c = sub.add_parser("diff")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = ap.parse_args()
    if args.command == "dump":
        write(dump(args.adapter, args.facts, args.held, args.never, args.margin), args.out)
    elif args.command == "all":
        args.out.mkdir(parents=True, exist_ok=True)
        for name, (facts, held, never) in people(args.skip).items():
            write(dump(None, facts, held, never, args.margin), args.out / f"{name}.jsonl")
    elif args.command == "generated":
        wrong, total = 0, 0
        for name, (facts, _, _) in people(args.skip).items():
            misses, n = generated(facts, args.margin)
            wrong, total = wrong + len(misses), total + n
            for q, fact, got in misses:
                print(f"{name}: {q!r} want {fact}: {got}")
        print(f"{wrong} of {total} generated held-out phrasings routed away from their own fact")
    elif args.command == "score":
        figures = {p.stem: score([json.loads(x) for x in p.read_text().splitlines()]) for p in args.dumps}
        print(f"{'':14} {'held-out':>9} {'never-given':>12} {'built-in':>9}  (routed right / to the adapter)")
        for name, row in [*figures.items(), ("mean", tuple(map(statistics.mean, zip(*figures.values()))))]:
            print(f"{name:14} " + " ".join(f"{100 * v:{w}.1f}%" for v, w in zip(row, (8, 11, 8))))
    else:
        read = [[json.loads(x) for x in p.read_text().splitlines()] for p in (args.old, args.new)]
        lines, better, worse = diff(*read)
        print("\n".join(lines))
        print(f"{better} better, {worse} worse, {len(lines) - better - worse} other changes")


if __name__ == "__main__":
    main()
