"""Accuracy on trained and held-out phrasings, per family and per fact, with honest intervals.

The unit of analysis is the fact: the phrasings of one fact are a cluster, so the 95% interval
is a bootstrap over facts, not over questions.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

from .answer import Answerer
from .facts import FactSet
from .scoring import is_correct
from .variations import Phrasing


@dataclass(frozen=True)
class QAResult:
    """One question asked, the raw reply, and whether it was right (raw kept for re-scoring)."""

    fact_id: str
    split: str  # "train" or "heldout"
    family: str
    question: str
    expected: str
    response: str
    correct: bool
    hedged: bool = False  # stated the answer but also another fact's: a list of guesses, scored wrong


def ask_phrasings(answerer: Answerer, facts: FactSet, phrasings: Sequence[Phrasing], split: str,
                  use_adapter: bool = True, progress=None) -> list[QAResult]:
    """Ask every phrasing, score every reply."""
    responses = answerer.answer([p.text for p in phrasings], use_adapter=use_adapter, progress=progress)
    return score_responses(facts, phrasings, responses, split)


def score_responses(facts: FactSet, phrasings: Sequence[Phrasing], responses: Sequence[str],
                    split: str) -> list[QAResult]:
    """Score replies already generated, one per phrasing."""
    results = []
    for p, response in zip(phrasings, responses):
        fact = facts.by_id(p.fact_id)
        ok = is_correct(response, fact.answer, fact.aliases)
        hedge = ok and hedged(facts, fact, p.text, response)
        results.append(QAResult(p.fact_id, split, p.family, p.text, fact.answer, response, ok and not hedge, hedge))
    return results


def hedged(facts: FactSet, fact, question: str, response: str) -> bool:
    """True when the reply also states another fact's answer ("Biscuit, Leila." for the best friend):
    naming several of the person's facts is guessing, not knowing. An answer that the question itself
    mentions ("What breed is Biscuit?") or that is part of this fact's answer ("1991" in "March 14,
    1991", the football club "Tobol" in the employer "Tobol Trans") does not count."""
    for other in facts:
        if other.id == fact.id or is_correct(question, other.answer, other.aliases):
            continue
        if any(is_correct(a, other.answer, other.aliases) for a in fact.accepted) \
                or not is_correct(response, other.answer, other.aliases):
            continue
        return True
    return False


def per_fact(results: Iterable[QAResult]) -> dict[str, float]:
    """Each fact's share of phrasings answered right."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        hits[r.fact_id].append(r.correct)
    return {f: sum(v) / len(v) for f, v in hits.items()}


def bootstrap_ci(fact_scores: Sequence[float], n_boot: int = 2000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the mean, resampling facts with replacement."""
    if not fact_scores:
        return (float("nan"), float("nan"))
    rng = random.Random(seed)
    k = len(fact_scores)
    means = sorted(sum(rng.choices(fact_scores, k=k)) / k for _ in range(n_boot))
    lo = means[int((1 - level) / 2 * n_boot)]
    hi = means[min(n_boot - 1, int((1 + level) / 2 * n_boot))]
    return (lo, hi)


def accuracy(results: Sequence[QAResult]) -> dict:
    """Mean over facts of each fact's accuracy, its 95% CI, and counts."""
    scores = list(per_fact(results).values())
    mean = sum(scores) / len(scores) if scores else float("nan")
    lo, hi = bootstrap_ci(scores)
    return {"accuracy": mean, "ci95": [lo, hi], "questions": len(results), "facts": len(scores)}


def summarise(results: Sequence[QAResult]) -> dict:
    """Accuracy per split and per family, and the failed answers."""
    out: dict = {}
    for split in dict.fromkeys(r.split for r in results):  # "train", "heldout", "handwritten", ...
        out[split] = accuracy([r for r in results if r.split == split])
    out["per_fact"] = {split: per_fact(r for r in results if r.split == split) for split in out}
    families: dict[str, list[QAResult]] = defaultdict(list)
    for r in results:
        families[f"{r.split}/{r.family}"].append(r)
    out["families"] = {k: accuracy(v) for k, v in sorted(families.items())}
    out["failures"] = [asdict(r) for r in results if not r.correct]
    return out


def evaluate(answerer: Answerer, facts: FactSet, train: Sequence[Phrasing], heldout: Sequence[Phrasing],
             handwritten: Sequence[Phrasing] = (), progress=None) -> tuple[dict, list[QAResult]]:
    """Ask trained, held-out and (optionally) hand-written questions; return the summary and every result.

    The figures are as served (through the answerer's gate). When the gate anchors or declines, the
    held-out questions are also asked in the user's own words, as splits "heldout_as_written" and
    "handwritten_as_written": what the adapter alone makes of a new wording."""
    results = ask_phrasings(answerer, facts, train, "train", progress=progress)
    held = [("heldout", heldout)] + ([("handwritten", handwritten)] if handwritten else [])
    for split, phrasings in held:
        results += ask_phrasings(answerer, facts, phrasings, split, progress=progress)
    gate = answerer.gate
    if gate is not None and (gate.anchor or gate.unknown):
        answerer.gate = gate.as_written()
        try:
            for split, phrasings in held:
                results += ask_phrasings(answerer, facts, phrasings, f"{split}_as_written", progress=progress)
        finally:
            answerer.gate = gate
    return summarise(results), results


def sample_per_fact(phrasings: Sequence[Phrasing], k: int, seed: int = 0) -> list[Phrasing]:
    """At most k phrasings of each fact (to check trained phrasings without asking them all)."""
    groups: dict[str, list[Phrasing]] = defaultdict(list)
    for p in phrasings:
        groups[p.fact_id].append(p)
    rng = random.Random(seed)
    return [p for g in groups.values() for p in (rng.sample(g, k) if len(g) > k else g)]


# --- beyond the facts: locality, abstention, reversal ------------------------------------


def perplexity(model, tokenizer, text: str) -> float:
    """exp(mean next-token loss) of `text`, as plain text (no chat template)."""
    import math

    import torch

    ids = tokenizer(text, return_tensors="pt")["input_ids"].to(next(model.parameters()).device)
    with torch.inference_mode():
        loss = model(input_ids=ids, labels=ids).loss
    return math.exp(float(loss))


def _adapter(answerer: Answerer, on: bool):
    from contextlib import nullcontext

    model = answerer.model
    return nullcontext() if on or not hasattr(model, "disable_adapter") else model.disable_adapter()


def probe_report(answerer: Answerer, facts: FactSet, exclude_abstain: Sequence[str] = (),
                 never_given: Sequence[str] = ()) -> tuple[dict, list[dict]]:
    """Locality, perplexity shift, abstention and reversal; returns a summary and the raw rows.

    `never_given`: the user's own questions about attributes the facts never give, reported
    beside the built-in ones (as "abstention_yours")."""
    from .probes import abstain_questions, general_questions, reference_text, reversal_questions, score_probe

    rows: list[dict] = []
    general = general_questions()
    qs = [p.question for p in general]
    base = answerer.answer(qs, use_adapter=False)
    tuned = answerer.answer(qs)
    base_ok = [score_probe(p, a) for p, a in zip(general, base)]
    tuned_ok = [score_probe(p, a) for p, a in zip(general, tuned)]
    gate, answerer.gate = answerer.gate, None  # also with the adapter on every question
    try:
        forced_ok = [score_probe(p, a) for p, a in zip(general, answerer.answer(qs))] if gate else tuned_ok
    finally:
        answerer.gate = gate
    for p, b, t, bo, to in zip(general, base, tuned, base_ok, tuned_ok):
        rows.append({"kind": "locality", "question": p.question, "expected": p.answer, "base": b,
                     "response": t, "base_correct": bo, "correct": to})
    known = sum(base_ok)
    kept = sum(b and t for b, t in zip(base_ok, tuned_ok))
    kept_forced = sum(b and t for b, t in zip(base_ok, forced_ok))

    builtin = [p.question for p in abstain_questions(facts, exclude_abstain)]
    if gate:  # its never-given pool holds these questions: measure it without them
        answerer.gate = gate.leaving_out(builtin)
    try:
        abstention = _abstention(answerer, facts, builtin, "abstain", rows)
    finally:
        answerer.gate = gate
    yours = _abstention(answerer, facts, never_given, "abstain_yours", rows) if never_given else None

    reversal = reversal_questions(facts)
    rev_replies = answerer.answer([p.question for p in reversal])
    rev_ok = [score_probe(p, r) for p, r in zip(reversal, rev_replies)]
    for p, r, ok in zip(reversal, rev_replies, rev_ok):
        rows.append({"kind": "reversal", "question": p.question, "expected": p.answer, "response": r, "correct": ok})

    text = reference_text()
    with _adapter(answerer, False):
        ppl_base = perplexity(answerer.model, answerer.tokenizer, text)
    ppl_tuned = perplexity(answerer.model, answerer.tokenizer, text)
    summary = {
        "locality": {"kept": kept / known if known else None, "base_correct": known,
                     "still_correct": kept, "questions": len(general), "gated": gate is not None,
                     "kept_without_gate": kept_forced / known if known else None},
        "perplexity": {"base": ppl_base, "adapter": ppl_tuned, "ratio": ppl_tuned / ppl_base},
        "abstention": abstention,
        "reversal": {"questions": len(reversal), "accuracy": sum(rev_ok) / len(rev_ok) if rev_ok else None},
    }
    if yours is not None:
        summary["abstention_yours"] = yours
    return summary, rows


def _abstention(answerer: Answerer, facts: FactSet, questions: Sequence[str], kind: str, rows: list[dict]) -> dict:
    """Ask never-given questions; the shares declined, confused (another fact's answer) and invented."""
    from .probes import classify_abstention

    replies = answerer.answer(list(questions))
    classes = [classify_abstention(r, facts) for r in replies]
    rows += [{"kind": kind, "question": q, "response": r, "outcome": c} for q, r, c in zip(questions, replies, classes)]
    n = len(questions) or 1
    return {"questions": len(questions), **{c: classes.count(c) / n for c in ("declined", "confused", "invented")}}


# --- red flags (the guide's, computed) -----------------------------------------------------

OVERFIT_GAP = 0.15  # trained minus held-out accuracy above this is flagged


def red_flags(summary: dict, seed_accuracies: Sequence[float] = (), overlaps: int = 0) -> list[str]:
    """The guide's red flags, each with the figure that raised it; empty when none apply."""
    flags = []
    held = summary.get("heldout", {}).get("accuracy")
    train = summary.get("train", {}).get("accuracy")
    if held is not None and held >= 1.0:
        flags.append("perfect held-out accuracy (100%): look for an evaluation leak or questions too easy to tell apart")
    if len(seed_accuracies) >= 2 and max(seed_accuracies) - min(seed_accuracies) < 1e-9:  # float sums differ in the last bit
        flags.append(f"zero variance across {len(seed_accuracies)} seeds: runs may not be independent")
    if held is not None and train is not None and train - held > OVERFIT_GAP:
        flags.append(f"trained phrasings {train:.0%} vs held-out {held:.0%}: over-fitting to the phrasings")
    if overlaps:
        flags.append(f"{overlaps} evaluation phrasing(s) overlap training phrasings: the held-out figure is not held out")
    return flags
