"""andraeus's trainer against TRL's SFTTrainer + PEFT, side by side on the same machine.

Same model (built-in default), same training examples (phrasings and answer forms), same LoRA
config, epochs, learning rate and effective batch. Each trainer runs in its own subprocess (so peak
memory is its own); the parent also measures this machine's fp32 matmul peak in the same run.

A third arm runs andraeus with `stop_when_learned` (ends after the first epoch in which every
training answer is exact), to show what early stopping saves and whether it costs accuracy.

Run: .venv/bin/python bench/trl_vs_andraeus.py [--facts N] [--epochs E] [--arms trl,andraeus,early]
     (--facts N: N synthetic facts; --facts-file F: a facts file instead)
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


def matmul_peak_gflops(n: int = 1536, seconds: float = 3.0) -> float:
    """Best-case fp32 matmul throughput of this machine, measured now."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        a @ b
        best = max(best, 2 * n**3 / (time.perf_counter() - t) / 1e9)
    return best


def _setup(args, **overrides):
    from andraeus.facts import load_facts
    from andraeus.models import load_model
    from andraeus.synth import synthetic_facts
    from andraeus.train import TrainConfig, build_examples
    from andraeus.variations import make_split

    facts = load_facts(args.facts_file) if args.facts_file else synthetic_facts(args.facts, seed=0)
    config = TrainConfig(epochs=args.epochs, probes=False, **overrides)
    split = make_split(facts, config.variations, config.seed, config.heldout_per_fact)
    model, tok = load_model(config.model, "cpu")
    examples = build_examples(tok, facts, split, config)
    return facts, config, split, model, tok, examples


def flops_per_token(model) -> tuple[float, float, float]:
    """(frozen body params, LoRA params, vocab x hidden) for the FLOP estimate."""
    lora = sum(p.numel() for n, p in model.named_parameters() if "lora_" in n)
    body = sum(p.numel() for n, p in model.named_parameters() if "lora_" not in n and "embed" not in n)
    cfg = model.config
    return body, lora, cfg.vocab_size * cfg.hidden_size


def training_flops(body: float, lora: float, head: float, tokens: int, logit_positions: int) -> float:
    """Forward 2N + backward to the inputs 2N for frozen weights; 6N for trained LoRA weights; the
    output head (frozen) 4 x vocab x hidden per position where logits are computed."""
    return tokens * (4 * body + 6 * lora) + logit_positions * 4 * head


def run_andraeus(args, early: bool = False) -> dict:
    from andraeus.train import add_lora, fit

    facts, config, split, model, tok, examples = _setup(args, stop_when_learned=early)
    model = add_lora(model, config)
    stats = fit(model, tok, examples, config, progress=False)
    body, lora, head = flops_per_token(model)
    flops = training_flops(body, lora, head, stats.processed_tokens, stats.answer_tokens)
    result = _finish("andraeus" + (" (stop when learned)" if early else ""), model, tok, facts, split,
                     stats.seconds, stats.tokens, flops)
    return result | {"epochs_run": stats.epochs_run, "learned_at_epoch": stats.learned_at_epoch}


def run_trl(args) -> dict:
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    from andraeus.train import training_pairs

    facts, config, split, model, tok, examples = _setup(args)
    # the very same (question, answer form) pairs that andraeus trains on, as conversations
    pairs = training_pairs(facts, split, config)
    rows = [{"prompt": [{"role": "user", "content": q}], "completion": [{"role": "assistant", "content": a}]}
            for q, a in pairs]
    sft = SFTConfig(
        output_dir=tempfile.mkdtemp(), num_train_epochs=config.epochs, per_device_train_batch_size=config.micro_batch,
        gradient_accumulation_steps=config.grad_accum, learning_rate=config.learning_rate, lr_scheduler_type="linear",
        warmup_steps=0, weight_decay=0.0, max_grad_norm=config.max_grad_norm, completion_only_loss=True,
        save_strategy="no", report_to=[], logging_steps=50, seed=config.seed, use_cpu=True, bf16=False,
        max_length=256, dataloader_num_workers=0, disable_tqdm=True,
    )
    lora = LoraConfig(r=config.lora_rank, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=config.target_modules, task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=model, args=sft, train_dataset=Dataset.from_list(rows), processing_class=tok,
                         peft_config=lora)
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    tokens = sum(len(e.input_ids) for e in examples) * config.epochs
    body, lora_n, head = flops_per_token(trainer.model)
    flops = training_flops(body, lora_n, head, tokens, tokens)  # TRL computes logits at every position
    return _finish("trl", trainer.model, tok, facts, split, seconds, tokens, flops)


def _finish(name, model, tok, facts, split, seconds, tokens, flops) -> dict:
    from andraeus.answer import Answerer
    from andraeus.evaluate import accuracy, ask_phrasings

    model.eval()
    held = accuracy(ask_phrasings(Answerer(model, tok), facts, split.heldout, "heldout"))
    return {"trainer": name, "seconds": seconds, "tokens": tokens, "tokens_per_s": tokens / seconds,
            "gflops_per_s": flops / seconds / 1e9, "heldout": held["accuracy"], "ci95": held["ci95"],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "facts": len(facts), "examples": len(split.train)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--facts", type=int, default=30, help="synthetic facts (default 30)")
    ap.add_argument("--facts-file", default=None)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--arms", default="trl,andraeus,early", help="which arms to run (default: all three)")
    ap.add_argument("--arm", choices=["trl", "andraeus", "early"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.arm:
        result = run_trl(args) if args.arm == "trl" else run_andraeus(args, early=args.arm == "early")
        print("RESULT " + json.dumps(result))
        return
    peak = matmul_peak_gflops()
    print(f"fp32 matmul peak on this machine (measured now): {peak:.0f} GFLOP/s, {torch.get_num_threads()} threads")
    results = {}
    for arm in args.arms.split(","):
        cmd = [sys.executable, __file__, "--arm", arm, "--facts", str(args.facts), "--epochs", str(args.epochs)]
        if args.facts_file:
            cmd += ["--facts-file", args.facts_file]
        out = subprocess.run(cmd, capture_output=True, text=True)
        line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            sys.exit(f"{arm} failed:\n{out.stderr[-3000:]}")
        results[arm] = json.loads(line[7:])
    for r in results.values():
        print(f"{r['trainer']:>8}: {r['seconds']:7.1f} s  {r['tokens_per_s']:6.0f} tokens/s  "
              f"{r['gflops_per_s']:5.0f} GFLOP/s ({r['gflops_per_s'] / peak:.0%} of peak)  "
              f"peak RSS {r['peak_rss_mb']:.0f} MiB  held-out {r['heldout']:.1%} "
              f"[{r['ci95'][0]:.1%}, {r['ci95'][1]:.1%}]"
              + (f"  epochs run {r['epochs_run']}, all answers exact from epoch {r['learned_at_epoch']}"
                 if "epochs_run" in r else ""))
    first = next(iter(results.values()))
    print(f"{first['facts']} facts, {first['examples']} examples x {args.epochs} epochs")
    for arm in ("andraeus", "early"):
        if "trl" in results and arm in results:
            print(f"{results[arm]['trainer']} is {results['trl']['seconds'] / results[arm]['seconds']:.2f}x "
                  "faster than TRL SFTTrainer + PEFT")
    Path("bench/last_trl_vs_andraeus.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
