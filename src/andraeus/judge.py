"""A learned judgement the gate asks last: does a question ask what a trained phrasing asks?

MiniLM's nearness and the contrast words of data/contrasts.yaml miss near misses whose one changed
word they do not know ("the sous chef" beside "the head chef", "my last dentist appointment" beside
the next one), and decline rewordings whose words they do not know ("the place where I came into
the world"). The judge is the built-in model with a small LoRA adapter (shipped in data/judge/),
fitted by bench/train_judge.py on pairs of hand-written questions (a held-out question with the
nearest training phrasing of its own fact: yes; a never-given question with the nearest phrasing
of the nearest fact: no) and of generated phrasings (with another of their fact's: yes; with the
nearest of another fact's: no). It reads both questions at once, so it weighs the word that differs.
Its score is the logit of " yes" minus that of " no" after `PROMPT`.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Sequence

import torch

from .models import DEFAULT_MODEL, load_model

PROMPT = "Question A: {question}\nQuestion B: {phrasing}\nDo A and B ask for the same fact about me? Answer:"
SETTINGS = "judge.json"


@dataclass
class JudgeConfig:
    """How the judge adapter is fitted."""

    rank: int = 16
    """LoRA rank on every linear layer of the built-in model."""
    alpha: int = 32
    """LoRA alpha (scale alpha / rank)."""
    dropout: float = 0.05
    """LoRA dropout."""
    learning_rate: float = 2e-4
    """AdamW learning rate, constant."""
    epochs: int = 2
    """Passes over the pairs."""
    batch: int = 8
    """Pairs per optimiser step."""
    seed: int = 0
    """Shuffling and initialisation seed."""
    keep: float = 0.99
    """Share of the fitted yes-pairs whose score must reach the threshold below which the gate declines."""
    override: float = 3.0
    """Score (logit of yes over no) above which a question the gate declined is answered after all:
    P(yes) >= 0.95. Chosen on the fourth person's questions with a judge fitted on the other three."""


def _prompts(tokenizer, pairs: Sequence[tuple[str, str]]) -> dict:
    texts = [PROMPT.format(question=q, phrasing=p) for q, p in pairs]
    return tokenizer(texts, return_tensors="pt", padding=True, padding_side="left")


def _yes_no(tokenizer) -> tuple[int, int]:
    return tokenizer.encode(" yes")[-1], tokenizer.encode(" no")[-1]


def pair_logits(model, tokenizer, pairs: Sequence[tuple[str, str]]) -> torch.Tensor:
    """The judge's score for each (question, phrasing): logit of " yes" minus logit of " no"."""
    yes, no = _yes_no(tokenizer)
    batch = {k: v.to(model.device) for k, v in _prompts(tokenizer, pairs).items()}
    last = model(**batch).logits[:, -1].float()
    return last[:, yes] - last[:, no]


def score(model, tokenizer, pairs: Sequence[tuple[str, str]], batch: int = 32) -> list[float]:
    """Scores for many pairs, shortest first so that a batch pads little; in the order given."""
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    out = [0.0] * len(pairs)
    with torch.no_grad():
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            for i, s in zip(idx, pair_logits(model, tokenizer, [pairs[i] for i in idx]).tolist()):
                out[i] = s
    return out


def fit_judge(pairs: Sequence[tuple[str, str]], labels: Sequence[int], out: str | Path,
              config: JudgeConfig | None = None, progress: bool = True, model_name: str = DEFAULT_MODEL) -> dict:
    """Fit the judge adapter on labelled (question, phrasing) pairs and save it, with its thresholds,
    to `out` (a PEFT adapter folder plus judge.json). Returns the settings saved."""
    from peft import LoraConfig, get_peft_model
    from safetensors.torch import load_file, save_file
    from tqdm.auto import tqdm

    from .train import _fix_adapter_config, bf16_matmuls, cpu_has_bf16

    config = config or JudgeConfig()
    torch.manual_seed(config.seed)
    model, tok = load_model(model_name, "cpu")
    model = get_peft_model(model, LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
                                             target_modules="all-linear"))
    order = list(range(len(pairs)))
    random.Random(config.seed).shuffle(order)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.learning_rate)
    model.train()
    steps = [order[i:i + config.batch] for i in range(0, len(order), config.batch)] * config.epochs
    with bf16_matmuls(model, cpu_has_bf16()):
        for step in tqdm(steps, desc="fitting the judge", disable=not progress):
            target = torch.tensor([float(labels[i]) for i in step])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                pair_logits(model, tok, [pairs[i] for i in step]), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    yes = sorted(s for s, y in zip(score(model, tok, pairs), labels) if y)
    settings = {"model": model_name, "threshold": yes[int(len(yes) * (1 - config.keep))], "override": config.override,
                "pairs": len(pairs), "yes": len(yes), "config": asdict(config)}
    out = Path(out)
    model.save_pretrained(str(out))
    weights = out / "adapter_model.safetensors"  # in fp16: half the size in the package, scores within rounding
    save_file({k: v.half() for k, v in load_file(weights).items()}, weights, metadata={"format": "pt"})
    _fix_adapter_config(out, model_name)
    (out / "README.md").unlink(missing_ok=True)  # PEFT's empty model card
    (out / SETTINGS).write_text(json.dumps(settings, indent=1))
    return settings


class Judge:
    """The fitted judge: `scores(pairs)`, the `threshold` below which the gate declines a question it
    would answer, and the score (`override`) above which it answers one it would decline."""

    def __init__(self, folder: str | Path | None = None, device: str = "cpu"):
        from peft import PeftModel

        folder = Path(folder) if folder else Path(str(resources.files("andraeus").joinpath("data", "judge")))
        settings = json.loads((folder / SETTINGS).read_text())
        self.threshold, self.override = settings["threshold"], settings["override"]
        model, self.tokenizer = load_model(settings["model"], device)
        self.model = PeftModel.from_pretrained(model, str(folder)).eval()

    def scores(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        return score(self.model, self.tokenizer, pairs) if pairs else []


@cache
def builtin_judge() -> Judge:
    """The judge shipped in the package, loaded once per process."""
    return Judge()
