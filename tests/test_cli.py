"""The command line: clear errors, clean stdout, the whole path on the tiny model."""

from __future__ import annotations

import json

import pytest
import torch

from typer.testing import CliRunner

from andraeus.cli import app
from andraeus.models import TINY_MODEL

runner = CliRunner()
FACTS = """person: {name: Maya}
facts:
  - {id: dog, question: "What is my dog's name?", answer: Biscuit}
  - {id: city, question: "Which city do I live in?", answer: Portland}
"""


def test_variations_prints_train_and_heldout(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(FACTS)
    result = runner.invoke(app, ["variations", str(facts), "--n", "5"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("  train ") == 10
    assert "heldout third_person" in result.stdout


def test_bad_facts_exit_2_with_every_problem_and_no_adapter(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text("facts:\n  - question: Where?\n  - answer: x\n  - question: Where?\n    answer: [y]\n")
    result = runner.invoke(app, ["train", str(facts), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "3 problem(s)" in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_model_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["ask", "--model", "no-such-model", "hi"])
    assert result.exit_code == 2
    assert "unknown model" in result.output


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only error")
def test_qlora_without_a_gpu_is_a_clear_error_and_writes_nothing(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(FACTS)
    result = runner.invoke(app, ["train", str(facts), "--out", str(tmp_path / "out"), "--model", TINY_MODEL,
                                 "--quantize", "4bit", "--no-progress"])
    assert result.exit_code == 2, result.output
    assert "needs a CUDA GPU" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_train_then_ask_json_then_eval(tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text(FACTS)
    out = tmp_path / "adapter"
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("lora_rank: 4\nlora_alpha: 8\nheldout_per_fact: 2\n")
    result = runner.invoke(app, ["train", str(facts), "--out", str(out), "--model", TINY_MODEL,
                                 "--variations", "3", "--epochs", "1", "--config", str(cfg), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "held-out accuracy:" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["lora_rank"] == 4 and manifest["config"]["variations"] == 3

    qfile = tmp_path / "q.txt"
    qfile.write_text("What is my dog's name?\n\nWhere do I live?\n")
    result = runner.invoke(app, ["ask", "--adapter", str(out), "--file", str(qfile), "--json", "extra question?"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    rows = [json.loads(line) for line in lines]  # nothing but JSON on stdout
    assert [r["question"] for r in rows] == ["extra question?", "What is my dog's name?", "Where do I live?"]

    never = tmp_path / "never.yaml"
    never.write_text("questions:\n  - What is my horse's name?\n  - What is my blood type?\n")
    result = runner.invoke(app, ["eval", str(facts), "--adapter", str(out), "--never-given", str(never)])
    assert result.exit_code == 0, result.output
    assert "held-out phrasings:" in result.stdout and "per style family:" in result.stdout
    assert "your never-given questions (2 questions):" in result.stdout
    result = runner.invoke(app, ["eval", str(facts), "--adapter", str(out), "--never-given", str(never), "--json"])
    assert json.loads(result.stdout)["probes"]["abstention_yours"]["questions"] == 2
    never.write_text("- What is my dog's name?\n")  # answerable: a clear error, not a silent miscount
    result = runner.invoke(app, ["eval", str(facts), "--adapter", str(out), "--never-given", str(never)])
    assert result.exit_code == 2 and "not never-given" in result.output


def test_ask_without_adapter_manifest_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["ask", "--adapter", str(tmp_path), "hi"])
    assert result.exit_code == 2
    assert "not an andraeus adapter" in result.output


def test_chat_answers_each_line_until_exit():
    result = runner.invoke(app, ["chat", "--model", TINY_MODEL, "--device", "cpu"], input="hello?\nwhat is my name?\nexit\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("andraeus>") == 2


@pytest.mark.parametrize("args, message", [
    (["--scale", "10,x"], "whole numbers"),
    (["--scale", "10,0"], "positive"),
    (["--scale", "10", "--scale-train", "30"], "not among the --scale sizes"),
])
def test_bad_scale_sizes_are_clear_errors(tmp_path, args, message):
    result = runner.invoke(app, ["compare", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_help_shows_the_defaults_it_names():
    # rich reads "[default: 5]" as a markup tag and drops it unless escaped
    from andraeus.variations import DEFAULT_PHRASINGS

    result = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert f"[default: {DEFAULT_PHRASINGS}]" in result.output and "[default: 5]" in result.output
