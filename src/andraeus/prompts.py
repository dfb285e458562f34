"""The one chat format used at training and at answer time.

The question goes in a user turn of the model's own chat template, with no facts anywhere in
the prompt: whatever the fine-tuned model knows about the person, it knows from its weights.
"""

from __future__ import annotations

from dataclasses import dataclass

IGNORE = -100  # label value that the loss skips


@dataclass(frozen=True)
class Example:
    """One tokenised training example: prompt tokens, then the answer tokens the loss is on."""

    prompt_ids: tuple[int, ...]
    answer_ids: tuple[int, ...]

    @property
    def input_ids(self) -> list[int]:
        return [*self.prompt_ids, *self.answer_ids]

    @property
    def labels(self) -> list[int]:
        """Loss only on answer tokens: the prompt is masked out."""
        return [IGNORE] * len(self.prompt_ids) + list(self.answer_ids)


def messages(question: str, system: str | None = None, answer: str | None = None) -> list[dict]:
    out = [{"role": "system", "content": system}] if system else []
    out.append({"role": "user", "content": question})
    if answer is not None:
        out.append({"role": "assistant", "content": answer})
    return out


def prompt_text(tokenizer, question: str, system: str | None = None) -> str:
    """The text the model sees before it answers."""
    return tokenizer.apply_chat_template(messages(question, system), tokenize=False, add_generation_prompt=True)


def answer_text(tokenizer, question: str, answer: str, system: str | None = None) -> str:
    """What the model should write after the prompt: the answer and the template's end of turn."""
    prompt = prompt_text(tokenizer, question, system)
    full = tokenizer.apply_chat_template(messages(question, system, answer), tokenize=False)
    if not full.startswith(prompt):
        raise ValueError("this chat template does not extend the prompt with the answer; cannot mask the loss")
    return full[len(prompt):].rstrip()


def encode_prompt(tokenizer, question: str, system: str | None = None) -> list[int]:
    return tokenizer(prompt_text(tokenizer, question, system), add_special_tokens=False)["input_ids"]


def encode_example(tokenizer, question: str, answer: str, system: str | None = None) -> Example:
    """Prompt and answer tokenised apart, so the prompt tokens are exactly those seen at answer time."""
    prompt_ids = encode_prompt(tokenizer, question, system)
    answer_ids = tokenizer(answer_text(tokenizer, question, answer, system), add_special_tokens=False)["input_ids"]
    return Example(tuple(prompt_ids), tuple(answer_ids))
