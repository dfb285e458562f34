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


def ask_phrasings(answerer: Answerer, facts: FactSet, phrasings: Sequence[Phrasing], split: str,
                  use_adapter: bool = True, progress=None) -> list[QAResult]:
    """Ask every phrasing, score every reply."""
    responses = answerer.answer([p.text for p in phrasings], use_adapter=use_adapter, progress=progress)
    results = []
    for p, response in zip(phrasings, responses):
        fact = facts.by_id(p.fact_id)
        ok = is_correct(response, fact.answer, fact.aliases)
        results.append(QAResult(p.fact_id, split, p.family, p.text, fact.answer, response, ok))
    return results


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
    for split in ("train", "heldout"):
        rows = [r for r in results if r.split == split]
        if rows:
            out[split] = accuracy(rows)
    families: dict[str, list[QAResult]] = defaultdict(list)
    for r in results:
        families[f"{r.split}/{r.family}"].append(r)
    out["families"] = {k: accuracy(v) for k, v in sorted(families.items())}
    out["failures"] = [asdict(r) for r in results if not r.correct]
    return out


def evaluate(answerer: Answerer, facts: FactSet, train: Sequence[Phrasing], heldout: Sequence[Phrasing],
             progress=None) -> tuple[dict, list[QAResult]]:
    """Ask trained and held-out phrasings; return the summary and every result."""
    results = ask_phrasings(answerer, facts, train, "train", progress=progress)
    results += ask_phrasings(answerer, facts, heldout, "heldout", progress=progress)
    return summarise(results), results


def sample_per_fact(phrasings: Sequence[Phrasing], k: int, seed: int = 0) -> list[Phrasing]:
    """At most k phrasings of each fact (to check trained phrasings without asking them all)."""
    groups: dict[str, list[Phrasing]] = defaultdict(list)
    for p in phrasings:
        groups[p.fact_id].append(p)
    rng = random.Random(seed)
    return [p for g in groups.values() for p in (rng.sample(g, k) if len(g) > k else g)]
