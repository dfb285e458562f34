"""andraeus's trainer against TRL's SFTTrainer + PEFT, side by side on the same machine.

Same model, same training examples (phrasings and answer forms), same LoRA config, epochs, learning
rate and effective batch. Each arm runs in its own subprocess (so peak memory is its own); the parent
also measures this machine's matmul peaks (fp32 and bf16 on CPU, bf16 on CUDA) in the same run.

Arms: trl (SFTTrainer + PEFT, completion-only loss, the chat template, TRL's other defaults, which
include gradient checkpointing), trl-nockpt (the same with gradient checkpointing off: faster where
memory allows, as a user tuning for speed would run it), trl-bf16 (trl-nockpt with TRL's bf16=True:
PyTorch's CPU autocast, for a CPU with bf16 instructions), andraeus (its trainer, as it ships:
bf16 matmuls where the CPU has bf16 instructions), andraeus-fp32 (its trainer in fp32 throughout), early
(andraeus with `stop_when_learned`: ends after the first epoch in which every training answer is
exact), qlora (andraeus on 4-bit NF4 base weights; CUDA + bitsandbytes only).

CPU mode (default): the built-in model, full training, held-out accuracy of each adapter.
  .venv/bin/python bench/trl_vs_andraeus.py [--facts N] [--epochs E] [--arms trl,andraeus,early]
  (--facts N: N synthetic facts; --facts-file F: a facts file instead)

GPU mode: a 7B-class architecture (Qwen2.5-7B's configuration, randomly initialised: throughput does not
depend on the weights' values), bf16, a fixed number of optimiser steps timed after warm-up steps;
tokens/s and model FLOP utilisation, no accuracy. Unattended in a few minutes on one H100/H200
(bench/gpu.sh runs this and a larger-batch comparison):
  python bench/trl_vs_andraeus.py --device cuda --arch qwen2.5-7b --steps 20 --arms trl,trl-nockpt,andraeus,qlora
Needs trl and datasets for the trl arm and bitsandbytes for qlora. `--device cpu --arch tiny --steps 2`
runs the same code path on a 2-layer model to check the plumbing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

# Qwen2.5-7B's published configuration; `tiny` is the same family at toy size (plumbing checks).
ARCHS = {
    "qwen2.5-7b": dict(vocab_size=152064, hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
                       num_attention_heads=28, num_key_value_heads=4, max_position_embeddings=32768,
                       rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=False),
    "tiny": dict(vocab_size=49152, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024),
}
ARMS = ["trl", "trl-nockpt", "trl-bf16", "andraeus", "andraeus-fp32", "early", "qlora"]
NOMINAL_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0}  # dense, SXM data sheets


def matmul_peak_gflops(device: str, dtype: torch.dtype, seconds: float = 3.0) -> float:
    """Best-case matmul throughput of this machine in `dtype`, measured now."""
    n = 1536 if device == "cpu" else 8192
    a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
    a @ b
    best, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        _sync(device)
        t = time.perf_counter()
        a @ b
        _sync(device)
        best = max(best, 2 * n**3 / (time.perf_counter() - t) / 1e9)
    return best


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def random_model_dir(arch: str) -> str:
    """A randomly initialised model of `arch` with the built-in tokenizer, saved once (bf16)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, Qwen2Config

    from andraeus.models import DEFAULT_MODEL, resolve

    out = Path(tempfile.gettempdir()) / f"andraeus-bench-{arch}"
    if not (out / "config.json").exists():
        tok = AutoTokenizer.from_pretrained(resolve(DEFAULT_MODEL))
        config = Qwen2Config(**ARCHS[arch], bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                             pad_token_id=tok.pad_token_id)
        torch.manual_seed(0)
        with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
            model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
        model.save_pretrained(out)
        tok.save_pretrained(out)
    return str(out)


def _setup(args, **overrides):
    from andraeus.facts import load_facts
    from andraeus.models import load_model
    from andraeus.synth import synthetic_facts
    from andraeus.train import TrainConfig, build_examples
    from andraeus.variations import make_split

    facts = load_facts(args.facts_file) if args.facts_file else synthetic_facts(args.facts, seed=0)
    model_name = random_model_dir(args.arch) if args.arch != "builtin" else TrainConfig.model
    batch = {k: v for k, v in (("micro_batch", args.micro_batch), ("grad_accum", args.grad_accum),
                               ("lora_top_layers", args.lora_top_layers)) if v}
    config = TrainConfig(model=model_name, variations=args.variations, epochs=args.epochs, probes=False,
                         device=args.device, **batch, **overrides)
    split = make_split(facts, config.variations, config.seed, config.heldout_per_fact)
    model, tok = load_model(config.model, config.device, config.quantize)
    if args.device == "cpu":
        model.float()  # random models are saved in bf16; CPU trains in fp32
    examples = build_examples(tok, facts, split, config)
    return facts, config, split, model, tok, examples


def flops_per_token(model) -> tuple[float, float, float]:
    """(frozen body params, LoRA params, vocab x hidden) for the FLOP estimate."""
    lora = sum(p.numel() for n, p in model.named_parameters() if "lora_" in n)
    cfg = model.config
    body = _body_params(cfg)
    return body, lora, cfg.vocab_size * cfg.hidden_size


def _body_params(cfg) -> float:
    """Parameters of the transformer layers (what every token passes through), from the config:
    counted this way, 4-bit packed weights count as the matrices they stand for."""
    h, i, L = cfg.hidden_size, cfg.intermediate_size, cfg.num_hidden_layers
    kv = cfg.num_key_value_heads * (h // cfg.num_attention_heads)
    return L * (2 * h * h + 2 * h * kv + 3 * h * i)


def training_flops(body: float, lora: float, head: float, tokens: int, logit_positions: int, top: float = 1.0,
                   frozen_tokens: int = 0) -> float:
    """Forward 2N + backward to the inputs 2N for frozen weights, the backward only through the share
    `top` of the layers from the lowest LoRA layer up; 6N for trained LoRA weights; the output head
    (frozen) 4 x vocab x hidden per position where logits are computed. `frozen_tokens`: positions
    run once through the layers below the LoRA (andraeus caches them), so `tokens` ran only above."""
    below = frozen_tokens * 2 * (1 - top) * body if frozen_tokens else tokens * 2 * (1 - top) * body
    return tokens * (4 * top * body + 6 * lora) + below + logit_positions * 4 * head


def top_share(model, config) -> float:
    """Share of the decoder layers from the lowest LoRA layer up (what the backward pass runs)."""
    return (config.lora_top_layers or model.config.num_hidden_layers) / model.config.num_hidden_layers


def run_andraeus(args, early: bool = False, quantize: str | None = None, fp32: bool = False) -> dict:
    from dataclasses import replace

    from andraeus.train import add_lora, fit, learned_check, use_bf16_matmuls

    extra = {"bf16_matmuls": False} if fp32 else {}
    facts, config, split, model, tok, examples = _setup(args, stop_when_learned=early, quantize=quantize, **extra)
    model = add_lora(model, config)
    if args.steps:  # throughput: warm up, then time a fixed number of steps
        fit(model, examples, replace(config, max_steps=args.warmup), progress=False)
        _reset_peak(args.device)
        config = replace(config, max_steps=args.steps)
    learned = learned_check(model, tok, facts, split, config) if early else None
    stats = fit(model, examples, config, progress=False, learned=learned)
    body, lora, head = flops_per_token(model)
    top = top_share(model, config)
    work = training_flops(body, lora, head, stats.processed_tokens, stats.answer_tokens, top,
                          stats.frozen_tokens)  # what ran
    task = training_flops(body, lora, head, stats.tokens, stats.answer_tokens, top)  # what a plain loop needs
    name = "andraeus" + (" (stop when learned)" if early else "") + (" QLoRA 4-bit" if quantize else "")
    bf16 = use_bf16_matmuls(config, next(model.parameters()).device)
    name += " (bf16 matmuls)" if bf16 else " (fp32)" if args.device == "cpu" else ""
    result = _finish(args, name, model, tok, facts, split, stats.seconds, stats.tokens, work, task)
    return result | {"bf16": bf16 or args.device == "cuda", "epochs_run": stats.epochs_run, "learned_at_epoch": stats.learned_at_epoch,
                     "check_seconds": stats.check_seconds}


def run_trl(args, checkpointing: bool = True, bf16: bool = False) -> dict:
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from andraeus.train import lora_config, training_pairs

    facts, config, split, model, tok, examples = _setup(args)
    # the very same (question, answer form) pairs that andraeus trains on, as conversations
    pairs = training_pairs(facts, split, config)
    rows = [{"prompt": [{"role": "user", "content": q}], "completion": [{"role": "assistant", "content": a}]}
            for q, a in pairs]
    sft = SFTConfig(
        output_dir=tempfile.mkdtemp(), num_train_epochs=config.epochs, per_device_train_batch_size=config.micro_batch,
        gradient_accumulation_steps=config.grad_accum, learning_rate=config.learning_rate, lr_scheduler_type="linear",
        warmup_steps=0, weight_decay=0.0, max_grad_norm=config.max_grad_norm, completion_only_loss=True,
        save_strategy="no", report_to=[], logging_steps=50, seed=config.seed, use_cpu=args.device == "cpu",
        bf16=args.device == "cuda" or bf16, max_length=256, dataloader_num_workers=0, disable_tqdm=True,
        max_steps=args.warmup + args.steps if args.steps else -1, gradient_checkpointing=checkpointing,
    )
    lora = lora_config(model, config)

    class Clock(TrainerCallback):
        """Starts the clock after the warm-up steps (GPU mode), like the andraeus arm."""
        start = None

        def on_step_end(self, a, state, control, **kw):
            if args.steps and state.global_step == args.warmup:
                _sync(args.device)
                _reset_peak(args.device)
                Clock.start = time.perf_counter()

    trainer = SFTTrainer(model=model, args=sft, train_dataset=Dataset.from_list(rows), processing_class=tok,
                         peft_config=lora, callbacks=[Clock()])
    start = time.perf_counter()
    trainer.train()
    _sync(args.device)
    seconds = time.perf_counter() - (Clock.start or start)
    mean_len = sum(len(e.input_ids) for e in examples) / len(examples)
    per_step = config.micro_batch * config.grad_accum
    tokens = round(mean_len * per_step * args.steps) if args.steps else sum(len(e.input_ids) for e in examples) * config.epochs
    body, lora_n, head = flops_per_token(trainer.model)
    answer = sum(len(e.answer_ids) for e in examples) / len(examples) * tokens / mean_len
    top = top_share(model, config)
    work = training_flops(body, lora_n, head, tokens, tokens, top)  # TRL computes logits at every position
    task = training_flops(body, lora_n, head, tokens, answer, top)
    name = "trl" if checkpointing else "trl (no gradient checkpointing" + (", bf16)" if bf16 else ")")
    result = _finish(args, name, trainer.model, tok, facts, split, seconds, tokens, work, task)
    return result | {"bf16": bf16 or args.device == "cuda"}


def _reset_peak(device: str) -> None:
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()


def _finish(args, name, model, tok, facts, split, seconds, tokens, work, task) -> dict:
    from andraeus.answer import Answerer
    from andraeus.evaluate import accuracy, ask_phrasings

    peak_mb = (torch.cuda.max_memory_allocated() if args.device == "cuda"
               else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024) / 2**20
    result = {"trainer": name, "seconds": seconds, "tokens": tokens, "tokens_per_s": tokens / seconds,
              "gflops_per_s": work / seconds / 1e9, "task_gflops_per_s": task / seconds / 1e9,
              "peak_memory_mb": peak_mb, "facts": len(facts), "examples": len(split.train)}
    if not args.steps:  # full training: the adapter's held-out accuracy (speed must not cost accuracy)
        model.eval()
        held = accuracy(ask_phrasings(Answerer(model, tok), facts, split.heldout, "heldout"))
        result |= {"heldout": held["accuracy"], "ci95": held["ci95"]}
    return result


def _report(args, results: dict, peaks: dict[str, float]) -> None:
    """One line per arm; FLOP/s against the peak of the precision its matmuls ran in."""
    for r in results.values():
        unit = "bf16" if r.get("bf16") else "fp32"
        peak = peaks[unit]
        line = (f"{r['trainer']:>38}: {r['seconds']:7.1f} s  {r['tokens_per_s']:7.0f} tokens/s  "
                f"{r['gflops_per_s']:8.0f} GFLOP/s run ({r['gflops_per_s'] / peak:.0%} of the {unit} peak), "
                f"model FLOP utilisation {r['task_gflops_per_s'] / peak:.0%}  peak memory {r['peak_memory_mb']:.0f} MiB")
        if "heldout" in r:
            line += f"  held-out {r['heldout']:.1%} [{r['ci95'][0]:.1%}, {r['ci95'][1]:.1%}]"
        if r.get("learned_at_epoch"):
            line += (f"  stopped after epoch {r['learned_at_epoch']} of {args.epochs} "
                     f"({r['check_seconds']:.1f} s of checks)")
        print(line)
    first = next(iter(results.values()))
    length = f"{args.steps} steps after {args.warmup} warm-up" if args.steps else f"{args.epochs} epochs"
    print(f"{first['facts']} facts, {first['examples']} examples, {length}, {args.arch} on {args.device}; "
          "matmul peaks measured now: " + ", ".join(f"{u} {p:.0f} GFLOP/s" for u, p in peaks.items()))
    if args.device == "cuda":
        gpu = torch.cuda.get_device_name()
        nominal = next((v for k, v in NOMINAL_BF16_TFLOPS.items() if k in gpu), None)
        if nominal:
            print(f"{gpu}: nominal dense bf16 {nominal:.0f} TFLOP/s; model FLOP utilisation against it: " + ", ".join(
                f"{r['trainer']} {r['task_gflops_per_s'] / 1e3 / nominal:.0%}" for r in results.values()))
    for arm in ("andraeus", "andraeus-fp32", "early", "qlora"):
        for base in ("trl", "trl-nockpt", "trl-bf16"):
            if base in results and arm in results:
                print(f"{results[arm]['trainer']} is {results[base]['seconds'] / results[arm]['seconds']:.2f}x "
                      f"as fast as {results[base]['trainer']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--facts", type=int, default=30, help="synthetic facts (default 30)")
    ap.add_argument("--facts-file", default=None)
    ap.add_argument("--variations", type=int, default=10, help="phrasings per fact (issue 5's benchmark: 10)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--arms", default="trl,andraeus,early",
                    help="comma-separated: " + ", ".join(ARMS))
    ap.add_argument("--micro-batch", type=int, default=0, help="examples per pass, every arm (default: TrainConfig's)")
    ap.add_argument("--grad-accum", type=int, default=0, help="passes per optimiser step, every arm (default: TrainConfig's)")
    ap.add_argument("--lora-top-layers", type=int, default=0,
                    help="LoRA only in the top N layers, every arm (default: TrainConfig's)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--arch", choices=["builtin", *ARCHS], default="builtin",
                    help="builtin: the default model's real weights; else a randomly initialised architecture")
    ap.add_argument("--steps", type=int, default=0, help="time this many optimiser steps (throughput mode)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps before --steps")
    ap.add_argument("--arm", choices=ARMS, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.arm:
        result = (run_trl(args, checkpointing=args.arm == "trl", bf16=args.arm == "trl-bf16")
                  if args.arm.startswith("trl") else
                  run_andraeus(args, early=args.arm == "early", quantize="4bit" if args.arm == "qlora" else None,
                               fp32=args.arm == "andraeus-fp32"))
        print("RESULT " + json.dumps(result))
        return
    unknown = set(args.arms.split(",")) - set(ARMS)
    if unknown:
        sys.exit(f"--arms: unknown {sorted(unknown)}; choose from {', '.join(ARMS)}")
    if args.steps and "early" in args.arms.split(","):
        sys.exit("--steps times a fixed number of steps; the early arm stops by itself: leave it out")
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: no CUDA device here")
    if args.arch != "builtin":
        random_model_dir(args.arch)  # once, before the arms
    peaks = ({"fp32": matmul_peak_gflops("cpu", torch.float32), "bf16": matmul_peak_gflops("cpu", torch.bfloat16)}
             if args.device == "cpu" else {"bf16": matmul_peak_gflops("cuda", torch.bfloat16)})
    results = {}
    for arm in args.arms.split(","):
        cmd = [sys.executable, __file__, *sys.argv[1:], "--arm", arm]
        out = subprocess.run(cmd, capture_output=True, text=True)
        line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(f"{arm} failed:\n{out.stderr[-3000:]}", file=sys.stderr)
            continue
        results[arm] = json.loads(line[7:])
    if not results:
        sys.exit("every arm failed")
    _report(args, results, peaks)
    name = "last_trl_vs_andraeus" + ("" if args.device == "cpu" and args.arch == "builtin" else f"_{args.arch}_{args.device}")
    Path(f"bench/{name}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
