"""TrainConfig (the guide's recipe as defaults) and the LoRA training loop.

A plain PyTorch loop over PEFT LoRA: a step's examples are packed into one row without padding,
their shared prompt prefix once, and the vocabulary projection runs only at answer positions,
where the loss is.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import random
import resource
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
import yaml

from . import __version__
from .answer import MANIFEST, Answerer, make_gate
from .facts import FactSet
from .models import DEFAULT_MODEL, load_model
from .probes import DECLINE_ANSWER, abstain_training_facts, unknown_questions
from .prompts import IGNORE, Example, encode_example
from .variations import (DEFAULT_PHRASINGS, Phrasing, Split, answer_forms, check_leaks, make_split, training_phrasings,
                         without_leaks)


@dataclass
class TrainConfig:
    """Everything that decides an adapter. Defaults are the guide's recipe, except 20 phrasings per
    fact instead of its 10 (measured: bench/RESULTS.md, "Equivalent questions ...")."""

    model: str = DEFAULT_MODEL
    """Base model: a built-in name, a Hugging Face id or a local folder."""
    variations: int = DEFAULT_PHRASINGS
    """Training phrasings per fact (the question variation method)."""
    heldout_per_fact: int = 4
    """Evaluation phrasings per fact, from style families training never sees."""
    seed: int = 0
    """Seeds phrasing generation, LoRA initialisation, dropout and data order."""
    lora_rank: int = 64
    """LoRA rank r."""
    lora_alpha: int = 128
    """LoRA scaling numerator (alpha / r scales the update); 2x rank is the common choice."""
    lora_dropout: float = 0.05
    """Dropout on the LoRA input."""
    target_modules: str | list[str] = "all-linear"
    """Which linear layers get LoRA: "all-linear" (every projection but the output head) or names."""
    lora_top_layers: int | None = None
    """LoRA only in the top N decoder layers; None: every layer. The layers below stay frozen, so
    the backward pass stops above them."""
    learning_rate: float = 3e-4
    """Peak learning rate (AdamW), decayed linearly to zero."""
    warmup_ratio: float = 0.0
    """Share of optimiser steps spent warming the learning rate up from zero."""
    weight_decay: float = 0.0
    """AdamW weight decay on LoRA weights."""
    epochs: int = 5
    """Passes over the training examples."""
    max_steps: int | None = None
    """If set, train exactly this many optimiser steps, cycling through epochs as needed (used to
    compare variation counts at equal training length); `epochs` is then ignored."""
    micro_batch: int = 2
    """Examples per forward/backward pass (memory knob)."""
    grad_accum: int = 4
    """Micro-batches per optimiser step: the effective batch is micro_batch x grad_accum."""
    max_grad_norm: float = 1.0
    """Gradient clipping threshold."""
    fuse_micro_batches: bool = True
    """Run a step's micro-batches as one pass. The loss is normalised per optimiser step, so the
    gradient is the same as accumulating; fewer, larger passes are much faster on CPU."""
    share_prefix: bool = True
    """Compute the prompt prefix every example shares (chat template, system prompt) once per pass
    instead of once per example; same result, far less compute for short questions."""
    cache_frozen_layers: bool = True
    """With lora_top_layers: run the frozen layers below the LoRA once per example, not once per
    epoch (their output cannot change); same result, less compute."""
    vary_answers: bool = True
    """Train on several answer forms (bare, short sentence), so the model learns the fact, not one string."""
    system_prompt: str | None = None
    """System message at training and answer time; None keeps the chat template's default."""
    device: str = "auto"
    """"auto" (CUDA when present, bf16; else CPU, fp32), "cpu" or "cuda"."""
    bf16_matmuls: bool | None = None
    """CPU training: run the linear layers in bf16 (input and weights rounded to bf16, the layer's
    output, base plus LoRA, back in fp32), everything else in fp32 (LoRA and optimiser weights,
    norms, attention, residuals, loss). None: on where the CPU has bf16 instructions (AVX512-BF16,
    AMX), which run these matmuls about twice as fast as fp32; off elsewhere, and on CUDA, where the
    whole model is bf16 already."""
    quantize: str | None = None
    """"4bit": load the frozen base weights in NF4 and train LoRA on top (QLoRA; CUDA and
    bitsandbytes only). None trains on full-precision weights."""
    eval_train_per_fact: int = 2
    """Trained phrasings per fact re-asked after training (the train vs held-out gap)."""
    gate: bool = True
    """At answer time, questions that are not about the person go to the base model without the
    adapter, so general answers stay the base model's own. About the person: a first-person word
    or their name, or else nearer (MiniLM embeddings) to the person's training phrasings than to
    a pool of general questions ("bday?", "what did we call the cat?")."""
    anchor: bool = True
    """With the gate: ask the adapter the training phrasing nearest (MiniLM) to a question about the
    person, in place of the user's own words. The embedding recognises rewordings the small adapter
    misreads; a remark unlike every trained phrasing is still asked as written."""
    decline_unknown: bool = True
    """With the gate: answer "I don't know" to a question about the person that is nearer one of a
    built-in pool of questions the facts never answer (details of the people and pets they name,
    near misses, generic attributes; data/unknown.yaml) than any trained phrasing."""
    judge: bool = False
    """With the gate: a learned judgement has the last word (andraeus.judge: the built-in model with
    a LoRA adapter shipped in the package, whatever model is trained): a question about to be answered
    from a trained phrasing that the judge says asks something else is declined ("my last dentist
    appointment" against "my next dentist appointment"), and one about to be declined that it says
    asks what its nearest phrasing asks is answered. Off by default: on two people it was not fitted
    on, it cut never-given confusion by 5-7.5 points and cost 4-5 points of held-out accuracy."""
    probes: bool = True
    """After training, also measure locality, perplexity shift, abstention and reversal."""
    replay: int = 0
    """General prompts (from a built-in pool) answered by the base model itself and mixed into
    training, so the adapter keeps what the model knew; 0 turns replay off."""
    abstain: int = 0
    """Questions about never-given attributes trained to answer "I don't know — you haven't told
    me that": near misses of the person's own facts ("my aunt" beside a sister), then generic ones,
    from built-in pools kept apart from the abstention evaluation; 0 turns it off."""
    abstain_phrasings: int = 1
    """Phrasings per never-given question (the question variation method, applied to declines)."""
    stop_when_learned: bool = False
    """After each epoch, answer one training phrasing per fact (greedy, as at answer time) and end
    training once every one is right: the epochs left would repeat what is already learned."""

    def __post_init__(self) -> None:
        if self.stop_when_learned and self.max_steps is not None:
            raise ValueError("stop_when_learned ends training early, max_steps fixes its length: choose one")

    @classmethod
    def from_yaml(cls, path: str | Path, **overrides) -> "TrainConfig":
        """Read a YAML config; keyword overrides (e.g. CLI flags) win; unknown keys are an error."""
        data = yaml.safe_load(Path(path).read_text()) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a config file must be a mapping of TrainConfig fields")
        return cls.create({**data, **{k: v for k, v in overrides.items() if v is not None}}, source=str(path))

    @classmethod
    def create(cls, values: dict, source: str = "config") -> "TrainConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - names
        if unknown:
            raise ValueError(f"{source}: unknown settings {sorted(unknown)}; known: {sorted(names)}")
        return cls(**values)


@dataclass
class TrainStats:
    """What a training run cost."""

    examples: int = 0
    tokens: int = 0  # every example's full length, prompt + answer (what a plain loop would process)
    processed_tokens: int = 0  # positions actually run through the network (the shared prefix once per pass)
    frozen_tokens: int = 0  # positions run once through the frozen layers below the LoRA (cache_frozen_layers)
    answer_tokens: int = 0
    steps: int = 0
    seconds: float = 0.0
    trainable_params: int = 0
    final_loss: float = float("nan")
    epochs_run: int = 0
    learned_at_epoch: int | None = None  # stop_when_learned: the epoch after which the check passed
    check_seconds: float = 0.0  # of `seconds`, spent answering for the stop_when_learned check
    losses: list[float] = field(default_factory=list)


def training_pairs(facts: FactSet, split: Split, config: TrainConfig) -> list[tuple[str, str]]:
    """(question, answer) per training phrasing; answer forms rotate so each fact sees them all."""
    rng = random.Random(config.seed)
    by_fact: dict[str, int] = {}
    pairs = []
    for ph in split.train:
        fact = facts.by_id(ph.fact_id)
        forms = answer_forms(fact) if config.vary_answers else [fact.answer]
        k = by_fact.get(ph.fact_id, rng.randrange(len(forms)))
        by_fact[ph.fact_id] = k + 1
        pairs.append((ph.text, forms[k % len(forms)]))
    return pairs


def build_examples(tokenizer, facts: FactSet, split: Split, config: TrainConfig) -> list[Example]:
    """One tokenised example per training phrasing."""
    return [encode_example(tokenizer, q, a, config.system_prompt) for q, a in training_pairs(facts, split, config)]


def replay_examples(model, tokenizer, config: TrainConfig) -> list[Example]:
    """The base model's own answers to general prompts, generated once per model and cached."""
    import hashlib
    from importlib import resources

    from .models import cache_dir

    prompts = yaml.safe_load(resources.files("andraeus").joinpath("data/replay.yaml").read_text())[: config.replay]
    key = hashlib.sha256(json.dumps([config.model, config.system_prompt, prompts]).encode()).hexdigest()[:16]
    path = cache_dir() / "replay" / f"{key}.json"
    if path.exists():
        answers = json.loads(path.read_text())
    else:
        answers = Answerer(model, tokenizer, system=config.system_prompt, max_new_tokens=96).answer(prompts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(answers))
    return [encode_example(tokenizer, q, a, config.system_prompt) for q, a in zip(prompts, answers)]


def abstain_examples(tokenizer, facts: FactSet, config: TrainConfig) -> tuple[list[Example], list[str]]:
    """Never-given questions answered with a decline; returns the examples and their questions."""
    questions = [ph.text for f in abstain_training_facts(facts)[: config.abstain]
                 for ph in training_phrasings(f, config.abstain_phrasings, config.seed, facts.person)]
    return [encode_example(tokenizer, q, DECLINE_ANSWER, config.system_prompt) for q in questions], questions


def _batches(examples: Sequence[Example], config: TrainConfig, rng: random.Random) -> list[list[list[int]]]:
    """Optimiser steps, each a list of micro-batches of example indices, in a random order (packed
    rows have no padding, so lengths need not be grouped)."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    micro = [order[i:i + config.micro_batch] for i in range(0, len(order), config.micro_batch)]
    return [micro[i:i + config.grad_accum] for i in range(0, len(micro), config.grad_accum)]


def _plan(examples: Sequence[Example], config: TrainConfig, rng: random.Random) -> list[list[list[list[int]]]]:
    """Epochs of steps: `epochs` of them, or as many as `max_steps` needs (the last one cut)."""
    if config.max_steps is None:
        return [_batches(examples, config, rng) for _ in range(config.epochs)]
    plan, steps = [], 0
    while steps < config.max_steps:
        epoch = _batches(examples, config, rng)[: config.max_steps - steps]
        plan.append(epoch)
        steps += len(epoch)
    return plan


def steps_per_epoch(n_examples: int, config: TrainConfig) -> int:
    micro = math.ceil(n_examples / config.micro_batch)
    return math.ceil(micro / config.grad_accum)


def pack(examples: Sequence[Example], idx: Sequence[int], skip: int = 0, device=None) -> dict:
    """The examples at `idx` as one row without padding: their first `skip` tokens (a prefix they all
    share, see shared_prefix) once, then each example's tokens after it, without its last token, which
    predicts nothing. "allowed" lets each token see the prefix and the earlier tokens of its own
    example, and the positions restart after the prefix, so each example's result is the same as
    alone; "targets" holds each position's next token (IGNORE off the answers), "lengths" each
    example's share of the row."""
    ids, targets = list(examples[idx[0]].input_ids[:skip]), [IGNORE] * skip
    pos, segment, lengths = list(range(skip)), [-1] * skip, []
    for n, i in enumerate(idx):
        row = examples[i].input_ids[skip:-1]
        ids += row
        targets += examples[i].labels[skip + 1:]
        pos += range(skip, skip + len(row))
        segment += [n] * len(row)
        lengths.append(len(row))
    seg = torch.tensor(segment, device=device)
    allowed = torch.ones(len(ids), len(ids), dtype=torch.bool, device=device).tril()
    allowed &= (seg[:, None] == seg[None, :]) | (seg[None, :] < 0)
    as_t = lambda x: torch.tensor([x], device=device)  # noqa: E731
    return {"input_ids": as_t(ids), "position_ids": as_t(pos), "targets": as_t(targets), "allowed": allowed,
            "lengths": lengths}


def pad_row(batch: dict, multiple: int) -> dict:
    """`batch` (see pack) padded at the end to a length that is a multiple of `multiple`, and marked
    so that answer_loss_sum pads its logits rows likewise. With bf16 matmuls on CPU, oneDNN builds
    and caches a matmul primitive per distinct row length: a few lengths instead of one per step's
    mix of examples. Padding tokens see only themselves and nothing sees them; they have no target."""
    n = batch["input_ids"].shape[1]
    extra = -n % multiple
    out = dict(batch, multiple=multiple)
    if not extra:
        return out
    ids, pos = batch["input_ids"], batch["position_ids"]
    out["input_ids"] = torch.cat([ids, ids[:, -1:].expand(1, extra)], 1)
    out["position_ids"] = torch.cat([pos, torch.arange(extra, device=pos.device)[None]], 1)
    out["targets"] = torch.cat([batch["targets"], batch["targets"].new_full((1, extra), IGNORE)], 1)
    out["allowed"] = torch.block_diag(batch["allowed"], torch.eye(extra, dtype=torch.bool, device=ids.device))
    if "hidden" in batch:
        hidden = batch["hidden"]
        out["hidden"] = torch.cat([hidden, hidden.new_zeros(1, extra, hidden.shape[2])], 1)
    return out


def shared_prefix(examples: Sequence[Example]) -> tuple[int, ...]:
    """The longest run of prompt tokens that starts every example (at most all but one prompt token)."""
    first = examples[0].prompt_ids
    n = min(len(e.prompt_ids) for e in examples) - 1
    for e in examples:
        while n > 0 and e.prompt_ids[:n] != first[:n]:
            n -= 1
    return tuple(first[:max(n, 0)])


def _base(model):
    """The transformers model under a PEFT wrapper (or the model itself)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def _additive(allowed: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """A packed row's 4D attention mask as transformers takes it ready-made: 0 where allowed, the
    dtype's minimum elsewhere (eager and SDPA attention both add it to the scores)."""
    return torch.zeros(allowed.shape, dtype=dtype, device=allowed.device).masked_fill(
        ~allowed, torch.finfo(dtype).min)[None, None]


def answer_loss_sum(model, batch: dict, frozen: "FrozenBottom | None" = None) -> torch.Tensor:
    """Summed next-token loss on answer tokens of a packed row (see pack); logits computed only where
    a target is an answer token. With `frozen`, the batch's "hidden" (states entering the first LoRA
    layer) replaces its token ids and only the layers from there up run."""
    base = _base(model)
    decoder = base.get_decoder()
    dtype = base.get_input_embeddings().weight.dtype
    mask = _additive(batch["allowed"], dtype)
    if frozen is not None:
        hidden = frozen.forward(decoder, batch["hidden"], mask, batch["position_ids"])
    else:
        hidden = decoder(input_ids=batch["input_ids"], attention_mask=mask,
                         position_ids=batch["position_ids"], use_cache=False).last_hidden_state
    targets = batch["targets"][0]
    answer = (targets != IGNORE).nonzero().squeeze(1)
    extra = -len(answer) % batch.get("multiple", 1)  # rows of no loss, so the head's matmul shape repeats (pad_row)
    rows = torch.cat([answer, answer.new_zeros(extra)])
    wanted = torch.cat([targets[answer], targets.new_full((extra,), IGNORE)])
    logits = base.get_output_embeddings()(hidden[0, rows])
    return F.cross_entropy(logits.float(), wanted, reduction="sum")


class _Captured(Exception):
    """Ends a forward pass once the hidden states it ran for are captured."""


@dataclass
class FrozenBottom:
    """The hidden states entering the lowest LoRA layer, per example. The layers below it are frozen
    and have no dropout, so these never change during training: computed once, not every epoch."""

    start: int
    """Index of the lowest decoder layer with LoRA."""
    prefix: torch.Tensor
    """States of the shared prefix (prefix length x hidden size; length 0 without sharing)."""
    rows: list[torch.Tensor]
    """Per example, the states of the tokens after the prefix."""

    def stack(self, idx: Sequence[int]) -> torch.Tensor:
        """The states of pack(examples, idx, len(prefix)): the prefix, then the rows at `idx`."""
        return torch.cat([self.prefix] + [self.rows[i] for i in idx])[None]

    def forward(self, decoder, hidden: torch.Tensor, mask: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        """The decoder from layer `start` up, on a packed row's states."""
        # mirrors a Llama-style decoder's forward (see frozen_bottom for which decoders qualify)
        rope = decoder.rotary_emb(hidden, position_ids=pos)
        for layer in decoder.layers[self.start:]:
            hidden = layer(hidden, attention_mask=mask, position_ids=pos, position_embeddings=rope)
        return decoder.norm(hidden)


def _starts_midway(decoder) -> bool:
    """Whether FrozenBottom.forward reproduces this decoder: rotary positions, full attention in
    every layer, no attention dropout, a final norm (Llama, Qwen2, SmolLM and kin)."""
    cfg = decoder.config
    types = getattr(cfg, "layer_types", None)
    full = set(types) == {"full_attention"} if types else getattr(cfg, "sliding_window", None) is None
    return (full and hasattr(decoder, "rotary_emb") and hasattr(decoder, "norm")
            and not getattr(cfg, "attention_dropout", 0.0))


@torch.no_grad()
def frozen_bottom(model, examples: Sequence[Example], skip: int, chunk: int = 32) -> FrozenBottom | None:
    """Run every example once through the frozen layers below the lowest LoRA layer and keep what
    enters it; None when every layer has LoRA or the decoder is not one FrozenBottom can continue.
    `skip`: the length of the prefix every example shares, kept once."""
    base = _base(model)
    decoder = base.get_decoder()
    start = next(i for i, layer in enumerate(decoder.layers) if any(p.requires_grad for p in layer.parameters()))
    if start == 0 or not _starts_midway(decoder) or not examples:
        return None
    seen: list[torch.Tensor] = []

    def capture(module, args, kwargs):
        seen.append(args[0] if args else kwargs["hidden_states"])
        raise _Captured

    device = next(model.parameters()).device
    dtype = base.get_input_embeddings().weight.dtype
    rows: list[torch.Tensor] = []
    handle = decoder.layers[start].register_forward_pre_hook(capture, with_kwargs=True)
    try:
        for c in range(0, len(examples), chunk):
            batch = pack(examples, range(c, min(c + chunk, len(examples))), skip, device)
            try:
                decoder(input_ids=batch["input_ids"], attention_mask=_additive(batch["allowed"], dtype),
                        position_ids=batch["position_ids"])
            except _Captured:
                pass
            states = seen.pop()[0]
            rows += [r.clone() for r in states[skip:].split(batch["lengths"])]
    finally:
        handle.remove()
    return FrozenBottom(start, states[:skip].clone(), rows)


BF16_ROW_MULTIPLE = 16
"""With bf16 matmuls, packed rows (and the rows the loss reads) are padded to a multiple of this
many tokens (pad_row): oneDNN keeps one matmul primitive per shape, and every new row length cost
memory and the time to build one."""


def cpu_has_bf16() -> bool:
    """Whether this CPU has native bf16 matmul instructions (AVX512-BF16 or AMX)."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def use_bf16_matmuls(config: TrainConfig, device: torch.device) -> bool:
    """config.bf16_matmuls, with None decided for this machine."""
    if device.type != "cpu":
        return False
    return cpu_has_bf16() if config.bf16_matmuls is None else config.bf16_matmuls


def _rounded(x: torch.Tensor, memo: dict) -> torch.Tensor:
    """x in bf16; q, k and v read the same input, as do gate and up: rounded once for all."""
    if memo.get("x") is not x:
        memo.update(x=x, x16=x.to(torch.bfloat16))
    return memo["x16"]


def _bf16_linear(module, weight: torch.Tensor, memo: dict, x: torch.Tensor, *args, **kwargs) -> torch.Tensor:
    """A linear layer's forward with its bf16 `weight`, fp32 in and out. For a PEFT LoRA layer, base
    + B(A(dropout(x))) * scaling, all in bf16 from the rounded input to the sum."""
    lora = hasattr(module, "lora_A")
    if lora and (module.merged or module.disable_adapters or args or kwargs):  # paths training never takes
        return type(module).forward(module, x, *args, **kwargs)
    x16 = _rounded(x, memo)
    y = F.linear(x16, weight)
    for name in module.active_adapters if lora else ():
        if name in module.lora_A:
            h = F.linear(module.lora_dropout[name](x16), module.lora_A[name].weight.to(torch.bfloat16))
            y = y + F.linear(h, module.lora_B[name].weight.to(torch.bfloat16)) * module.scaling[name]
    y = y.to(x.dtype)
    bias = (module.base_layer if lora else module).bias
    return y if bias is None else y + bias


def _bf16_forward(module, memo: dict):
    """The bf16 forward for `module`, or None: frozen linear layers and PEFT's plain LoRA layers."""
    from peft.tuners.lora import Linear as LoraLinear

    if type(module) is torch.nn.Linear and not module.weight.requires_grad:
        return partial(_bf16_linear, module, module.weight.detach().to(torch.bfloat16), memo)
    if type(module) is LoraLinear and type(module.base_layer) is torch.nn.Linear and not module.lora_variant:
        return partial(_bf16_linear, module, module.base_layer.weight.detach().to(torch.bfloat16), memo)
    return None


@contextmanager
def bf16_matmuls(model, enabled: bool = True):
    """Within: the linear layers of `model` (frozen ones and LoRA ones) multiply in bf16, fp32 in and
    out. Frozen weights are rounded once (a bf16 copy beside the fp32 one), LoRA weights at each
    call, so optimiser updates are seen at once; gradients reach the fp32 LoRA weights. Outside, the
    model is as before."""
    patched, memo, covered = [], {}, set()
    for m in model.modules() if enabled else ():
        if id(m) in covered or getattr(m, "weight", None) is None or m.weight.dtype != torch.float32:
            continue
        if (forward := _bf16_forward(m, memo)) is not None:
            m.forward = forward
            patched.append(m)
            if hasattr(m, "base_layer"):
                covered.add(id(m.base_layer))  # a LoRA layer's forward does its base's matmul
    try:
        yield
    finally:
        memo.clear()
        for m in patched:
            del m.forward


def _lr_at(step: int, total: int, config: TrainConfig) -> float:
    warm = math.ceil(config.warmup_ratio * total)
    if step < warm:
        return config.learning_rate * (step + 1) / warm
    return config.learning_rate * max(0.0, (total - step) / max(1, total - warm))


def keep_mask(shape: torch.Size, p: float, device=None) -> torch.Tensor:
    """A dropout mask (True: keep) with drop rate within 1/32768 of `p`. Cut from 64-bit random
    integers, four 15-bit draws from each: drawing is the slow part on CPU, and this draws a quarter
    as many numbers as one per element."""
    n = math.prod(shape)
    bits = torch.empty((n + 3) // 4, dtype=torch.int64, device=device).random_().view(torch.int16)[:n]
    return ((bits & 0x7FFF) >= round(p * (1 << 15))).view(shape)


class SharedInputDropout(torch.nn.Module):
    """LoRA input dropout that draws one mask per input tensor: the projections reading the same
    hidden states (q, k, v; gate, up) share it, so a layer draws 4 masks, not 7 (mask generation is
    slow on CPU)."""

    def __init__(self, p: float, memo: dict):
        super().__init__()
        self.p, self.memo = p, memo  # memo: the last input and its dropped version, shared by all

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        if self.memo.get("x") is x:
            return self.memo["y"]
        y = x.mul(keep_mask(x.shape, self.p, x.device)).mul_(1 / (1 - self.p))
        self.memo.update(x=x, y=y)
        return y


def _targets(model, config: TrainConfig) -> str | list[str]:
    """config.target_modules; "all-linear" spelled out as names when only some layers get LoRA
    (PEFT takes layers_to_transform only with names)."""
    if config.target_modules != "all-linear" or config.lora_top_layers is None:
        return config.target_modules
    layer = model.get_decoder().layers[-1]
    return sorted({name.rsplit(".", 1)[-1] for name, m in layer.named_modules() if isinstance(m, torch.nn.Linear)})


def _top_layers(model, n: int | None) -> list[int] | None:
    """Indices of the top `n` decoder layers (PEFT's layers_to_transform); None for all."""
    if n is None:
        return None
    total = model.config.num_hidden_layers
    if not 1 <= n <= total:
        raise ValueError(f"lora_top_layers must be between 1 and {total} for this model, not {n}")
    return list(range(total - n, total))


def lora_config(model, config: TrainConfig):
    """The PEFT LoraConfig that `config` describes for this model."""
    from peft import LoraConfig

    return LoraConfig(
        r=config.lora_rank, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
        target_modules=_targets(model, config), task_type="CAUSAL_LM",
        layers_to_transform=_top_layers(model, config.lora_top_layers),
    )


def add_lora(model, config: TrainConfig):
    from peft import get_peft_model

    lora = lora_config(model, config)
    if getattr(model, "is_loaded_in_4bit", False):
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    model = get_peft_model(model, lora)
    if config.lora_dropout > 0:
        memo: dict = {}
        for module in model.modules():
            if isinstance(getattr(module, "lora_dropout", None), torch.nn.ModuleDict):
                for name in module.lora_dropout:
                    module.lora_dropout[name] = SharedInputDropout(config.lora_dropout, memo)
    return model


def learned_check(model, tokenizer, facts: FactSet, split: Split, config: TrainConfig) -> Callable[[], bool]:
    """A check for `stop_when_learned`: is one training phrasing per fact answered right?"""
    from .evaluate import ask_phrasings, sample_per_fact

    sample = sample_per_fact(split.train, 1, config.seed)
    answerer = Answerer(model, tokenizer, system=config.system_prompt, max_new_tokens=24)
    return lambda: all(r.correct for r in ask_phrasings(answerer, facts, sample, "train"))


def fit(model, examples: Sequence[Example], config: TrainConfig, progress: bool = True,
        learned: Callable[[], bool] | None = None) -> TrainStats:
    """Train the LoRA weights of a PEFT model in place; with `learned` (see learned_check) and
    `config.stop_when_learned`, stop after the first epoch that passes it."""
    from .progress import training_bar

    rng = random.Random(config.seed)
    device = next(model.parameters()).device
    params = [p for p in model.parameters() if p.requires_grad]
    # fused: one kernel over all LoRA tensors instead of a Python loop over ~400 of them (CPU and CUDA)
    opt = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay,
                            fused=device.type in ("cpu", "cuda"))
    plan = _plan(examples, config, rng)
    total = sum(len(e) for e in plan)
    stats = TrainStats(examples=len(examples), trainable_params=sum(p.numel() for p in params))
    skip = len(shared_prefix(examples)) if config.share_prefix else 0
    bf16 = use_bf16_matmuls(config, device)
    multiple = BF16_ROW_MULTIPLE if bf16 else 1
    start = time.perf_counter()  # the frozen layers' one pass is part of training time
    with bf16_matmuls(model, bf16), training_bar(total, enabled=progress) as bar:
        frozen = frozen_bottom(model, examples, skip) if config.cache_frozen_layers else None
        stats.frozen_tokens = sum(len(e.input_ids) - 1 for e in examples) if frozen is not None else 0
        model.train()
        for epoch_steps in plan:
            stats.epochs_run += 1
            for step_batches in epoch_steps:
                n_answer = sum(sum(len(examples[i].answer_ids) for i in mb) for mb in step_batches)
                if config.fuse_micro_batches:
                    step_batches = [[i for mb in step_batches for i in mb]]
                step_loss = 0.0
                for mb in step_batches:
                    batch = pack(examples, mb, skip, device)
                    if frozen is not None:
                        batch["hidden"] = frozen.stack(mb)
                    stats.processed_tokens += batch["input_ids"].numel()  # padding is not counted as work
                    loss = answer_loss_sum(model, pad_row(batch, multiple), frozen) / n_answer
                    loss.backward()
                    step_loss += loss.item()
                    stats.tokens += sum(len(examples[i].input_ids) for i in mb)
                torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
                for group in opt.param_groups:
                    group["lr"] = _lr_at(stats.steps, total, config)
                opt.step()
                opt.zero_grad(set_to_none=True)
                stats.steps += 1
                stats.answer_tokens += n_answer
                stats.losses.append(step_loss)
                bar.advance(step_loss)
            if config.stop_when_learned and learned is not None and stats.epochs_run < len(plan):
                model.eval()
                check_start = time.perf_counter()
                done = learned()
                stats.check_seconds += time.perf_counter() - check_start
                model.train()
                if done:
                    stats.learned_at_epoch = stats.epochs_run
                    break
    model.eval()
    stats.seconds = time.perf_counter() - start
    stats.final_loss = sum(stats.losses[-10:]) / max(1, len(stats.losses[-10:]))
    return stats


def peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def library_versions() -> dict[str, str]:
    import peft
    import transformers

    return {"andraeus": __version__, "torch": torch.__version__, "transformers": transformers.__version__,
            "peft": peft.__version__, "python": platform.python_version()}


def _dir_bytes(path: Path, pattern: str = "adapter_model*") -> int:
    return sum(p.stat().st_size for p in path.glob(pattern))


def phrasings_record(facts: FactSet, split: Split, abstain_qs: Sequence[str] = (), unknown: Sequence[str] = ()) -> dict:
    """An adapter's phrasings.json: what it was trained on and held out, and what its gate declines. Known
    before training (it depends on the facts and the seed alone), so a study can route questions without it."""
    return {"train": [dataclasses.asdict(p) for p in split.train],
            "heldout": [dataclasses.asdict(p) for p in split.heldout], "abstain_train": list(abstain_qs),
            "unknown": list(unknown), "answers": {f.id: list(f.accepted) for f in facts}}


def train(facts: FactSet, out: str | Path, config: TrainConfig | None = None, split: Split | None = None,
          overwrite: bool = False, progress: bool = True, evaluate_after: bool = True,
          handwritten: Sequence[Phrasing] = (), never_given: Sequence[str] = ()) -> dict:
    """The whole path: phrasings, leak check, LoRA training, evaluation, atomic save. Returns the manifest.

    `handwritten`: the user's own evaluation questions, also reported; any that (nearly) equal a
    training phrasing are left out of them and listed in the manifest's leak check.
    `never_given`: the user's own questions about attributes never given (abstention), also reported."""
    from .evaluate import evaluate, probe_report, red_flags, sample_per_fact

    config = config or TrainConfig()
    if never_given and not (evaluate_after and config.probes):
        raise ValueError("never-given questions are measured with the probes after training: turn probes on")
    out = Path(out)
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out} already exists; choose another --out or pass --overwrite")
    split = split or make_split(facts, config.variations, config.seed, config.heldout_per_fact)
    checked = check_leaks(split)
    handwritten, left_out = without_leaks(split.train, handwritten)
    checked += len(handwritten)
    # the gate's never-given pool depends on the facts alone: built before training, so a fact it
    # cannot read fails in seconds, not after the training
    unknown = unknown_questions(facts) if config.gate and config.decline_unknown else []
    torch.manual_seed(config.seed)
    t0 = time.perf_counter()
    model, tok = load_model(config.model, config.device, config.quantize)
    load_s = time.perf_counter() - t0
    replay = replay_examples(model, tok, config) if config.replay else []  # before LoRA: the base model's answers
    abstain_ex, abstain_qs = abstain_examples(tok, facts, config) if config.abstain else ([], [])
    examples = build_examples(tok, facts, split, config) + replay + abstain_ex
    model = add_lora(model, config)
    learned = learned_check(model, tok, facts, split, config) if config.stop_when_learned else None
    stats = fit(model, examples, config, progress, learned)

    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        model.save_pretrained(tmp)
        _fix_adapter_config(tmp, config.model)
        saved = phrasings_record(facts, split, abstain_qs, unknown)
        (tmp / "phrasings.json").write_text(json.dumps(saved, indent=1))
        summary = None
        eval_s = 0.0
        if evaluate_after:
            t1 = time.perf_counter()
            gate = make_gate(dataclasses.asdict(config), saved, facts.person)
            answerer = Answerer(model, tok, system=config.system_prompt, gate=gate)
            trained = sample_per_fact(split.train, config.eval_train_per_fact, config.seed)
            summary, results = evaluate(answerer, facts, trained, split.heldout, handwritten)
            probe_rows: list[dict] = []
            if config.probes:
                summary["probes"], probe_rows = probe_report(answerer, facts, abstain_qs, never_given)
            summary["red_flags"] = red_flags(summary, overlaps=0)
            eval_s = time.perf_counter() - t1
            (tmp / "eval.json").write_text(json.dumps(
                {"summary": summary, "results": [dataclasses.asdict(r) for r in results], "probes": probe_rows},
                indent=1))
        device = next(model.parameters()).device
        manifest = {
            "andraeus": __version__,
            "model": config.model,
            "system_prompt": config.system_prompt,
            "facts_sha256": facts.sha256,
            "facts": len(facts),
            "facts_source": facts.source,
            "person": facts.person,
            "config": dataclasses.asdict(config),
            "seed": config.seed,
            "versions": library_versions(),
            "device": str(device),
            "dtype": str(next(model.parameters()).dtype).replace("torch.", ""),
            "bf16_matmuls": use_bf16_matmuls(config, device),
            "leak_check": {"evaluation_phrasings": checked, "training_phrasings": len(split.train), "overlaps": 0,
                           "handwritten_left_out": left_out},
            "training": {k: v for k, v in dataclasses.asdict(stats).items() if k != "losses"}
                        | {"fact_examples": len(split.train), "replay_examples": len(replay),
                           "abstain_examples": len(abstain_ex)},
            "timings": {"load_s": round(load_s, 2), "train_s": round(stats.seconds, 2), "eval_s": round(eval_s, 2)},
            "tokens_per_s": round(stats.tokens / stats.seconds, 1) if stats.seconds else None,
            "peak_memory_mb": round(peak_memory_mb(device), 1),
            "adapter_bytes": _dir_bytes(tmp),
            "eval": _short(summary),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (tmp / "losses.json").write_text(json.dumps(stats.losses))
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))  # last: its presence means finished
        _replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _short(summary: dict | None) -> dict | None:
    """The manifest keeps the headline figures; eval.json keeps everything."""
    if summary is None:
        return None
    keep = ("train", "heldout", "handwritten", "heldout_as_written", "handwritten_as_written", "probes", "red_flags")
    return {k: summary[k] for k in keep if k in summary} | {
        "families": {k: round(v["accuracy"], 4) for k, v in summary["families"].items()}}


def _fix_adapter_config(folder: Path, model_name: str) -> None:
    """Name the base model as the user did (a built-in alias or hub id), not our cache path."""
    path = folder / "adapter_config.json"
    cfg = json.loads(path.read_text())
    cfg["base_model_name_or_path"] = model_name
    path.write_text(json.dumps(cfg, indent=2))


def _replace_dir(tmp: Path, out: Path) -> None:
    """Move a finished folder into place; an old one is removed only after the new one is there."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)

