"""Batched greedy answering with a base model, with or without an adapter."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Sequence

import torch

from .gate import Gate
from .judge import builtin_judge
from .models import load_model, pick_device
from .probes import DECLINE_ANSWER
from .prompts import encode_prompt

MANIFEST = "manifest.json"


class AdapterError(RuntimeError):
    """A folder that is not a finished andraeus adapter."""


def read_manifest(adapter: str | Path) -> dict:
    path = Path(adapter) / MANIFEST
    if not path.exists():
        raise AdapterError(f"{adapter} is not an andraeus adapter (no {MANIFEST}); train one with `andraeus train`")
    return json.loads(path.read_text())


def make_gate(config: dict, saved: dict, person: str | None) -> Gate | None:
    """The gate an adapter answers with: its training config and its phrasings.json."""
    if not config.get("gate", False):
        return None
    abstain = saved.get("abstain_train", [])
    return Gate([p["text"] for p in saved["train"]] + abstain, person, unknown=saved.get("unknown", []),
                anchor=config.get("anchor", False), fact_ids=[p["fact_id"] for p in saved["train"]] + [None] * len(abstain),
                answers=saved.get("answers"), judge=builtin_judge() if config.get("judge", False) else None)


class Answerer:
    """Answers questions with one model; `use_adapter=False` answers as the bare base model."""

    def __init__(self, model, tokenizer, system: str | None = None, max_new_tokens: int = 48, batch_size: int = 32,
                 max_batch_tokens: int = 8192, gate: Gate | None = None):
        self.model, self.tokenizer = model, tokenizer
        self.system = system
        self.gate = gate  # questions it finds not about the person skip the adapter
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens

    @classmethod
    def from_model(cls, name: str, device: str = "auto", **kw) -> "Answerer":
        model, tok = load_model(name, device)
        return cls(model, tok, **kw)

    @classmethod
    def from_adapter(cls, adapter: str | Path, device: str = "auto", **kw) -> "Answerer":
        from peft import PeftModel

        manifest = read_manifest(adapter)
        # an adapter trained on 4-bit weights answers on them where it can (CUDA), else on full weights
        quantize = manifest["config"].get("quantize") if pick_device(device).type == "cuda" else None
        model, tok = load_model(manifest["model"], device, quantize)
        model = PeftModel.from_pretrained(model, str(adapter))
        model.eval()
        if "gate" not in kw:
            saved = json.loads((Path(adapter) / "phrasings.json").read_text())
            kw["gate"] = make_gate(manifest["config"], saved, manifest.get("person"))
        return cls(model, tok, system=manifest.get("system_prompt"), **kw)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def prompts(self, questions: Sequence[str], systems: Sequence[str | None] | None = None) -> list[list[int]]:
        """Prompt token ids; `systems` gives each question its own system message (e.g. retrieved facts)."""
        systems = systems if systems is not None else [self.system] * len(questions)
        return [encode_prompt(self.tokenizer, q, s) for q, s in zip(questions, systems)]

    def answer(self, questions: Sequence[str], use_adapter: bool = True, progress=None,
               systems: Sequence[str | None] | None = None) -> list[str]:
        """Greedy answers, in the order asked."""
        return [text for text, _ in self.answer_scored(questions, use_adapter, progress, systems)]

    def answer_scored(self, questions: Sequence[str], use_adapter: bool = True, progress=None,
                      systems: Sequence[str | None] | None = None) -> list[tuple[str, float]]:
        """Greedy answers with their mean token log-probability (the model's confidence).

        With the gate on, questions that are not about the person are answered by the base model,
        questions about what the facts never gave are declined, and the rest go to the adapter (in
        the words of their nearest trained phrasing, when the gate anchors)."""
        if not (use_adapter and self.gate):
            return self._answer_scored(questions, use_adapter, progress, systems)
        out: list[tuple[str, float]] = [(DECLINE_ANSWER, 0.0)] * len(questions)
        routes = self.gate.route(questions)
        for to in ("adapter", "base"):
            idx = [i for i, r in enumerate(routes) if r.to == to]
            if idx:
                sub = self._answer_scored([routes[i].text for i in idx], to == "adapter", progress,
                                          None if systems is None else [systems[i] for i in idx])
                for i, r in zip(idx, sub):
                    out[i] = r
        declined = sum(r.to == "decline" for r in routes)
        if progress and declined:
            progress(declined)
        return out

    def _answer_scored(self, questions: Sequence[str], use_adapter: bool, progress,
                       systems: Sequence[str | None] | None) -> list[tuple[str, float]]:
        """Similar lengths are batched together (less padding), and long prompts in smaller batches
        (at most `max_batch_tokens` prompt tokens a batch). A prompt asked more than once is generated
        once: greedy decoding gives it the same answer (anchoring sends many wordings to one phrasing)."""
        encoded = self.prompts(questions, systems)
        first: dict[tuple[int, ...], int] = {}
        for i, e in enumerate(encoded):
            first.setdefault(tuple(e), i)
        order = sorted(first.values(), key=lambda i: len(encoded[i]))
        answers: list[tuple[str, float]] = [("", 0.0)] * len(encoded)
        adapter_off = (
            self.model.disable_adapter() if not use_adapter and hasattr(self.model, "disable_adapter") else nullcontext()
        )
        with adapter_off, torch.inference_mode():
            start = 0
            while start < len(order):
                width = len(encoded[order[min(start + self.batch_size, len(order)) - 1]])
                size = max(1, min(self.batch_size, self.max_batch_tokens // max(width, 1)))
                batch = order[start:start + size]
                for i, text in zip(batch, self._generate([encoded[i] for i in batch])):
                    answers[i] = text
                if progress:
                    progress(len(batch))
                start += size
        if progress and len(order) < len(encoded):
            progress(len(encoded) - len(order))
        return [answers[first[tuple(e)]] for e in encoded]

    def _generate(self, prompts: list[list[int]]) -> list[tuple[str, float]]:
        pad, eos = self.tokenizer.pad_token_id, self.tokenizer.eos_token_id
        width = max(len(p) for p in prompts)
        ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts], device=self.device)
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=self.device)
        out = self.model.generate(
            input_ids=ids, attention_mask=mask, max_new_tokens=self.max_new_tokens, do_sample=False,
            pad_token_id=pad, eos_token_id=eos, output_scores=True, return_dict_in_generate=True,
        )
        new = out.sequences[:, width:]
        logp = torch.stack(out.scores, dim=1).float().log_softmax(-1).gather(-1, new[..., None])[..., 0]
        # tokens up to and including the first end of turn count; padding after it does not
        ended = (new == eos).int().cumsum(1)
        keep = (ended == 0) | ((ended == 1) & (new == eos))
        conf = (logp * keep).sum(1) / keep.sum(1).clamp(min=1)
        return [(self.tokenizer.decode(row, skip_special_tokens=True).strip(), float(c))
                for row, c in zip(new, conf)]
