"""Can a learned judgement of "does this question ask what this fact answers" replace the gate's
hand-written contrast words? Measured leave-one-person-out, so no person's figures come from a
judgement fitted to their own questions.

Route-only (no adapter is loaded): a hand-written held-out question counts as answered when the
served gate sends it to the adapter anchored to a phrasing of its own fact; a never-given question
counts as confused when the gate sends it to the adapter at all (anchored answers are the anchored
fact's). The training phrasings are the defaults' (20 per fact, seed 0), as `andraeus train` makes them.

Two filters, each applied after the served gate (a question it lets through is declined when the
filter says the routed fact does not answer it):
  learned   logistic regression on MiniLM features of (question, nearest phrasing of the routed
            fact, mean of that fact's phrasings, nearest never-given pool question), fitted on the
            other three people's hand-written questions (held-out: yes; never-given: no), each
            person weighted equally, the classes balanced
  aligned   no fitting: each of the fact's phrasings' content words must be matched by a word of the
            question (MiniLM token embeddings, best cosine); the score is the best phrasing's worst word
The threshold keeps 99% / 98% / 95% of the other people's held-out questions that the gate routes right.

  .venv/bin/python bench/learned_judge.py [--l2 0.001] [--no-contrast-words]

--no-contrast-words filters after the gate without its contrast words instead (nearness alone: the
question a learned judgement must answer if it is to replace them).
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import torch

from andraeus.baselines import minilm
from andraeus.gate import Gate
from andraeus.probes import unknown_questions

from train_judge import PEOPLE as ALL, hand_written

PEOPLE = {p: ALL[p] for p in ("maya", "second", "third", "fourth")}  # the four people of this study
KEEP = (0.99, 0.98, 0.95)
# words that say how a question asks, not what: left out of the alignment
_STOP = set("a an the of to in on at for and or is are was were be do does did what whats which who whom whose when "
            "where why how my me i im mine your you it its that this again please tell remind can could would should "
            "will lol just".split())


def _words(model, text: str) -> list[tuple[str, torch.Tensor]]:
    """The text's words (word pieces joined) and their MiniLM token embeddings (mean of the pieces), unit length."""
    enc = model.tokenizer(text, return_tensors="pt", truncation=True)
    with torch.no_grad():
        states = model[0].auto_model(**enc).last_hidden_state[0]
    words: list[list] = []
    for tok, v in zip(model.tokenizer.convert_ids_to_tokens(enc["input_ids"][0]), states):
        if tok in ("[CLS]", "[SEP]"):
            continue
        if tok.startswith("##") and words:
            words[-1][0] += tok[2:]
            words[-1][1].append(v)
        else:
            words.append([tok, [v]])
    return [(w, torch.nn.functional.normalize(torch.stack(vs).mean(0), dim=0)) for w, vs in words]


def aligned(question_words, phrasing_words) -> float:
    """The best phrasing's worst-matched content word: how well the question says all that a phrasing says."""
    q = torch.stack([v for _, v in question_words])
    best = -1.0
    for words in phrasing_words:
        content = [v for w, v in words if w.isalnum() and w.lower() not in _STOP]
        if content:
            best = max(best, min(float((v @ q.T).max()) for v in content))
    return best


def person_rows(model, words: bool, facts_file: Path, held_sets: list[Path], never_sets: list[Path]) -> list[dict]:
    """Each hand-written question of one person: the served gate's route, and the features of the fact it
    is compared with (the routed fact, or the nearest one when declined or sent to the base model)."""
    facts, train, held, never = hand_written(facts_file, held_sets, never_sets)
    texts, ids = [p.text for p in train], [p.fact_id for p in train]
    unknown = unknown_questions(facts)
    gate = Gate(texts, facts.person, unknown=unknown, anchor=True, fact_ids=ids,
                answers={f.id: list(f.accepted) for f in facts}) if words else \
        Gate(texts, facts.person, unknown=unknown, anchor=True)
    asked = [(q.text, q.fact_id) for q in held] + [(q, None) for q in never]
    routes = gate.route([q for q, _ in asked])
    enc = dict(normalize_embeddings=True, convert_to_tensor=True, batch_size=128)
    mine, pool, qs = model.encode(texts, **enc), model.encode(unknown, **enc), model.encode([q for q, _ in asked], **enc)
    fact_of = dict(zip(texts, ids))
    phrasing_words = {f: [_words(model, t) for t, i in zip(texts, ids) if i == f] for f in dict.fromkeys(ids)}
    rows = []
    for i, ((q, fact), route) in enumerate(zip(asked, routes)):
        nearest = ids[int((qs[i] @ mine.T).argmax())]
        # below the anchoring floor the question goes as written: taken as the nearest fact's
        routed = fact_of.get(route.text, nearest) if route.to == "adapter" else None
        target = routed or nearest
        mask = torch.tensor([f == target for f in ids])
        similar = (qs[i] @ mine.T).masked_fill(~mask, -2.0)
        u, v = qs[i], mine[int(similar.argmax())]
        centre = torch.nn.functional.normalize(mine[mask].mean(0), dim=0)
        feature = torch.cat([u * v, (u - v).abs(), u * centre,
                             torch.tensor([float(similar.max()), float(u @ centre), float((pool @ u).max())])])
        align = aligned(_words(model, q), phrasing_words[routed]) if routed else 0.0
        rows.append(dict(held=fact is not None, fact=fact, routed=routed, feature=feature, aligned=align,
                         label=float(fact is not None and target == fact)))
    return rows


def fit(groups: list[list[dict]], l2: float) -> torch.nn.Linear:
    """Logistic regression, each person weighted equally and the classes balanced."""
    x = torch.stack([r["feature"] for rows in groups for r in rows])
    y = torch.tensor([r["label"] for rows in groups for r in rows])
    w = torch.cat([torch.full((len(rows),), 1.0 / len(rows)) for rows in groups])
    w = w * torch.where(y == 1, 0.5 / (w * y).sum(), 0.5 / (w * (1 - y)).sum())
    lin = torch.nn.Linear(x.shape[1], 1)
    opt = torch.optim.LBFGS(lin.parameters(), max_iter=300)

    def closure():
        opt.zero_grad()
        bce = torch.nn.functional.binary_cross_entropy_with_logits(lin(x)[:, 0], y, reduction="none")
        loss = (bce * w).sum() + l2 * (lin.weight ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return lin


def outcome(rows: list[dict], keep) -> tuple[float, float]:
    """Held-out accuracy (mean over facts) and never-given confusion, when the filter keeps `keep(row)`."""
    per_fact: dict[str, list[bool]] = {}
    for r in rows:
        if r["held"]:
            per_fact.setdefault(r["fact"], []).append(r["routed"] == r["fact"] and keep(r))
    never = [r for r in rows if not r["held"]]
    return (statistics.mean(statistics.mean(v) for v in per_fact.values()),
            sum(r["routed"] is not None and keep(r) for r in never) / len(never))


def threshold(scores: list[float], keep: float) -> float:
    ordered = sorted(scores)
    return ordered[int(len(ordered) * (1 - keep))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--l2", type=float, default=1e-3, help="weight penalty of the logistic regression")
    ap.add_argument("--no-contrast-words", action="store_true",
                    help="filter after the gate without its contrast words (nearness alone) instead of the served one")
    args = ap.parse_args()
    model = minilm()
    data = {p: person_rows(model, not args.no_contrast_words, *files) for p, files in PEOPLE.items()}
    print("held-out accuracy / never-given confusion, route-only, each person left out of the fitting;",
          "gate without contrast words" if args.no_contrast_words else "served gate")
    for out, rows in data.items():
        others = [r for p, rs in data.items() if p != out for r in rs]
        right = [r for r in others if r["label"] == 1 and r["routed"] is not None]
        lin = fit([rs for p, rs in data.items() if p != out], args.l2)
        with torch.no_grad():
            for r in rows + others:
                r["learned"] = float(lin(r["feature"]))
        line = [f"{out:7s} gate {'%.1f%% / %.1f%%' % tuple(100 * x for x in outcome(rows, lambda r: True))}"]
        for name in ("learned", "aligned"):
            for keep in KEEP:
                t = threshold([r[name] for r in right], keep)
                acc, conf = outcome(rows, lambda r, t=t, name=name: r[name] >= t)
                line.append(f"{name} {keep:.0%}: {100 * acc:.1f}% / {100 * conf:.1f}%")
        print("\n  ".join(line))


if __name__ == "__main__":
    main()
