"""Statistics, red flags, probes and the sweep: each can fail on a constructed case."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from andraeus.evaluate import QAResult, accuracy, bootstrap_ci, red_flags, summarise
from andraeus.facts import Fact, FactSet
from andraeus.models import TINY_MODEL
from andraeus.probes import (ABSTAIN_TRAIN, abstain_questions, abstain_training_facts, classify_abstention,
                             general_questions, load_never_given, reversal_questions)
from andraeus.sweep import aggregate, run_sweep, sweep_splits, write_report
from andraeus.train import TrainConfig
from andraeus.variations import find_leaks

FACTS = FactSet((
    Fact("dog", "What is my dog's name?", "Biscuit"),
    Fact("sister", "What is my sister's name?", "Adaeze"),
    Fact("city", "Which city do I live in?", "Portland"),
), person="Maya")


def _r(fact: str, ok: bool, split: str = "heldout") -> QAResult:
    return QAResult(fact, split, "f", "q", "a", "r", ok)


def test_bootstrap_of_constant_scores_is_a_point():
    assert bootstrap_ci([0.5] * 10) == (0.5, 0.5)


def test_bootstrap_interval_contains_the_mean_and_narrows_with_more_facts():
    few = bootstrap_ci([0.0, 1.0] * 5)
    many = bootstrap_ci([0.0, 1.0] * 200)
    assert few[0] < 0.5 < few[1]
    assert many[1] - many[0] < few[1] - few[0]
    assert 0.4 < many[0] < 0.5 < many[1] < 0.6


def test_accuracy_is_per_fact_not_per_question():
    # fact a: 1 of 1 right; fact b: 0 of 3 right -> per-fact mean 0.5, not 1/4
    rows = [_r("a", True), _r("b", False), _r("b", False), _r("b", False)]
    assert accuracy(rows)["accuracy"] == 0.5


def test_summary_has_splits_families_per_fact_and_failures():
    rows = [_r("a", True, "train"), _r("a", False), _r("b", True)]
    s = summarise(rows)
    assert s["train"]["accuracy"] == 1.0 and s["heldout"]["accuracy"] == 0.5
    assert s["per_fact"]["heldout"] == {"a": 0.0, "b": 1.0}
    assert len(s["failures"]) == 1 and "heldout/f" in s["families"]


def test_no_red_flags_on_a_plausible_run():
    assert red_flags({"train": {"accuracy": 0.95}, "heldout": {"accuracy": 0.9}}, [0.88, 0.9, 0.92]) == []


@pytest.mark.parametrize("summary, seeds, overlaps, needle", [
    ({"heldout": {"accuracy": 1.0}}, (), 0, "perfect"),
    ({"heldout": {"accuracy": 0.9}}, (0.9, 0.9, 0.9), 0, "zero variance"),
    ({"heldout": {"accuracy": 0.77}}, (0.7666666666666667, 0.7666666666666666, 0.7666666666666666), 0, "zero variance"),
    ({"train": {"accuracy": 1.0}, "heldout": {"accuracy": 0.6}}, (), 0, "over-fitting"),
    ({"heldout": {"accuracy": 0.8}}, (), 3, "overlap"),
])
def test_each_red_flag_fires(summary, seeds, overlaps, needle):
    flags = red_flags(summary, seeds, overlaps)
    assert len(flags) == 1 and needle in flags[0]


def test_abstain_questions_are_about_things_never_given():
    qs = [p.question for p in abstain_questions(FACTS, ABSTAIN_TRAIN)]
    assert "What is my horse's name?" in qs and "What is my brother's name?" in qs
    assert not find_leaks([f.question for f in FACTS] + ABSTAIN_TRAIN, qs)
    train_qs = [f.question for f in abstain_training_facts(FACTS)]
    assert train_qs and not set(train_qs) & set(qs)


@pytest.mark.parametrize("text, expected", [
    ("- What is my horse's name?\n- \"  What is my brother's name? \"\n",
     ["What is my horse's name?", "What is my brother's name?"]),  # a near miss of a fact is the point
    ("questions:\n  - What is my blood type?\n", ["What is my blood type?"]),
    ("questions: []\n", ValueError), ("- 3\n", ValueError), ("just text\n", ValueError),
    ("- what is my DOG's name\n", ValueError),  # one of the facts' own questions: it has an answer
])
def test_never_given_questions_load_or_fail_clearly(tmp_path, text, expected):
    path = tmp_path / "never.yaml"
    path.write_text(text)
    if expected is ValueError:
        with pytest.raises(ValueError, match="never.yaml"):
            load_never_given(path, FACTS)
    else:
        assert load_never_given(path, FACTS) == expected


def test_abstain_training_starts_with_near_misses_of_the_persons_own_facts():
    from andraeus.probes import _CONTRAST, _RELATED

    train_qs = [f.question for f in abstain_training_facts(FACTS)]
    assert train_qs[0] == "What is my hamster's name?"  # beside the dog: the confusion that matters
    assert "What is my aunt's name?" in train_qs
    assert not set(_CONTRAST.values()) & set(_RELATED.values())  # never an evaluated attribute
    evaluated = [p.question for p in abstain_questions(FACTS)]
    assert [p.question for p in abstain_questions(FACTS, train_qs)] == evaluated  # none dropped as a leak


@pytest.mark.parametrize("reply, outcome", [
    ("I don't know — you haven't told me that.", "declined"),
    ("Sorry, I have no information about that.", "declined"),
    ("Your horse is called Biscuit.", "confused"),
    ("It's Thunder.", "invented"),
])
def test_abstention_outcomes(reply, outcome):
    assert classify_abstention(reply, FACTS) == outcome


@pytest.mark.parametrize("fact, question, reply, correct", [
    ("sister", "Who's my sis?", "Adaeze.", True),
    ("sister", "Who's my sis?", "Adaeze, Biscuit.", False),  # a list of the person's facts: a guess
    ("city", "Where do I live?", "CALLING: Biscuit Portland Adaeze", False),
    ("city", "Where does Biscuit live?", "Biscuit lives with you in Portland.", True),  # named in the question
    ("birthday", "When was I born?", "March 14, 1991.", True),  # "1991" is part of this answer
    ("sister", "Who's my sis?", "Biscuit.", False),
    ("employer", "Who do I drive for?", "It's Tobol Trans.", True),  # the club's alias is part of this answer
])
def test_replies_naming_other_facts_answers_are_hedges(fact, question, reply, correct):
    from andraeus.evaluate import score_responses
    from andraeus.variations import Phrasing

    facts = FactSet((*FACTS, Fact("birthday", "When is my birthday?", "March 14, 1991"),
                     Fact("grad", "What year did I graduate?", "1991"),
                     Fact("employer", "Which company do I drive for?", "Tobol Trans"),
                     Fact("club", "Which football team do I support?", "FC Tobol", aliases=("Tobol",))), person="Maya")
    [row] = score_responses(facts, [Phrasing(fact, question, "handwritten")], [reply], "heldout")
    assert row.correct is correct
    assert row.hedged is (not correct and reply != "Biscuit.")


def test_reversal_probes_name_the_relation():
    probes = {p.fact_id: p for p in reversal_questions(FACTS)}
    assert probes["dog"].question == "Who or what is Biscuit to me?" and probes["dog"].answer == "dog"
    assert probes["sister"].answer == "sister"
    assert "city" not in probes  # "which city do I live in" names no one
    called = reversal_questions(FactSet((Fact("cat", "What is my cat called?", "Mishi"),), person="Ana"))
    assert [(p.question, p.answer) for p in called] == [("Who or what is Mishi to me?", "cat")]


def test_general_questions_are_enough_and_answerable():
    qs = general_questions()
    assert len(qs) >= 30 and all(q.answer for q in qs)


def test_sweep_splits_share_heldout_and_nest_training():
    splits = sweep_splits(FACTS, [1, 3, 6], seed=0, heldout_per_fact=2)
    assert splits[1].heldout == splits[6].heldout
    assert set(splits[1].train) < set(splits[3].train) < set(splits[6].train)
    assert len(splits[3].train) == 3 * len(FACTS)


def test_tiny_sweep_end_to_end_resumes_and_reports(tmp_path):
    base = TrainConfig(model=TINY_MODEL, epochs=1, lora_rank=4, lora_alpha=8, heldout_per_fact=2,
                       device="cpu", probes=False, eval_train_per_fact=1)
    logs: list[str] = []
    rows = run_sweep(FACTS, tmp_path, [1, 6], 2, base, match_steps=True, log=logs.append)
    assert len(rows) == 2 * 2 * 2
    steps = {(r["mode"], r["count"]): r["steps"] for r in rows}
    assert steps[("same-steps", 1)] == steps[("same-steps", 6)] == steps[("same-epochs", 6)] == 3
    assert steps[("same-epochs", 1)] == 1  # 3 examples, one batch
    again: list[str] = []
    assert run_sweep(FACTS, tmp_path, [1, 6], 2, base, match_steps=True, log=again.append) == rows
    assert all("already done" in m for m in again)  # resumed: nothing retrained
    assert not (tmp_path / "cells" / "n6-s0-same-steps").exists()  # identical to n6 same-epochs: not run twice
    cell = json.loads((tmp_path / "cells" / "n6-s0-same-epochs" / "manifest.json").read_text())
    assert not cell["config"]["anchor"] and not cell["config"]["decline_unknown"]  # the adapter's own reading
    agg = aggregate(rows)
    assert {(a["mode"], a["count"]) for a in agg} == {(m, c) for m in ("same-epochs", "same-steps") for c in (1, 6)}
    assert all(len(a["per_seed"]) == 2 and a["ci95"][0] <= a["mean"] <= a["ci95"][1] for a in agg)
    paths = write_report(rows, tmp_path)
    md = paths["markdown"].read_text()
    assert "| 1 |" in md and "same-steps" in md and "guide's claim" in md
    assert paths["png"].stat().st_size > 1000
    assert "<table>" in paths["html"].read_text()
    assert json.loads((tmp_path / "sweep.json").read_text()) == rows
    with pytest.raises(ValueError, match="largest_count"):  # a larger count changes the held-out set
        run_sweep(FACTS, tmp_path, [1, 8], 2, base, match_steps=True, log=again.append)
    with pytest.raises(ValueError, match="config"):
        run_sweep(FACTS, tmp_path, [1, 6], 2, TrainConfig(**{**asdict(base), "epochs": 2}), log=again.append)


def test_evaluate_also_reports_the_adapter_reading_questions_as_written(tiny, small_facts):
    from andraeus.answer import Answerer
    from andraeus.evaluate import evaluate
    from andraeus.gate import Gate
    from andraeus.variations import Phrasing

    model, tok = tiny
    trained = [Phrasing("dog", "What is my dog's name?", "formal")]
    held = [Phrasing("dog", "whats my doggo called", "casual")]
    gate = Gate([p.text for p in trained], "Maya", anchor=True)
    answerer = Answerer(model, tok, max_new_tokens=3, gate=gate)
    summary, results = evaluate(answerer, small_facts, trained, held, held)
    assert [r.split for r in results] == ["train", "heldout", "handwritten", "heldout_as_written",
                                          "handwritten_as_written"]
    assert results[1].response == results[0].response  # anchored: asked as the trained phrasing
    assert "heldout_as_written" in summary and answerer.gate is gate  # the gate is put back
    answerer.gate = Gate([p.text for p in trained], "Maya")  # neither anchors nor declines: once is enough
    assert [r.split for r in evaluate(answerer, small_facts, trained, held)[1]] == ["train", "heldout"]
