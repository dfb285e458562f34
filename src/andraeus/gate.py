"""Which questions are about the person: those go to the adapter, the rest to the base model."""

from __future__ import annotations

import re
from functools import cached_property
from importlib import resources
from typing import Sequence

import yaml

_FIRST_PERSON = re.compile(r"\b(i|me|my|mine|myself|i'm|im|i've|i'd|i'll)\b", re.IGNORECASE)


def is_personal(question: str, person: str | None = None) -> bool:
    """Does the question say it is about the user (a first-person word, or the person's name)?"""
    if _FIRST_PERSON.search(question):
        return True
    return bool(person) and re.search(rf"\b{re.escape(person)}\b", question, re.IGNORECASE) is not None


def general_pool() -> list[str]:
    """General questions to compare against (the replay prompts, kept apart from the locality set)."""
    return yaml.safe_load(resources.files("andraeus").joinpath("data/replay.yaml").read_text())


class Gate:
    """A question is about the person when it says so (`is_personal`), or, failing that, when its
    nearest neighbour by MiniLM embedding is one of the person's own questions (the training
    phrasings) rather than a general one: "bday?" or "what did we call the cat?" have no "my"."""

    def __init__(self, personal: Sequence[str], person: str | None = None, general: Sequence[str] | None = None):
        self.personal = list(personal)
        self.person = person
        self.general = list(general) if general is not None else general_pool()

    @cached_property
    def _embedder(self):
        from .baselines import minilm

        model = minilm()
        pools = [model.encode(p, normalize_embeddings=True, convert_to_tensor=True) for p in (self.personal, self.general)]
        return model, pools

    def route(self, questions: Sequence[str]) -> list[bool]:
        """True for each question the adapter should answer."""
        out = [is_personal(q, self.person) for q in questions]
        unsure = [i for i, p in enumerate(out) if not p]
        if unsure and self.personal:
            model, (mine, general) = self._embedder
            q = model.encode([questions[i] for i in unsure], normalize_embeddings=True, convert_to_tensor=True)
            nearer = (q @ mine.T).max(1).values > (q @ general.T).max(1).values
            for i, p in zip(unsure, nearer.tolist()):
                out[i] = p
        return out
