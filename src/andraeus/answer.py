"""Batched greedy answering with a base model, with or without an adapter."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Sequence

import torch

from .models import load_model
from .prompts import encode_prompt

MANIFEST = "manifest.json"


class AdapterError(RuntimeError):
    """A folder that is not a finished andraeus adapter."""


def read_manifest(adapter: str | Path) -> dict:
    path = Path(adapter) / MANIFEST
    if not path.exists():
        raise AdapterError(f"{adapter} is not an andraeus adapter (no {MANIFEST}); train one with `andraeus train`")
    return json.loads(path.read_text())


class Answerer:
    """Answers questions with one model; `use_adapter=False` answers as the bare base model."""

    def __init__(self, model, tokenizer, system: str | None = None, max_new_tokens: int = 48, batch_size: int = 32):
        self.model, self.tokenizer = model, tokenizer
        self.system = system
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size

    @classmethod
    def from_model(cls, name: str, device: str = "auto", **kw) -> "Answerer":
        model, tok = load_model(name, device)
        return cls(model, tok, **kw)

    @classmethod
    def from_adapter(cls, adapter: str | Path, device: str = "auto", **kw) -> "Answerer":
        from peft import PeftModel

        manifest = read_manifest(adapter)
        model, tok = load_model(manifest["model"], device)
        model = PeftModel.from_pretrained(model, str(adapter))
        model.eval()
        return cls(model, tok, system=manifest.get("system_prompt"), **kw)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def answer(self, questions: Sequence[str], use_adapter: bool = True, progress=None) -> list[str]:
        """Greedy answers, in the order asked. Similar lengths are batched together (less padding)."""
        encoded = [encode_prompt(self.tokenizer, q, self.system) for q in questions]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        answers: list[str] = [""] * len(encoded)
        adapter_off = (
            self.model.disable_adapter() if not use_adapter and hasattr(self.model, "disable_adapter") else nullcontext()
        )
        with adapter_off, torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                batch = order[start:start + self.batch_size]
                for i, text in zip(batch, self._generate([encoded[i] for i in batch])):
                    answers[i] = text
                if progress:
                    progress(len(batch))
        return answers

    def _generate(self, prompts: list[list[int]]) -> list[str]:
        pad = self.tokenizer.pad_token_id
        width = max(len(p) for p in prompts)
        ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts], device=self.device)
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=self.device)
        out = self.model.generate(
            input_ids=ids, attention_mask=mask, max_new_tokens=self.max_new_tokens, do_sample=False,
            pad_token_id=pad, eos_token_id=self.tokenizer.eos_token_id,
        )
        return [self.tokenizer.decode(row[width:], skip_special_tokens=True).strip() for row in out]
