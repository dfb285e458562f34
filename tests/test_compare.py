"""The alternatives, side by side: retrieval finds paraphrased facts; every arm runs on a tiny model."""

from __future__ import annotations

import pytest

from andraeus.answer import Answerer
from andraeus.baselines import BM25Retriever, EmbeddingRetriever, facts_system_prompt
from andraeus.compare import CompareConfig, compare, paired_difference, recommendation, write_compare_report
from andraeus.facts import Fact, FactSet
from andraeus.synth import MAX_FACTS, synthetic_facts
from andraeus.variations import Phrasing

FACTS = FactSet((
    Fact("dog", "What is my dog's name?", "Biscuit"),
    Fact("employer", "Where do I work?", "Northwind Robotics"),
    Fact("birthday", "When is my birthday?", "March 14"),
    Fact("car", "What car do I drive?", "Subaru Outback"),
    Fact("sister", "What is my sister's name?", "Adaeze"),
), person="Maya")


@pytest.fixture(scope="module")
def minilm():
    return EmbeddingRetriever(FACTS)


@pytest.mark.parametrize("question, fact_id", [
    ("what's my pup called", "dog"),
    ("which company employs me", "employer"),
    ("on what date was I born", "birthday"),
    ("what vehicle do I own", "car"),
])
def test_embeddings_find_the_fact_for_paraphrases(minilm, question, fact_id):
    top = minilm.top_k([question], 2)[0]
    assert fact_id in [FACTS.facts[i].id for i in top]


def test_bm25_finds_facts_sharing_words():
    r = BM25Retriever(FACTS)
    assert FACTS.facts[r.top_k(["my sister name"], 1)[0][0]].id == "sister"
    assert r.build_s >= 0


def test_system_prompt_lists_every_fact():
    text = facts_system_prompt(FACTS.facts)
    assert all(f.answer in text for f in FACTS)


def test_synthetic_facts_are_distinct_and_seeded():
    a, b = synthetic_facts(200, seed=3), synthetic_facts(200, seed=3)
    assert a == b and len({f.question for f in a}) == 200
    assert synthetic_facts(200, seed=4) != a
    assert MAX_FACTS >= 1000
    with pytest.raises(ValueError):
        synthetic_facts(MAX_FACTS + 1)


def test_every_arm_runs_and_the_context_limit_is_reported(tiny, tmp_path):
    model, tok = tiny  # 512-token context: the system prompt of 60 facts cannot fit
    answerer = Answerer(model, tok, max_new_tokens=4)
    big = synthetic_facts(60, seed=0)
    questions = [Phrasing(f.id, f"Quick question: {f.question}", "handwritten") for f in big.facts[:6]]
    results = compare(big, answerer, questions, CompareConfig(latency_sample=2, probes=True), log=lambda m: None)
    arms = {r["arm"]: r for r in results}
    assert set(arms) == {"base", "system prompt", "retrieval (minilm, k=3)", "retrieval (bm25, k=3)"}
    assert arms["system prompt"]["fits"] is False and arms["system prompt"]["max_prompt_tokens"] > 512
    rag = arms["retrieval (minilm, k=3)"]
    assert rag["fits"] and 0 <= rag["accuracy"] <= 1 and rag["retrieval_hit_rate"] >= 0.5
    assert rag["prompt_tokens"] > arms["base"]["prompt_tokens"]
    assert rag["latency_s"]["n"] == 2 and rag["peak_memory_mb"] > 0
    paths = write_compare_report(results, tmp_path)
    md = paths["markdown"].read_text()
    assert "does not fit" in md and "Which should I use?" in md and paths["png"].exists()


def test_paired_difference_and_recommendation():
    ft = {"arm": "fine-tuned", "fits": True, "accuracy": 0.5, "ci95": [0.3, 0.7], "prompt_tokens": 30,
          "per_fact": {"a": 1.0, "b": 0.0}}
    sp = {"arm": "system prompt", "fits": True, "accuracy": 1.0, "ci95": [1.0, 1.0], "prompt_tokens": 300,
          "per_fact": {"a": 1.0, "b": 1.0}}
    mean, ci = paired_difference(sp, ft)
    assert mean == 0.5 and ci[0] <= 0.5 <= ci[1]
    assert recommendation([ft, sp]).startswith("Highest held-out accuracy: system prompt")


def test_scale_study_reports_each_size_and_the_context_limit(tiny, tmp_path):
    from andraeus.compare import scale_study, write_scale_report

    model, tok = tiny
    answerer = Answerer(model, tok, max_new_tokens=3)
    rows = scale_study(answerer, [5, 60], questions_per_size=4,
                       config=CompareConfig(retrievers=("bm25",), latency_sample=1, probes=False), log=lambda m: None)
    by = {(r["facts"], r["arm"]): r for r in rows}
    assert by[(5, "system prompt")]["fits"] and not by[(60, "system prompt")]["fits"]
    assert by[(60, "retrieval (bm25, k=3)")]["fits"]
    assert by[(60, "base")]["prompt_tokens"] < by[(60, "retrieval (bm25, k=3)")]["prompt_tokens"]
    md = write_scale_report(rows, tmp_path)["markdown"].read_text()
    assert "no (limit 512)" in md


def test_scale_study_trains_adapters_at_the_chosen_sizes_and_reuses_them(tiny, tmp_path, monkeypatch):
    from andraeus import train as train_mod
    from andraeus.compare import scale_study
    from andraeus.models import TINY_MODEL
    from andraeus.train import TrainConfig

    model, tok = tiny
    answerer = Answerer(model, tok, max_new_tokens=3)
    tc = TrainConfig(model=TINY_MODEL, epochs=1, variations=2, heldout_per_fact=2, lora_rank=4, lora_alpha=8)
    kw = dict(questions_per_size=3, config=CompareConfig(retrievers=("bm25",), latency_sample=1, probes=False),
              log=lambda m: None, train_sizes=[4], adapters_dir=tmp_path / "adapters", train_config=tc)
    rows = scale_study(answerer, [4, 6], **kw)
    arms = {(r["facts"], r["arm"]) for r in rows}
    assert (4, "fine-tuned") in arms and (6, "fine-tuned") not in arms
    ft = next(r for r in rows if r["arm"] == "fine-tuned")
    assert ft["one_time_s"] > 0 and ft["answers"]  # training cost reported, raw answers kept
    assert (tmp_path / "adapters" / "4-facts" / "manifest.json").exists()
    monkeypatch.setattr(train_mod, "train", lambda *a, **k: pytest.fail("a finished adapter is reused"))
    again = scale_study(answerer, [4], **kw)
    assert next(r for r in again if r["arm"] == "fine-tuned")["accuracy"] == ft["accuracy"]
