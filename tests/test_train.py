"""Prompt format, loss masking and the training loop, on a tiny random model."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from andraeus import train as train_mod
from andraeus.answer import Answerer
from andraeus.facts import Fact, FactSet
from andraeus.models import TINY_MODEL
from andraeus.prompts import IGNORE, encode_example, encode_prompt
from andraeus.train import (TrainConfig, add_lora, answer_loss_sum, build_examples, frozen_bottom, pack,
                            pad_row, shared_prefix, train)
from andraeus.variations import make_split

TINY = dict(model=TINY_MODEL, epochs=1, variations=3, heldout_per_fact=2, lora_rank=4, lora_alpha=8,
            device="cpu", eval_train_per_fact=1)


def test_prompt_is_the_same_at_training_and_answer_time(tiny):
    _, tok = tiny
    ex = encode_example(tok, "What is my dog's name?", "Biscuit")
    assert list(ex.prompt_ids) == encode_prompt(tok, "What is my dog's name?")
    assert "Biscuit" in tok.decode(ex.answer_ids)
    assert ex.answer_ids[-1] == tok.eos_token_id  # the model learns to stop
    assert "Biscuit" not in tok.decode(ex.prompt_ids)  # no facts in the prompt


def test_loss_is_only_on_answer_tokens(tiny):
    _, tok = tiny
    ex = encode_example(tok, "What is my dog's name?", "Biscuit")
    labels = ex.labels
    assert labels[: len(ex.prompt_ids)] == [IGNORE] * len(ex.prompt_ids)
    assert labels[len(ex.prompt_ids):] == list(ex.answer_ids)


@pytest.mark.parametrize("share", [True, False])
def test_answer_loss_equals_the_models_own_loss(tiny, small_facts, share):
    model, tok = tiny
    cfg = TrainConfig(**TINY)
    examples = build_examples(tok, small_facts, make_split(small_facts, 3, 0, 2), cfg)[:3]
    assert len({len(e.input_ids) for e in examples}) > 1  # packing rows of different lengths
    skip = len(shared_prefix(examples)) if share else 0
    n_answer = sum(len(e.answer_ids) for e in examples)
    batch = pack(examples, range(3), skip)
    assert batch["input_ids"].shape[1] == skip + sum(len(e.input_ids) - 1 - skip for e in examples)  # no padding
    ours = answer_loss_sum(model, batch) / n_answer
    theirs = [model(input_ids=torch.tensor([e.input_ids]), labels=torch.tensor([e.labels])).loss * len(e.answer_ids)
              for e in examples]  # transformers' loss: mean over the answer tokens of one example, alone
    assert torch.allclose(ours, sum(theirs) / n_answer, rtol=1e-5), (ours, theirs)


def test_packed_examples_do_not_see_each_other(tiny, small_facts):
    model, tok = tiny
    examples = build_examples(tok, small_facts, make_split(small_facts, 3, 0, 2), TrainConfig(**TINY))
    skip = len(shared_prefix(examples))
    assert skip > 5  # the chat template's system turn
    alone = answer_loss_sum(model, pack(examples, [0], skip))
    together = answer_loss_sum(model, pack(examples, [0, 1, 2], skip))
    together -= answer_loss_sum(model, pack(examples, [1, 2], skip))
    assert torch.allclose(alone, together, rtol=1e-4), (alone, together)
    allowed = pack(examples, [0, 1], skip)["allowed"]
    first = len(examples[0].input_ids) - 1 - skip
    assert allowed[skip + first, :skip].all() and not allowed[skip + first, skip:skip + first].any()


@pytest.mark.parametrize("share", [True, False])
def test_cached_frozen_layers_give_the_same_loss(tiny, small_facts, share):
    model, tok = tiny
    cfg = TrainConfig(**TINY, lora_top_layers=1)
    lora = add_lora(model, cfg)
    try:
        lora.eval()
        examples = build_examples(tok, small_facts, make_split(small_facts, 3, 0, 2), cfg)
        skip = len(shared_prefix(examples)) if share else 0
        frozen = frozen_bottom(lora, examples, skip, chunk=4)
        assert frozen is not None and frozen.start == 1  # the tiny model has 2 layers, LoRA in the top one
        idx = list(range(len(examples)))
        full = answer_loss_sum(lora, pack(examples, idx))
        batch = pack(examples, idx, skip)
        batch["hidden"] = frozen.stack(idx)
        cached = answer_loss_sum(lora, batch, frozen)
        assert torch.allclose(full, cached, rtol=1e-5), (full, cached)
        padded = pad_row(batch, 16)  # padding reaches the cached states too
        assert padded["hidden"].shape[1] == padded["input_ids"].shape[1] > batch["input_ids"].shape[1]
        assert torch.allclose(full, answer_loss_sum(lora, padded, frozen), rtol=1e-5)
    finally:
        lora.unload()


def test_lora_top_layers_puts_lora_only_there(tiny):
    model, _ = tiny
    lora = add_lora(model, TrainConfig(**TINY, lora_top_layers=1))
    try:
        trained = {n.split(".layers.")[1].split(".")[0] for n, p in lora.named_parameters() if p.requires_grad}
        assert trained == {"1"}
    finally:
        lora.unload()
    lora = add_lora(model, TrainConfig(**TINY))
    try:  # LoRA in every layer: nothing below it to cache
        assert frozen_bottom(lora, [], 0) is None
    finally:
        lora.unload()
    with pytest.raises(ValueError, match="between 1 and 2"):
        add_lora(model, TrainConfig(**TINY, lora_top_layers=3))


def test_prefix_sharing_is_on_by_default_and_can_be_turned_off(tiny, small_facts):
    model, tok = tiny
    cfg = TrainConfig(**{**TINY, "max_steps": 1})
    lora = add_lora(model, cfg)
    try:
        examples = build_examples(tok, small_facts, make_split(small_facts, 3, 0, 2), cfg)
        auto = train_mod.fit(lora, examples, cfg, progress=False)
        off = train_mod.fit(lora, examples, TrainConfig(**{**TINY, "max_steps": 1, "share_prefix": False}),
                            progress=False)
        # the same rows; without sharing every row runs its own copy of the prefix, not one for all
        prefix = len(shared_prefix(examples))
        assert auto.tokens == off.tokens
        extra = off.processed_tokens - auto.processed_tokens
        assert extra >= prefix and extra % prefix == 0, (extra, prefix)
    finally:
        lora.unload()


def test_never_given_questions_without_probes_are_a_clear_error(tmp_path, small_facts):
    with pytest.raises(ValueError, match="probes"):
        train(small_facts, tmp_path / "out", TrainConfig(**TINY, probes=False), never_given=["What is my horse's name?"])
    assert not (tmp_path / "out").exists()


def test_stop_when_learned_ends_after_the_first_epoch_that_passes(small_facts):
    from andraeus.models import load_model

    model, tok = load_model(TINY_MODEL, "cpu")
    lora = add_lora(model, TrainConfig(**TINY))
    examples = build_examples(tok, small_facts, make_split(small_facts, 3, 0, 2), TrainConfig(**TINY))
    early = TrainConfig(**{**TINY, "epochs": 3, "stop_when_learned": True})
    calls = []
    checks = iter([False, True])
    stats = train_mod.fit(lora, examples, early, progress=False,
                          learned=lambda: calls.append(lora.training) or next(checks))
    assert (stats.epochs_run, stats.learned_at_epoch, stats.steps) == (2, 2, 4)
    assert calls == [False, False]  # checked in eval mode (no dropout), after epochs 1 and 2
    never = train_mod.fit(lora, examples, early, progress=False, learned=lambda: calls.append(1) or False)
    assert (never.epochs_run, never.learned_at_epoch) == (3, None) and len(calls) == 4  # not after the last
    plain = train_mod.fit(lora, examples, TrainConfig(**{**TINY, "epochs": 3}), progress=False,
                          learned=lambda: True)
    assert plain.epochs_run == 3  # off unless asked for
    with pytest.raises(ValueError, match="choose one"):
        TrainConfig(stop_when_learned=True, max_steps=10)


def test_learned_check_asks_one_training_phrasing_per_fact(tiny, small_facts):
    model, tok = tiny
    split = make_split(small_facts, 3, 0, 2)
    cfg = TrainConfig(**TINY)
    assert train_mod.learned_check(model, tok, small_facts, split, cfg)() is False  # a random model knows nothing


@pytest.mark.parametrize("bf16", [True, False])
def test_training_lowers_the_loss(small_facts, bf16):
    from andraeus.models import load_model

    model, tok = load_model(TINY_MODEL, "cpu")
    cfg = TrainConfig(**{**TINY, "epochs": 8, "learning_rate": 3e-2, "bf16_matmuls": bf16})
    lora = add_lora(model, cfg)
    examples = build_examples(tok, small_facts, make_split(small_facts, 3, 0, 2), cfg)
    stats = train_mod.fit(lora, examples, cfg, progress=False)
    assert stats.steps == 8 * 2  # 9 examples, effective batch 8 -> 2 steps per epoch
    assert stats.losses[-1] < stats.losses[0] - 1.0, stats.losses


def _tiny_lora_batch(small_facts, seed: int = 0):
    from andraeus.models import load_model

    model, tok = load_model(TINY_MODEL, "cpu")
    torch.manual_seed(seed)
    cfg = TrainConfig(**{**TINY, "lora_dropout": 0.0})
    lora = add_lora(model, cfg)
    for name, p in lora.named_parameters():  # LoRA B starts at zero: make the adapter do something
        if "lora_B" in name:
            torch.nn.init.normal_(p, std=0.5)
    examples = build_examples(tok, small_facts, make_split(small_facts, 3, 0, 2), cfg)
    return lora, pack(examples, range(4), len(shared_prefix(examples)))


def test_bf16_matmuls_round_what_the_linear_layers_multiply_and_leave_the_model_as_it_was(small_facts):
    model, batch = _tiny_lora_batch(small_facts)
    fp32 = answer_loss_sum(model, batch)
    lora = model.get_base_model().model.layers[0].self_attn.q_proj  # frozen base + trainable A, B
    head = model.get_base_model().lm_head  # frozen, no LoRA
    x = torch.randn(3, lora.base_layer.in_features)
    x16, bf = x.bfloat16(), lambda linear: linear.weight.bfloat16()  # noqa: E731
    lin = torch.nn.functional.linear
    with train_mod.bf16_matmuls(model):
        bf16 = answer_loss_sum(model, batch)
        assert torch.equal(head(x), lin(x16, bf(head)).float())
        low_rank = lin(lin(x16, bf(lora.lora_A["default"])), bf(lora.lora_B["default"])) * lora.scaling["default"]
        assert torch.equal(lora(x), (lin(x16, bf(lora.base_layer)) + low_rank).float())
    assert bf16.item() != fp32.item() and bf16.item() == pytest.approx(fp32.item(), rel=2e-2)
    assert not any("forward" in vars(m) for m in model.modules())
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert answer_loss_sum(model, batch).item() == fp32.item()


@pytest.mark.parametrize("multiple", [16, 7])
def test_padded_rows_give_the_same_loss_and_gradients(small_facts, multiple):
    model, batch = _tiny_lora_batch(small_facts)
    params = [p for p in model.parameters() if p.requires_grad]
    padded = pad_row(batch, multiple)
    length = padded["input_ids"].shape[1]
    assert length % multiple == 0 and length > batch["input_ids"].shape[1]
    grads = []
    for b in (batch, padded):
        model.zero_grad()
        loss = answer_loss_sum(model, b)
        loss.backward()
        grads.append((loss.detach(), torch.cat([p.grad.flatten() for p in params])))
    (plain, g_plain), (pad, g_pad) = grads
    assert torch.allclose(plain, pad, rtol=1e-5), (plain, pad)
    assert torch.isfinite(g_pad).all() and (g_plain - g_pad).abs().max() <= 1e-5 * g_plain.abs().max()


def test_bf16_matmuls_train_the_fp32_lora_weights(small_facts):
    model, batch = _tiny_lora_batch(small_facts)
    params = [p for p in model.parameters() if p.requires_grad]
    answer_loss_sum(model, batch).backward()
    fp32 = torch.cat([p.grad.flatten() for p in params])
    model.zero_grad()
    with train_mod.bf16_matmuls(model):
        answer_loss_sum(model, batch).backward()
        bf16 = torch.cat([p.grad.flatten() for p in params])
        assert torch.nn.functional.cosine_similarity(fp32, bf16, dim=0) > 0.99
        before = answer_loss_sum(model, batch).item()
        torch.optim.SGD(params, lr=1e-2).step()
        assert answer_loss_sum(model, batch).item() < before  # the update is seen: no stale bf16 copy


def test_bf16_matmuls_by_default_where_the_cpu_has_bf16_instructions(monkeypatch):
    from andraeus.train import use_bf16_matmuls

    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    for has in (True, False):
        monkeypatch.setattr(train_mod, "cpu_has_bf16", lambda: has)
        assert use_bf16_matmuls(TrainConfig(), cpu) is has
        assert use_bf16_matmuls(TrainConfig(bf16_matmuls=not has), cpu) is (not has)
        assert use_bf16_matmuls(TrainConfig(bf16_matmuls=True), cuda) is False  # CUDA runs the model in bf16


def test_training_with_cached_frozen_layers_matches_training_without(small_facts):
    from andraeus.models import load_model

    losses = {}
    for cache in (True, False):
        model, tok = load_model(TINY_MODEL, "cpu")
        cfg = TrainConfig(**{**TINY, "epochs": 3, "learning_rate": 3e-2, "lora_top_layers": 1,
                             "cache_frozen_layers": cache})
        torch.manual_seed(0)
        lora = add_lora(model, cfg)
        examples = build_examples(tok, small_facts, make_split(small_facts, 3, 0, 2), cfg)
        losses[cache] = train_mod.fit(lora, examples, cfg, progress=False).losses
    assert losses[True][-1] < losses[True][0] - 1.0, losses[True]
    assert losses[True] == pytest.approx(losses[False], rel=1e-4)  # same dropout draws, same steps


def test_train_writes_a_peft_adapter_with_manifest(tmp_path, small_facts):
    from andraeus.variations import Phrasing

    out = tmp_path / "adapter"
    trained = make_split(small_facts, TINY["variations"], 0, TINY["heldout_per_fact"]).train[0]
    mine = (Phrasing(trained.fact_id, trained.text, "handwritten"), Phrasing("dog", "Pooch's name, again??", "handwritten"))
    manifest = train(small_facts, out, TrainConfig(**TINY), progress=False, handwritten=mine)
    names = {p.name for p in out.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "manifest.json", "phrasings.json", "eval.json"} <= names
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk == manifest
    for key in ("facts_sha256", "config", "versions", "seed", "timings", "adapter_bytes", "eval", "peak_memory_mb"):
        assert key in manifest
    assert manifest["facts_sha256"] == small_facts.sha256
    assert manifest["bf16_matmuls"] is train_mod.cpu_has_bf16()  # the default, decided for this CPU
    saved = json.loads((out / "phrasings.json").read_text())
    assert saved["answers"] == {f.id: list(f.accepted) for f in small_facts}  # the gate's "names the answer" check
    assert manifest["adapter_bytes"] == (out / "adapter_model.safetensors").stat().st_size
    assert json.loads((out / "adapter_config.json").read_text())["base_model_name_or_path"] == TINY_MODEL
    assert 0.0 <= manifest["eval"]["heldout"]["accuracy"] <= 1.0
    assert manifest["leak_check"]["handwritten_left_out"] == [trained.text]  # a training phrasing: not held out
    assert manifest["eval"]["handwritten"]["questions"] == 1
    assert not list(tmp_path.glob(".adapter*"))  # no temporary folders left behind


def test_same_seed_same_adapter(tmp_path, small_facts):
    train(small_facts, tmp_path / "a", TrainConfig(**TINY), progress=False, evaluate_after=False)
    train(small_facts, tmp_path / "b", TrainConfig(**TINY), progress=False, evaluate_after=False)
    train(small_facts, tmp_path / "c", TrainConfig(**{**TINY, "seed": 1}), progress=False, evaluate_after=False)
    a, b, c = (load_file(tmp_path / x / "adapter_model.safetensors") for x in "abc")
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_interrupted_training_leaves_nothing_that_looks_finished(tmp_path, small_facts, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_mod, "_replace_dir", boom)
    with pytest.raises(KeyboardInterrupt):
        train(small_facts, tmp_path / "adapter", TrainConfig(**TINY), progress=False, evaluate_after=False)
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_overwrite(tmp_path, small_facts):
    out = tmp_path / "adapter"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        train(small_facts, out, TrainConfig(**TINY), progress=False)
    assert (out / "keep.txt").read_text() == "mine"
    train(small_facts, out, TrainConfig(**TINY), progress=False, overwrite=True, evaluate_after=False)
    assert (out / "manifest.json").exists() and not (out / "keep.txt").exists()


def test_batched_answers_equal_one_at_a_time(tmp_path, small_facts):
    out = tmp_path / "adapter"
    train(small_facts, out, TrainConfig(**TINY), progress=False, evaluate_after=False)
    answerer = Answerer.from_adapter(out, "cpu", max_new_tokens=8)
    questions = ["What is my dog's name?", "Where do I live?", "hi", "When is my birthday, please tell me?"]
    batched = answerer.answer(questions)
    assert batched == [answerer.answer([q])[0] for q in questions]


def test_config_from_yaml_with_overrides(tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_text("epochs: 3\nlearning_rate: 0.001\nlora_rank: 8\n")
    cfg = TrainConfig.from_yaml(path, epochs=7, seed=None)
    assert (cfg.epochs, cfg.learning_rate, cfg.lora_rank, cfg.seed) == (7, 0.001, 8, 0)
    path.write_text("epoch: 3\n")
    with pytest.raises(ValueError, match="unknown settings"):
        TrainConfig.from_yaml(path)


@pytest.mark.parametrize("question, personal", [
    ("What is my dog's name?", True), ("where do i work", True), ("Tell me about me.", True),
    ("Where does Maya work?", True), ("What is the capital of France?", False), ("Is Mayan art old?", False),
])
def test_is_personal(question, personal):
    from andraeus.gate import is_personal

    assert is_personal(question, "Maya") is personal


def test_gate_sends_general_questions_to_the_base_model(tmp_path, small_facts):
    out = tmp_path / "adapter"
    train(small_facts, out, TrainConfig(**{**TINY, "learning_rate": 3e-2, "epochs": 3}), progress=False,
          evaluate_after=False)
    gated = Answerer.from_adapter(out, "cpu", max_new_tokens=6)
    assert gated.gate and gated.gate.person == "Maya" and gated.gate.anchor and gated.gate.unknown
    general = ["What is the capital of France?", "How many legs does a spider have?"]
    personal = ["What is my dog's name?", "Where does Maya live?"]
    routes = gated.gate.route(general + personal)
    assert [r.to for r in routes] == ["base", "base", "adapter", "adapter"]
    base = gated.answer(general + personal, use_adapter=False)
    answers = gated.answer(general + personal)
    assert answers[:2] == base[:2]  # untouched by the adapter
    gated.gate = None
    assert gated.answer([r.text for r in routes[2:]]) == answers[2:]  # the adapter answered the words routed to it
    assert gated.answer(general) != base[:2]  # and the adapter does change answers when it is used


def test_answerer_declines_what_the_gate_routes_to_a_decline(tiny):
    from andraeus.gate import Gate
    from andraeus.probes import DECLINE_ANSWER

    model, tok = tiny
    gate = Gate(["What is my dog's name?", "What do I call my dog?"], "Maya", unknown=["What breed is my dog?"])
    answers = Answerer(model, tok, max_new_tokens=4, gate=gate).answer(["Which breed is my dog?", "What's my dog's name?"])
    assert answers[0] == DECLINE_ANSWER and answers[1] != DECLINE_ANSWER


def test_abstain_examples_phrase_each_never_given_question_several_ways(tiny, small_facts):
    from andraeus.probes import DECLINE_ANSWER
    from andraeus.train import abstain_examples

    _, tok = tiny
    examples, questions = abstain_examples(tok, small_facts, TrainConfig(**TINY, abstain=2, abstain_phrasings=3))
    assert len(examples) == len(questions) == 6
    assert questions[0] == "What is my hamster's name?" and "hamster" in questions[1]  # the dog's near miss
    assert len(set(questions)) == 6
    assert all(tok.decode(e.answer_ids).startswith(DECLINE_ANSWER) for e in examples)


def test_unknown_questions_ask_of_whatever_a_name_is_asked_of():
    from andraeus.probes import unknown_questions

    facts = FactSet((Fact("ram", "What did we name the ram we are fattening for Tabaski?", "Prince"),
                     Fact("cat", "What is my cat called?", "Mishi"),
                     Fact("dog", "What's the name of our Karakachan dog?", "Sharo"),
                     Fact("birthday", "When is my birthday?", "May 2")), person="Fatou")
    pool = unknown_questions(facts)
    assert "When is Prince's birthday?" in pool and "How old is the ram we are fattening for Tabaski?" in pool
    assert "How old is my cat?" in pool and "When is Mishi's birthday?" in pool
    assert "How old is our Karakachan dog?" in pool and "How old is Sharo?" in pool


def test_unknown_questions_do_not_ask_a_detail_a_fact_gives_of_them():
    from andraeus.probes import unknown_questions

    facts = FactSet((Fact("dog", "What is our dog called?", "Pepè"),
                     Fact("breed", "Which breed is our dog?", "Kelb tal-Fenek"),
                     Fact("son", "What is my son's name?", "Khoa"),
                     Fact("son_birthday", "When is my son's birthday?", "May 2"),
                     Fact("daughter", "What is my daughter's name?", "Hân")), person="Maria")
    pool = unknown_questions(facts)
    assert "What breed is Pepè?" not in pool and "How old is Pepè?" in pool  # the breed is given, the age not
    assert "When is Khoa's birthday?" not in pool and "When is Hân's birthday?" in pool  # the son's, not hers


def test_unknown_questions_ask_no_details_of_a_street_and_nothing_a_fact_answers_in_other_words():
    from andraeus.probes import unknown_questions

    facts = FactSet((Fact("street", "Which street do I live on in Asten?", "Prinsenstraat"),
                     Fact("boss", "Who is my foreman at the foundry?", "Marijke Timmers"),
                     Fact("car", "What car do I drive?", "Fiat Panda")), person="Joost")
    pool = unknown_questions(facts)
    assert not [q for q in pool if "my street" in q]  # "Where does my street live?" asks nothing
    assert "How old is my car?" in pool  # a vehicle has details a fact may not give
    assert "Who is my manager at work?" not in pool  # the foreman is who one reports to


def test_unknown_questions_ask_the_users_own_facts_of_people_and_animals_not_of_vehicles():
    from andraeus.probes import unknown_questions

    facts = FactSet((Fact("boat", "What is the name of the boat I pilot?", "Nang Khao"),
                     Fact("dog", "What is my dog's name?", "Lao"),
                     Fact("years", "How many years have I been piloting on the Mekong?", "17")), person="Souk")
    pool = unknown_questions(facts)
    assert not [q for q in pool if "have the boat I pilot been" in q or "have Nang Khao been" in q]
    assert "How many years have my dog been piloting on the Mekong?" in pool  # an animal is still someone


def test_unknown_questions_ask_the_users_own_facts_not_of_the_premises_they_work_in():
    from andraeus.probes import unknown_questions

    facts = FactSet((Fact("workshop", "What is my workshop called?", "Mvuli Woodcraft"),
                     Fact("apprentices", "How many apprentices do I have?", "3"),
                     Fact("daughter", "What is my daughter's name?", "Nyokabi")), person="Wanjiru")
    pool = unknown_questions(facts)
    assert "How many apprentices does my workshop have?" not in pool  # the user's own apprentices
    assert "How many apprentices does Mvuli Woodcraft have?" not in pool
    assert "How many apprentices does my daughter have?" in pool  # a person is still someone
    assert "How old is my workshop?" in pool  # its details stay, as a vehicle's do


def test_unknown_questions_ask_details_of_what_the_facts_name_but_never_the_facts(small_facts):
    from andraeus.probes import abstain_questions, unknown_questions

    pool = unknown_questions(small_facts)
    assert "What breed is my dog?" in pool and "How old is my dog?" in pool and "How old is Biscuit?" in pool
    assert "Which city does Biscuit live in?" in pool and "When is Biscuit's birthday?" in pool  # each fact of them
    assert "Which city does my dog live in?" in pool and "When is my dog's birthday?" in pool  # by "my ..." too
    assert "What is my dog's dog's name?" not in pool  # not its own fact
    assert not {f.question for f in small_facts} & set(pool)
    assert {p.question for p in abstain_questions(small_facts)} <= set(pool)  # the probes' near misses too
    food = FactSet((Fact("food", "What is my favorite food?", "rice"),), person="Maya")
    assert "What is my least favorite food?" in unknown_questions(food)
    movie = FactSet((Fact("movie", "What's my favorite movie?", "Alien"),), person="Maya")
    assert not [q for q in unknown_questions(movie) if "movie" in q]  # a generic one that the facts give
    # a question of a shape the parser does not split ("On what date ...?") names no one, and breaks nothing
    odd = FactSet((Fact("retired", "On what date did I retire from teaching?", "June 30"),
                   Fact("friend", "Who has been my best friend since college?", "Ngozi")), person="Adaeze Okonkwo")
    odd_pool = unknown_questions(odd)
    assert odd_pool and "What breed is my dog?" not in odd_pool
    # the wedding anniversary is the partner's as much as the user's: not asked of them as never given
    married = FactSet((Fact("husband", "What is my husband's name?", "Emeka"),
                       Fact("anniversary", "When is my wedding anniversary?", "December 14"),
                       Fact("birthday", "When is my birthday?", "May 2")), person="Adaeze")
    pool = unknown_questions(married)
    assert "When is Emeka's birthday?" in pool and "When is Emeka's wedding anniversary?" not in pool
    # ... and so are the children: "What is Kenji's daughter's name?" is the user's daughter's
    family = FactSet((Fact("husband", "What is my husband's name?", "Kenji"),
                      Fact("daughter", "What is my daughter's name?", "Mirei")), person="Setsuko")
    assert "What is Kenji's daughter's name?" not in unknown_questions(family)
    # a fact asked of someone by name is asked of them by who they are too
    efua = FactSet((Fact("girlfriend", "What is my girlfriend's name?", "Efua Mensah", aliases=("Efua",)),
                    Fact("gf_birthday", "When is Efua's birthday?", "November 21")), person="Kobby")
    assert "When is my girlfriend's birthday?" not in unknown_questions(efua)
    # a name in any alphabet, and what else the facts call them, are names too
    late = FactSet((Fact("husband", "What was my late husband's name?", "Franc", ("Franci",)),
                    Fact("son", "What is my eldest son's name?", "Matevž"),
                    Fact("job", "What is my occupation?", "beekeeper")), person="Jožica")
    pool = unknown_questions(late)
    assert {"What is Franci's occupation?", "What is Matevž's occupation?"} <= set(pool)
    # someone a "who" question names by name alone, whatever else the question says of them
    boss = FactSet((Fact("manager", "Who is my manager at work?", "Bahodir Karimov", ("Bahodir",)),
                    Fact("birthday", "When is my birthday?", "September 21")), person="Dilnoza")
    assert {"When is Bahodir Karimov's birthday?", "When is Bahodir's birthday?"} <= set(unknown_questions(boss))


def test_a_prompt_asked_twice_is_generated_once(tiny):
    model, tok = tiny
    answerer = Answerer(model, tok, max_new_tokens=4)
    calls: list[int] = []
    generate = answerer._generate
    answerer._generate = lambda prompts: calls.append(len(prompts)) or generate(prompts)
    ticks: list[int] = []
    answers = answerer.answer(["What is my dog's name?", "hi", "What is my dog's name?"], progress=ticks.append)
    assert sum(calls) == 2 and sum(ticks) == 3  # two distinct prompts generated; progress counts all three
    assert answers[0] == answers[2] == answerer.answer(["What is my dog's name?"])[0]


def test_keep_mask_drops_p_of_every_lane():
    torch.manual_seed(0)
    keep = train_mod.keep_mask(torch.Size([1000, 1001]), 0.05)
    assert keep.shape == (1000, 1001) and keep.dtype == torch.bool
    dropped = (~keep).flatten().float()
    assert abs(dropped.mean().item() - 0.05) < 0.002
    for lane in range(4):  # four draws come from each 64-bit number: each must drop at the same rate
        assert abs(dropped[lane::4].mean().item() - 0.05) < 0.003
    assert (keep != train_mod.keep_mask(torch.Size([1000, 1001]), 0.05)).any()  # fresh draws each call
