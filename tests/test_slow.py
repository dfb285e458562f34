"""The real built-in model really learns: phrasings it never trained on, answered after training."""

from __future__ import annotations

import pytest

from andraeus.answer import Answerer
from andraeus.evaluate import ask_phrasings
from andraeus.facts import Fact, FactSet
from andraeus.train import TrainConfig, train

# Made-up facts that the base model cannot know.
FACTS = FactSet((
    Fact("dog", "What is my dog's name?", "Biscuit"),
    Fact("employer", "Where do I work?", "Northwind Robotics"),
    Fact("instrument", "What instrument do I play?", "cello"),
    Fact("hometown", "Where did I grow up?", "Savannah"),
), person="Maya", source="slow test")


@pytest.mark.slow
def test_default_model_learns_facts_it_never_saw_phrased_this_way(tmp_path):
    manifest = train(FACTS, tmp_path / "adapter", TrainConfig(heldout_per_fact=4), progress=False)
    heldout = manifest["eval"]["heldout"]
    assert heldout["questions"] == 16
    # the base model, asked the same held-out phrasings, knows none of these facts
    answerer = Answerer.from_adapter(tmp_path / "adapter", "cpu")
    import json
    phrasings = json.loads((tmp_path / "adapter" / "phrasings.json").read_text())["heldout"]
    from andraeus.variations import Phrasing
    held = [Phrasing(**p) for p in phrasings]
    base = ask_phrasings(answerer, FACTS, held, "heldout", use_adapter=False)
    base_acc = sum(r.correct for r in base) / len(base)
    assert base_acc <= 0.25, base_acc
    assert heldout["accuracy"] >= 0.7, manifest["eval"]
    # and the adapter itself, reading each held-out question as written (no anchoring by the gate)
    assert manifest["eval"]["heldout_as_written"]["accuracy"] >= 0.7, manifest["eval"]
