"""Where each question goes: the adapter (about the person), the base model (not about the person),
or a decline (about the person, but something the facts never gave)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Sequence

import yaml

from .facts import normalise_question

_FIRST_PERSON = re.compile(r"\b(i|me|my|mine|myself|i'm|im|i've|i'd|i'll)\b", re.IGNORECASE)


def is_personal(question: str, person: str | None = None) -> bool:
    """Does the question say it is about the user (a first-person word, or the person's name)?"""
    if _FIRST_PERSON.search(question):
        return True
    return bool(person) and re.search(rf"\b{re.escape(person)}\b", question, re.IGNORECASE) is not None


def in_own_voice(question: str, person: str | None) -> str:
    """"Where does Maya live?" as "Where does I live?": the trained phrasings say "I" and "my", and
    the embedding does not know that the person's name means the same."""
    if not person:
        return question
    name = re.escape(person)
    return re.sub(rf"(?i)\b{name}\b", "I", re.sub(rf"(?i)\b{name}'s\b", "my", question))


def general_pool() -> list[str]:
    """General questions and requests to compare against (the replay prompts and everyday requests,
    both kept apart from the locality set)."""
    data = resources.files("andraeus").joinpath("data")
    return [q for name in ("replay.yaml", "requests.yaml") for q in yaml.safe_load(data.joinpath(name).read_text())]


@dataclass(frozen=True)
class Route:
    """Where one question goes, and the words the model is asked in."""

    to: str  # "adapter", "base" or "decline"
    text: str  # the question, or with anchoring the nearest trained phrasing


NEAR_ENOUGH = 0.4  # cosine similarity a question with no "my" needs to a trained phrasing to count as personal


class Gate:
    """A question is about the person when it says so (`is_personal`), or, failing that, when its
    nearest neighbour by MiniLM embedding is one of the person's own questions (the training
    phrasings), near enough, rather than a general one: "bday?" or "what did we call the cat?".

    A question that says "me" but is nearest a general question or request ("Tell me a joke.") goes
    to the base model too. `unknown`: questions the facts never answer; a question about the person
    nearer one of them than any trained phrasing (by more than `margin`) is declined. `anchor`: the
    adapter is asked the nearest trained phrasing instead of the user's words, when that phrasing is
    at least `anchor_floor` similar (an unrelated remark is asked as written)."""

    def __init__(self, personal: Sequence[str], person: str | None = None, general: Sequence[str] | None = None,
                 unknown: Sequence[str] = (), anchor: bool = False, margin: float = 0.1, anchor_floor: float = 0.3):
        self.personal = list(personal)
        self.person = person
        self.general = list(general) if general is not None else general_pool()
        self.unknown = list(unknown)
        self.anchor = anchor
        self.margin = margin
        self.anchor_floor = anchor_floor

    @cached_property
    def _embedder(self):
        from .baselines import minilm

        model = minilm()
        pools = [model.encode(p, normalize_embeddings=True, convert_to_tensor=True) if p else None
                 for p in (self.personal, self.general, self.unknown)]
        return model, pools

    def as_written(self) -> "Gate":
        """The same routing without anchoring or declining: the adapter reads the user's own words
        (what the question variation method itself reaches)."""
        return self._variant(anchor=False, keep=[])

    def leaving_out(self, questions: Sequence[str]) -> "Gate":
        """The same gate with these questions taken out of its never-given pool: asking them then
        measures how it declines questions it does not hold (the built-in abstention probes)."""
        drop = {normalise_question(q) for q in questions}
        return self._variant(self.anchor, [i for i, q in enumerate(self.unknown) if normalise_question(q) not in drop])

    def _variant(self, anchor: bool, keep: list[int]) -> "Gate":
        """A copy that anchors or not and keeps these never-given questions, reusing the embeddings."""
        gate = Gate(self.personal, self.person, self.general, [self.unknown[i] for i in keep], anchor, self.margin,
                    self.anchor_floor)
        if "_embedder" in self.__dict__:
            model, (mine, general, unknown) = self._embedder
            gate.__dict__["_embedder"] = (model, (mine, general, unknown[keep] if keep else None))
        return gate

    def route(self, questions: Sequence[str]) -> list[Route]:
        """Each question's route, in order."""
        if not questions:
            return []
        said = [is_personal(q, self.person) for q in questions]
        if not self.personal:  # nothing to compare with: words only
            return [Route("adapter" if s else "base", q) for q, s in zip(questions, said)]
        model, (mine, general, unknown) = self._embedder
        q = model.encode([in_own_voice(x, self.person) for x in questions], normalize_embeddings=True,
                         convert_to_tensor=True)
        near, which = (q @ mine.T).max(1)
        to_general = (q @ general.T).max(1).values
        to_unknown = (q @ unknown.T).max(1).values if unknown is not None else None
        out = []
        for i, question in enumerate(questions):
            general_like = to_general[i] >= near[i] and (to_unknown is None or to_general[i] >= to_unknown[i])
            if not (said[i] or (near[i] > to_general[i] and near[i] >= NEAR_ENOUGH)) or general_like:
                out.append(Route("base", question))  # not about the person, or says "me" but asks for a joke
            elif to_unknown is not None and to_unknown[i] > near[i] + self.margin:
                out.append(Route("decline", question))
            elif self.anchor and near[i] >= self.anchor_floor:
                out.append(Route("adapter", self.personal[int(which[i])]))
            else:
                out.append(Route("adapter", question))
        return out
