"""The learned judge: the gate's last word, the shipped adapter, and fitting one."""

from __future__ import annotations

import json
from dataclasses import dataclass

from andraeus.answer import make_gate
from andraeus.gate import Gate
from andraeus.judge import SETTINGS, Judge, JudgeConfig, builtin_judge, fit_judge
from andraeus.models import TINY_MODEL
from andraeus.train import TrainConfig


@dataclass
class StubJudge:
    """Scores each pair by a table; every pair it is asked about is recorded."""

    table: dict
    threshold: float = 0.0
    override: float = 3.0

    def __post_init__(self):
        self.asked = []

    def scores(self, pairs):
        self.asked += pairs
        return [self.table.get(q, 1.0) for q, _ in pairs]


TRAINED = ["When is my next dentist appointment?", "When do I next see the dentist?", "Where was I born?",
           "What is my birthplace?", "I don't know, you haven't told me that: what is my blood type?"]
IDS = ["dentist", "dentist", "birthplace", "birthplace", None]


def test_the_judge_declines_what_it_says_asks_something_else_and_answers_what_it_says_asks_the_same():
    questions = ["what should I bring to my dentist appointment", "when's my next dentist visit",
                 "What's my brother's name?"]
    plain = Gate(TRAINED, "Maya", unknown=["What is my brother's name?"], anchor=True, fact_ids=IDS)
    assert [r.to for r in plain.route(questions)] == ["adapter", "adapter", "decline"]
    judge = StubJudge({questions[0]: -4.0, questions[2]: 5.0})
    routes = Gate(TRAINED, "Maya", unknown=["What is my brother's name?"], anchor=True, fact_ids=IDS,
                  judge=judge).route(questions)
    assert [r.to for r in routes] == ["decline", "adapter", "adapter"]
    assert routes[1].text in TRAINED[:2] and routes[2].text in TRAINED  # answered from the nearest phrasing
    assert [q for q, _ in judge.asked] == questions  # once each, against the phrasing it was sent to
    nothing = StubJudge({q: 0.5 for q in questions})  # between threshold and override: the gate stands
    assert [r.to for r in Gate(TRAINED, "Maya", unknown=["What is my brother's name?"], anchor=True, fact_ids=IDS,
                               judge=nothing).route(questions)] == ["adapter", "adapter", "decline"]


def test_the_judge_is_not_asked_about_general_questions_or_trained_declines():
    judge = StubJudge({})
    gate = Gate(TRAINED, "Maya", anchor=True, fact_ids=IDS, judge=judge)
    routes = gate.route(["What is the capital of France?", "what's my blood type"])
    assert routes[0].to == "base" and judge.asked == []
    assert gate.as_written().judge is None  # the method alone: no gate's last word either


def test_the_shipped_judge_tells_a_rewording_from_a_near_miss():
    judge = builtin_judge()
    same, other = judge.scores([("whats my sisters name again", "What is my sister's name?"),
                                ("What is my brother's name?", "What is my sister's name?")])
    assert same >= judge.threshold > other


def test_an_adapter_trained_with_the_judge_on_answers_with_it(tmp_path):
    config = {"gate": True, "anchor": True, "judge": True}
    saved = {"train": [{"text": t, "fact_id": f} for t, f in zip(TRAINED[:4], IDS)], "unknown": []}
    assert make_gate(config, saved, "Maya").judge is builtin_judge()
    assert make_gate(config | {"judge": False}, saved, "Maya").judge is None
    assert make_gate({"gate": True}, saved, "Maya").judge is None  # adapters from before the judge
    assert TrainConfig().judge is False  # off by default (bench/RESULTS.md: it trades held-out accuracy)


def test_fitting_a_judge_saves_a_peft_adapter_and_its_thresholds(tmp_path):
    pairs = [("what's my dog called", "What is my dog's name?"), ("my cat's name?", "What is my dog's name?")] * 4
    labels = [1, 0] * 4
    settings = fit_judge(pairs, labels, tmp_path, JudgeConfig(rank=2, epochs=1, batch=4), progress=False,
                         model_name=TINY_MODEL)
    assert (tmp_path / "adapter_model.safetensors").exists()
    assert json.loads((tmp_path / SETTINGS).read_text()) == settings and settings["yes"] == 4
    judge = Judge(tmp_path)
    scores = judge.scores(pairs[:2])
    assert len(scores) == 2 and judge.threshold == settings["threshold"] <= max(judge.scores(pairs[::2]))


def test_the_judge_reads_the_question_in_the_users_voice():
    judge = StubJudge({})
    Gate(TRAINED, "Maya", anchor=True, fact_ids=IDS, judge=judge).route(["Where was Maya born?"])
    assert judge.asked == [("Where was I born?", judge.asked[0][1])]
