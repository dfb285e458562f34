"""Where the gate sends each hand-written question, without answering any: a cheap check of a change to
the gate's words on questions already read, before a blind set measures it.

  # the routes of the code importable now (PYTHONPATH=OLD/src for another version), one JSON line each
  .venv/bin/python bench/gate_routes.py dump ADAPTER --facts FACTS --held SET.yaml ... --never SET.yaml ... --out F.jsonl
  # the questions two dumps route differently: "+" now right, "-" now wrong, "?" wrong both ways
  .venv/bin/python bench/gate_routes.py diff OLD.jsonl NEW.jsonl

A route is "decline", "base", or "adapter:FACT" (the fact of the trained phrasing it is answered from).
A held-out question is routed right when it goes to its own fact; a never-given one when it is declined
or sent to the base model. Route only: the adapter's answer to a right route may still be wrong.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from andraeus.facts import load_facts
from andraeus.gate import Gate
from andraeus.probes import abstain_questions, general_questions, unknown_questions
from andraeus.variations import load_questions, without_leaks
from gate_study import route_all, trained


def dump(adapter: Path, facts_path: Path, held: list[Path], never: list[Path]) -> list[list[str]]:
    """[set, question, wanted route, route] for each held-out, never-given, built-in never-given and
    general question, with the gate the adapter would answer with (anchoring, declines, no judge)."""
    facts = load_facts(facts_path)
    saved, train, texts, ids = trained(adapter)
    gate = Gate(texts, facts.person, unknown=unknown_questions(facts), anchor=True, fact_ids=ids,
                answers={f.id: list(f.accepted) for f in facts})
    rows = [(p.stem, q.text, q.fact_id) for p in held for q in without_leaks(train, load_questions(p, facts))[0]]
    rows += [(p.stem, q, "decline") for p in never for q in yaml.safe_load(p.read_text())["questions"]]
    builtin = [p.question for p in abstain_questions(facts, saved.get("abstain_train", []))]
    general = [p.question for p in general_questions()]
    asked = [q for _, q, _ in rows] + general
    routes = route_all(gate, asked, builtin)
    rows += [("builtin", q, "decline") for q in builtin] + [("general", q, "base") for q in general]
    of = dict(zip(texts, ids))
    out = []
    for s, q, want in rows:
        r = routes[q]
        out.append([s, q, want, f"adapter:{of.get(r.text, '(as written)')}" if r.to == "adapter" else r.to])
    return out


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("adapter", type=Path)
    d.add_argument("--facts", type=Path, required=True)
    d.add_argument("--held", type=Path, nargs="*", default=[])
    d.add_argument("--never", type=Path, nargs="*", default=[])
    d.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("diff")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    args = ap.parse_args()
    if args.command == "dump":
        rows = dump(args.adapter, args.facts, args.held, args.never)
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        wrong = [r for r in rows if not right(r[2], r[3])]
        print(f"{len(rows)} questions, {len(wrong)} routed wrong")
    else:
        read = [[json.loads(x) for x in p.read_text().splitlines()] for p in (args.old, args.new)]
        lines, better, worse = diff(*read)
        print("\n".join(lines))
        print(f"{better} better, {worse} worse, {len(lines) - better - worse} other changes")


if __name__ == "__main__":
    main()
