"""The gate's anchoring and declines, against the adapter reading each question as written.

For each adapter, on every hand-written held-out set and never-given set in examples/, seven ways
of answering the same questions with the same adapter, each leaving out one more part of the gate:
  served        the gate as the adapter answers with it: anchoring to the nearest trained phrasing,
                declines on, the judge (andraeus.judge) only if its training config turned it on
                (off by default), or the first --judge folder's
  no judge            the same without any judge
  no someone else     the same, but a never-given question about someone else (a person, a pet, a
                      name) counts as near a question that is not ("My partner wants to cook me my
                      favorite food" against "What is my partner's favorite food?")
  no answers named    nor declining a question that names its fact's answer, or another fact's
                      pet or vehicle by its name ("What year is my Outback?")
  no contrast words   nor the contrast words (data/contrasts.yaml): nearness alone
  anchoring     anchoring only (no declines)
  as written    the gate routes, but the adapter reads the user's own words (the method alone)
  judge NAME    served, with the judge in folder NAME (the second and later --judge folders)
`--ways served,"as written"` computes only those rows (fewer distinct texts to answer).
Each distinct text is answered once (greedy answers are deterministic), so the seven cost little
more than one. Held-out figures are the mean over facts (as `andraeus eval` prints them), on the
questions each adapter kept (a question equal to one of its training phrasings is left out).
The never-given pool is the current code's, so adapters trained before it existed can be studied.

  .venv/bin/python bench/gate_study.py ADAPTER [ADAPTER ...] [--facts examples/facts.yaml] [--margin M] [--misses]
      [--held SET.yaml ...] [--never SET.yaml ...] [--judge DIR ...] [--ways NAME,NAME]

--misses also lists, per adapter, what the served gate gets wrong: each hand-written held-out
question answered wrongly and each never-given question answered with another fact's answer.
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import dataclass
from pathlib import Path

import yaml

from andraeus.answer import Answerer, read_manifest
from andraeus.evaluate import accuracy, score_responses
from andraeus.facts import load_facts
from andraeus.gate import Gate
from andraeus.judge import Judge, builtin_judge
from andraeus.probes import DECLINE_ANSWER, abstain_questions, classify_abstention, general_questions, score_probe
from andraeus.probes import unknown_questions
from andraeus.variations import Phrasing, load_questions, without_leaks

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HELD = sorted(EXAMPLES.glob("heldout_handwritten*.yaml"), key=lambda p: (len(p.name), p.name))
NEVER = sorted(EXAMPLES.glob("never_given_handwritten*.yaml"), key=lambda p: (len(p.name), p.name))


def label(path: Path, kind: str) -> str:
    """"set7" for examples/heldout_handwritten7.yaml, "never7" for never_given_handwritten7.yaml; a
    file named otherwise by its stem."""
    if not path.stem.startswith(("heldout_handwritten", "never_given_handwritten")):
        return path.stem
    digits = "".join(c for c in path.stem if c.isdigit()) or "1"
    return f"{kind}{digits}"


def trained(saved: dict) -> tuple[list[Phrasing], list[str], list[str | None]]:
    """An adapter's training phrasings (from its phrasings.json), and the gate's texts (with any trained
    declines) and their fact ids."""
    train = [Phrasing(p["fact_id"], p["text"], p["family"]) for p in saved["train"]]
    texts = [p.text for p in train] + saved.get("abstain_train", [])
    ids = [p.fact_id for p in train] + [None] * len(saved.get("abstain_train", []))
    return train, texts, ids


def route_all(gate: Gate, asked: list[str], builtin: list[str]) -> dict:
    """Each question's route; the pool holds the built-in probes, so they are asked of a gate without them."""
    return dict(zip(asked, gate.route(asked))) | dict(zip(builtin, gate.leaving_out(builtin).route(builtin)))


@dataclass
class Plan:
    """Every question a study asks and each way's route for each: routes read the phrasings alone, so a
    plan needs no adapter (bench/gpu_accuracy.py routes here and answers on another machine)."""

    held: dict[str, list[Phrasing]]  # held-out set name -> its questions (those equal to a training phrasing left out)
    never: dict[str, list[str]]  # never-given set name -> its questions
    general: list  # the locality probes
    routes: dict[str, dict]  # way -> question -> Route

    def texts(self) -> tuple[list[str], list[str]]:
        """The distinct texts to answer with the adapter, and with the base model."""
        sent = [r for rs in self.routes.values() for r in rs.values()]
        on = sorted({r.text for r in sent if r.to == "adapter"})
        off = sorted({r.text for r in sent if r.to == "base"} | {p.question for p in self.general})
        return on, off


def plan(saved: dict, config: dict, facts, margin: float, held_sets: list[Path] = HELD,
         never_sets: list[Path] = NEVER, judge=None, more_judges: dict | None = None,
         ways: list[str] | None = None) -> Plan:
    """`saved`: the adapter's phrasings.json; `config`: its training config (for the judge)."""
    train, texts, ids = trained(saved)
    answers = {f.id: list(f.accepted) for f in facts}  # adapters trained before phrasings.json kept them
    if judge is None and config.get("judge", False):
        judge = builtin_judge()
    served = Gate(texts, facts.person, unknown=unknown_questions(facts), anchor=True, margin=margin, fact_ids=ids,
                  answers=answers, judge=judge)
    gates = {"served": served,
             "no judge": Gate(texts, facts.person, unknown=served.unknown, anchor=True, margin=margin, fact_ids=ids,
                              answers=answers),
             "no someone else": Gate(texts, facts.person, unknown=served.unknown, anchor=True, margin=margin,
                                     fact_ids=ids, answers=answers, others=False),
             "no answers named": Gate(texts, facts.person, unknown=served.unknown, anchor=True, margin=margin,
                                      fact_ids=ids, others=False),
             "no contrast words": Gate(texts, facts.person, unknown=served.unknown, anchor=True, margin=margin),
             "anchoring": Gate(texts, facts.person, anchor=True), "as written": served.as_written()}
    for name, other in (more_judges or {}).items():
        gates[f"judge {name}"] = Gate(texts, facts.person, unknown=served.unknown, anchor=True, margin=margin,
                                      fact_ids=ids, answers=answers, judge=other)
    gates = {name: g for name, g in gates.items() if ways is None or name in ways}
    held = {"generated": [Phrasing(p["fact_id"], p["text"], p["family"]) for p in saved["heldout"]]}
    held |= {label(p, "set"): list(without_leaks(train, load_questions(p, facts))[0]) for p in held_sets}
    never = {label(p, "never"): yaml.safe_load(p.read_text())["questions"] for p in never_sets}
    never["never built-in"] = [p.question for p in abstain_questions(facts, saved.get("abstain_train", []))]
    general = general_questions()
    asked = [q.text for qs in held.values() for q in qs] + [q for qs in never.values() for q in qs]
    asked += [p.question for p in general]
    builtin = never["never built-in"]
    return Plan(held, never, general, {name: route_all(g, asked, builtin) for name, g in gates.items()})


def answer(answerer: Answerer, p: Plan) -> dict[str, dict[str, str]]:
    """The plan's texts answered: {"adapter": {text: reply}, "base": {text: reply}}."""
    on, off = p.texts()
    return {"adapter": dict(zip(on, answerer.answer(on))), "base": dict(zip(off, answerer.answer(off, use_adapter=False)))}


def score(p: Plan, replies: dict[str, dict[str, str]], facts) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Each way's figures, and what the served way gets wrong."""
    def reply(route) -> str:
        return DECLINE_ANSWER if route.to == "decline" else replies[route.to][route.text]

    out: dict[str, dict[str, float]] = {}
    misses: list[str] = []
    for name, rs in p.routes.items():
        row: dict[str, float] = {}
        for set_name, qs in p.held.items():
            scored = score_responses(facts, qs, [reply(rs[q.text]) for q in qs], set_name)
            row[set_name] = accuracy(scored)["accuracy"]
            if name == "served":
                misses += [f"{set_name} {r.fact_id}: {r.question!r} -> {r.response!r}" for r in scored if not r.correct]
        for set_name, qs in p.never.items():
            classes = [classify_abstention(reply(rs[q]), facts) for q in qs]
            if name == "served":
                misses += [f"{set_name}: {q!r} -> {reply(rs[q])!r}" for q, c in zip(qs, classes) if c == "confused"]
            row[f"{set_name} declined"] = classes.count("declined") / len(classes)
            row[f"{set_name} confused"] = classes.count("confused") / len(classes)
        base_ok = [score_probe(q, replies["base"][q.question]) for q in p.general]
        kept = sum(b and score_probe(q, reply(rs[q.question])) for q, b in zip(p.general, base_ok))
        row["locality"] = kept / sum(base_ok)
        out[name] = row
    return out, misses


def study(adapter: Path, facts, margin: float, held_sets: list[Path] = HELD,
          never_sets: list[Path] = NEVER, judge=None, more_judges: dict | None = None, ways: list[str] | None = None
          ) -> tuple[dict[str, dict[str, float]], list[str]]:
    saved = json.loads((adapter / "phrasings.json").read_text())
    p = plan(saved, read_manifest(adapter)["config"], facts, margin, held_sets, never_sets, judge, more_judges, ways)
    return score(p, answer(Answerer.from_adapter(adapter, gate=None), p), facts)


def print_table(runs: list[dict[str, dict[str, float]]]) -> None:
    """Each way's figures, the mean over runs and each run's."""
    for way in runs[0]:
        print(way)
        for key in runs[0][way]:
            values = [r[way][key] for r in runs]
            per = " / ".join(f"{100 * v:.1f}" for v in values)
            print(f"  {key:<24} {100 * statistics.mean(values):5.1f}%  [{per}]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("adapters", nargs="+", type=Path)
    ap.add_argument("--facts", type=Path, default=EXAMPLES / "facts.yaml")
    ap.add_argument("--margin", type=float, default=Gate([]).margin,
                    help="how much nearer a never-given question must be to decline (default: the gate's)")
    ap.add_argument("--held", nargs="+", type=Path, default=HELD,
                    help="hand-written held-out sets (default: examples/heldout_handwritten*.yaml)")
    ap.add_argument("--never", nargs="+", type=Path, default=NEVER,
                    help="hand-written never-given sets (default: examples/never_given_handwritten*.yaml)")
    ap.add_argument("--misses", action="store_true", help="list what the served gate gets wrong, per adapter")
    ap.add_argument("--judge", type=Path, nargs="+",
                    help="judge folders (bench/train_judge.py --out): the first in place of the shipped one, each "
                         "further one as a row of its own, named by its folder")
    ap.add_argument("--ways", type=lambda s: s.split(","), help="only these rows, comma-separated (default: all)")
    args = ap.parse_args()
    facts = load_facts(args.facts)
    judges = [Judge(p) for p in args.judge or []]
    more = {p.name: j for p, j in zip(args.judge[1:], judges[1:])} if args.judge else {}
    studied = [study(a, facts, args.margin, args.held, args.never, judges[0] if judges else None, more, args.ways)
               for a in args.adapters]
    runs = [row for row, _ in studied]
    if args.misses:
        for adapter, (_, misses) in zip(args.adapters, studied):
            print(f"served, wrong, {adapter}:")
            print("\n".join(f"  {m}" for m in misses))
    print_table(runs)


if __name__ == "__main__":
    main()
