"""Shared fixtures: a tiny random model with the default tokenizer, and small fact sets."""

from __future__ import annotations

import pytest

from andraeus.facts import Fact, FactSet
from andraeus.models import TINY_MODEL, load_model


@pytest.fixture(scope="session")
def tiny():
    """(model, tokenizer) of the tiny random model: plumbing tests in milliseconds."""
    return load_model(TINY_MODEL, "cpu")


@pytest.fixture
def small_facts() -> FactSet:
    return FactSet((
        Fact("dog", "What is my dog's name?", "Biscuit"),
        Fact("city", "Which city do I live in?", "Portland"),
        Fact("birthday", "When is my birthday?", "March 14"),
    ), person="Maya", source="test")

