"""The command line: one command per step, and `train` for the whole path."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
import yaml

from .facts import FactsError, FactSet, load_facts
from .models import DEFAULT_MODEL, ModelError
from .probes import load_never_given
from .progress import console
from .variations import DEFAULT_PHRASINGS, LeakError, load_questions, make_split, split_from_dict, split_to_dict, without_leaks

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Give a language model one person's memory: facts in, a LoRA adapter out, measured honestly.")

USER_ERRORS = (FactsError, ModelError, LeakError, FileExistsError, ValueError, OSError)
NEVER_GIVEN_HELP = ("Also ask your own questions about things the facts never give (YAML list) and report "
                    "how many are declined or answered with another fact's answer.")


def fail(msg: str) -> None:
    console.print(f"[red]error:[/red] {msg}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _counts(text: str, flag: str) -> list[int]:
    """Comma-separated positive whole numbers ("1,5,10"), or a clear error naming the flag."""
    try:
        counts = [int(c) for c in text.split(",") if c.strip()]
    except ValueError:
        fail(f"{flag} takes comma-separated whole numbers, e.g. 1,5,10 (got {text!r})")
    if min(counts, default=1) < 1:
        fail(f"{flag} takes positive numbers (got {text!r})")
    return counts


def _facts(path: Path) -> FactSet:
    try:
        return load_facts(path)
    except FactsError as e:
        fail(f"{len(e.problems)} problem(s) in the facts file:\n" + "\n".join(f"  {p}" for p in e.problems))


def _guard(fn):
    """Turn the errors a user can cause into a clear message and exit code 2, never a traceback."""
    from functools import wraps

    from .answer import AdapterError

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (*USER_ERRORS, AdapterError) as e:
            fail(str(e))
    return wrapper


@app.command()
@_guard
def variations(
    facts: Path = typer.Argument(..., help="Facts file (.yaml, .json or .csv)."),
    n: int = typer.Option(DEFAULT_PHRASINGS, "--n", help="Training phrasings per fact."),
    heldout: int = typer.Option(4, help="Held-out phrasings per fact (families training never sees)."),
    seed: int = typer.Option(0, help="Seed for phrasing generation."),
    out: Optional[Path] = typer.Option(None, help="Write an editable YAML file for `train --phrasings`."),
):
    """Print the phrasings that training and evaluation will use."""
    fs = _facts(facts)
    split = make_split(fs, n, seed, heldout)
    if out:
        out.write_text(yaml.safe_dump(split_to_dict(split), sort_keys=False, allow_unicode=True))
        console.print(f"wrote {len(split.train)} training and {len(split.heldout)} held-out phrasings to {out}")
        return
    for fact in fs:
        print(f"# {fact.id}: {fact.question} -> {fact.answer}")
        for p in split.train:
            if p.fact_id == fact.id:
                print(f"  train   {p.family:<14} {p.text}")
        for p in split.heldout:
            if p.fact_id == fact.id:
                print(f"  heldout {p.family:<14} {p.text}")


@app.command()
@_guard
def train(
    facts: Path = typer.Argument(..., help="Facts file (.yaml, .json or .csv)."),
    out: Path = typer.Option(..., help="Adapter folder to write (PEFT files + manifest.json)."),
    model: Optional[str] = typer.Option(None, help=f"Base model: built-in name, HF id or folder \\[default: {DEFAULT_MODEL}]."),
    variations: Optional[int] = typer.Option(None, "--variations", help=f"Training phrasings per fact \\[default: {DEFAULT_PHRASINGS}]."),
    seed: Optional[int] = typer.Option(None, help="Random seed \\[default: 0]."),
    config: Optional[Path] = typer.Option(None, help="YAML file of TrainConfig settings; flags win."),
    epochs: Optional[int] = typer.Option(None, help="Epochs \\[default: 5]."),
    learning_rate: Optional[float] = typer.Option(None, "--lr", help="Learning rate \\[default: 3e-4]."),
    rank: Optional[int] = typer.Option(None, help="LoRA rank \\[default: 64]."),
    alpha: Optional[int] = typer.Option(None, help="LoRA alpha \\[default: 128]."),
    replay: Optional[int] = typer.Option(None, help="General prompts answered by the base model, mixed in \\[default: 0]."),
    abstain: Optional[int] = typer.Option(None, help="Never-given questions trained to 'I don't know' \\[default: 0]."),
    micro_batch: Optional[int] = typer.Option(None, help="Micro-batch size \\[default: 2]."),
    grad_accum: Optional[int] = typer.Option(None, help="Gradient accumulation steps \\[default: 4]."),
    device: Optional[str] = typer.Option(None, help="auto, cpu or cuda \\[default: auto]."),
    quantize: Optional[str] = typer.Option(None, help="4bit: QLoRA on NF4 base weights (CUDA + bitsandbytes)."),
    stop_when_learned: Optional[bool] = typer.Option(
        None, "--stop-when-learned", help="End after the first epoch whose check (one training phrasing per fact) is all right."),
    phrasings: Optional[Path] = typer.Option(None, help="Use an (edited) file from `variations --out`."),
    questions: Optional[Path] = typer.Option(None, help="Also report your own held-out questions (YAML: fact_id -> list)."),
    never_given: Optional[Path] = typer.Option(None, help=NEVER_GIVEN_HELP),
    overwrite: bool = typer.Option(False, help="Replace an existing adapter folder."),
    progress: bool = typer.Option(True, help="Show a progress bar."),
):
    """Train an adapter on FACTS, then print held-out accuracy."""
    from .train import TrainConfig, train as run_train

    flags = {"model": model, "variations": variations, "seed": seed, "epochs": epochs,
             "learning_rate": learning_rate, "lora_rank": rank, "lora_alpha": alpha,
             "micro_batch": micro_batch, "grad_accum": grad_accum, "device": device, "replay": replay,
             "abstain": abstain, "stop_when_learned": stop_when_learned, "quantize": quantize}
    cfg = TrainConfig.from_yaml(config, **flags) if config else TrainConfig.create(
        {k: v for k, v in flags.items() if v is not None})
    fs = _facts(facts)
    split = None
    if phrasings:
        split = split_from_dict(yaml.safe_load(phrasings.read_text()), fs, str(phrasings))
    handwritten = load_questions(questions, fs) if questions else ()
    yours = load_never_given(never_given, fs) if never_given else ()
    manifest = run_train(fs, out, cfg, split=split, overwrite=overwrite, progress=progress, handwritten=handwritten,
                         never_given=yours)
    _print_train_summary(manifest, out)


def _pct(acc: dict) -> str:
    lo, hi = acc["ci95"]
    return f"{acc['accuracy']:.1%} (95% CI {lo:.1%}–{hi:.1%}, {acc['questions']} questions, {acc['facts']} facts)"


def _print_train_summary(m: dict, out: Path) -> None:
    t = m["training"]
    console.print(
        f"trained {t['examples']} examples x {t['epochs_run']} epochs: {t['steps']} steps, "
        f"{t['tokens']} tokens in {m['timings']['train_s']:.1f} s ({m['tokens_per_s']} tokens/s); "
        f"{t['trainable_params']:,} trainable parameters; adapter {m['adapter_bytes'] / 2**20:.1f} MiB; "
        f"peak memory {m['peak_memory_mb']:.0f} MiB", highlight=False)
    if t.get("learned_at_epoch"):
        print(f"stopped after epoch {t['learned_at_epoch']}: a training phrasing of every fact answered right")
    lc = m["leak_check"]
    console.print(f"leak check: {lc['evaluation_phrasings']} evaluation phrasings against {lc['training_phrasings']} "
                  "training phrasings: 0 exact or near-duplicate overlaps", highlight=False)
    _print_left_out(lc.get("handwritten_left_out", []))
    if m["eval"]:
        if "train" in m["eval"]:
            print(f"trained-phrasing accuracy: {_pct(m['eval']['train'])}")
        print(f"held-out accuracy: {_pct(m['eval']['heldout'])}")
        if "handwritten" in m["eval"]:
            print(f"hand-written held-out accuracy: {_pct(m['eval']['handwritten'])}")
        _print_as_written(m["eval"])
        _print_beyond(m["eval"])
    console.print(f"adapter written to {out}", highlight=False)


def _print_as_written(ev: dict) -> None:
    """The adapter alone, reading each held-out question in its own words (no anchoring, no declines)."""
    for split, label in (("heldout", "held-out"), ("handwritten", "hand-written")):
        if f"{split}_as_written" in ev:
            print(f"  {label}, the adapter reading the question as written: {_pct(ev[f'{split}_as_written'])}")


def _print_left_out(left_out: list[str]) -> None:
    if left_out:
        console.print(f"[yellow]note:[/yellow] {len(left_out)} of your questions (nearly) equal training phrasings, "
                      f"so they are not held out and are left out of the hand-written figures: {left_out[:5]}")


def _print_beyond(ev: dict) -> None:
    """Locality, abstention, reversal and the red flags, when measured."""
    p = ev.get("probes")
    if p:
        loc, ab, ppl = p["locality"], p["abstention"], p["perplexity"]
        kept = "n/a" if loc["kept"] is None else f"{loc['kept']:.1%}"
        print(f"locality: {kept} of the {loc['base_correct']} general questions the base model "
              f"got right are still right; reference perplexity x{ppl['ratio']:.2f}")
        if loc.get("gated") and loc["kept_without_gate"] is not None:
            print(f"  (the gate sends questions not about the person to the base model; with the adapter on "
                  f"every question: {loc['kept_without_gate']:.1%})")
        for label, ab in (("never-given facts", ab), ("your never-given questions", p.get("abstention_yours"))):
            if ab:
                print(f"{label} ({ab['questions']} questions): {ab['declined']:.0%} declined, "
                      f"{ab['confused']:.0%} answered with another fact's answer, {ab['invented']:.0%} invented")
        rev = p["reversal"]
        if rev["questions"]:
            print(f"reversal probes (\"Who or what is <an answer> to me?\"): {rev['accuracy']:.0%} of {rev['questions']}")
    flags = ev.get("red_flags") or []
    print("red flags: " + ("none" if not flags else ""))
    for flag in flags:
        print(f"  - {flag}")


def _answerer(adapter: Optional[Path], model: Optional[str], device: str):
    from .answer import Answerer

    if adapter and model:
        fail("give --adapter or --model, not both (an adapter names its own base model)")
    if adapter:
        return Answerer.from_adapter(adapter, device)
    return Answerer.from_model(model or DEFAULT_MODEL, device)


@app.command()
@_guard
def ask(
    questions: Optional[List[str]] = typer.Argument(None, help="Questions to answer."),
    adapter: Optional[Path] = typer.Option(None, help="Adapter folder from `andraeus train`."),
    model: Optional[str] = typer.Option(None, help="Answer with a bare base model instead (no adapter)."),
    file: Optional[Path] = typer.Option(None, help="Read questions from a file, one per line."),
    as_json: bool = typer.Option(False, "--json", help='Print {"question": ..., "answer": ...} per line.'),
    device: str = typer.Option("auto", help="auto, cpu or cuda."),
):
    """Answer questions (batched)."""
    qs = list(questions or [])
    if file:
        qs += [line.strip() for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not qs:
        fail("no questions: give them as arguments or with --file")
    answerer = _answerer(adapter, model, device)
    for q, a in zip(qs, answerer.answer(qs)):
        print(json.dumps({"question": q, "answer": a}, ensure_ascii=False) if as_json else f"Q: {q}\nA: {a}\n")


@app.command()
@_guard
def chat(
    adapter: Optional[Path] = typer.Option(None, help="Adapter folder from `andraeus train`."),
    model: Optional[str] = typer.Option(None, help="Chat with a bare base model instead."),
    device: str = typer.Option("auto", help="auto, cpu or cuda."),
):
    """Chat interactively: each line is a question; empty line, 'exit' or Ctrl-D ends."""
    answerer = _answerer(adapter, model, device)
    console.print("ask about the person; an empty line or 'exit' ends", highlight=False)
    while True:
        try:
            q = input("you> ").strip()
        except EOFError:
            break
        if not q or q.lower() in ("exit", "quit"):
            break
        print(f"andraeus> {answerer.answer([q])[0]}", flush=True)


@app.command("eval")
@_guard
def eval_cmd(
    facts: Path = typer.Argument(..., help="The facts file the adapter was trained on."),
    adapter: Path = typer.Option(..., help="Adapter folder from `andraeus train`."),
    as_json: bool = typer.Option(False, "--json", help="Print the full summary as JSON."),
    probes: bool = typer.Option(True, help="Also measure locality, abstention and reversal."),
    questions: Optional[Path] = typer.Option(None, help="Your own held-out questions (YAML: fact_id -> list)."),
    never_given: Optional[Path] = typer.Option(None, help=NEVER_GIVEN_HELP),
    device: str = typer.Option("auto", help="auto, cpu or cuda."),
):
    """Accuracy on trained and held-out phrasings, per style family, with the answers that failed."""
    from .answer import Answerer, read_manifest
    from .evaluate import evaluate, probe_report, red_flags

    fs = _facts(facts)
    manifest = read_manifest(adapter)
    if manifest["facts_sha256"] != fs.sha256:
        console.print(f"[yellow]warning:[/yellow] {facts} differs from the facts this adapter was trained on")
    saved = json.loads((adapter / "phrasings.json").read_text())
    split = split_from_dict(saved, fs, str(adapter / "phrasings.json"))
    handwritten, left_out = without_leaks(split.train, load_questions(questions, fs) if questions else ())
    _print_left_out(left_out)
    yours = load_never_given(never_given, fs) if never_given else ()
    if yours and not probes:
        fail("--never-given is measured with the probes: leave out --no-probes")
    answerer = Answerer.from_adapter(adapter, device)
    summary, _ = evaluate(answerer, fs, split.train, split.heldout, handwritten)
    if probes:
        summary["probes"], _ = probe_report(answerer, fs, saved.get("abstain_train", []), yours)
    summary["red_flags"] = red_flags(summary)
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    print(f"trained phrasings:  {_pct(summary['train'])}")
    print(f"held-out phrasings: {_pct(summary['heldout'])}")
    if "handwritten" in summary:
        print(f"hand-written:       {_pct(summary['handwritten'])}")
    _print_as_written(summary)
    print("per style family:")
    for fam, acc in summary["families"].items():
        print(f"  {fam:<28} {acc['accuracy']:6.1%}  ({acc['questions']} questions)")
    if summary["failures"]:
        print(f"failed answers ({len(summary['failures'])}):")
        for r in summary["failures"]:
            print(f"  [{r['split']}/{r['family']}] {r['question']!r} -> {r['response']!r} (expected {r['expected']!r})")
    _print_beyond(summary)


@app.command()
@_guard
def sweep(
    facts: Path = typer.Argument(..., help="Facts file (.yaml, .json or .csv)."),
    out: Path = typer.Option(Path("runs/sweep"), help="Folder for cells, sweep.json and the report."),
    variations: str = typer.Option("1,5,10,20,30", "--variations", help="Comma-separated phrasing counts."),
    seeds: int = typer.Option(3, help="Training seeds per count."),
    match_steps: bool = typer.Option(False, help="Also train every count for the optimiser steps of the largest."),
    model: Optional[str] = typer.Option(None, help=f"Base model \\[default: {DEFAULT_MODEL}]."),
    config: Optional[Path] = typer.Option(None, help="YAML file of TrainConfig settings."),
    epochs: Optional[int] = typer.Option(None, help="Epochs \\[default: 5]."),
    questions: Optional[Path] = typer.Option(None, help="Also score your own held-out questions."),
    probes: bool = typer.Option(False, help="Also measure locality/abstention in every cell (slower)."),
):
    """The variation-count experiment: accuracy against phrasings per fact, with CIs; resumable."""
    from .sweep import estimate_steps, run_sweep, write_report
    from .train import TrainConfig

    counts = _counts(variations, "--variations")
    if not counts:
        fail("--variations needs positive counts, e.g. 1,5,10")
    flags = {"model": model, "epochs": epochs, "probes": probes}
    cfg = TrainConfig.from_yaml(config, **flags) if config else TrainConfig.create(
        {k: v for k, v in flags.items() if v is not None})
    fs = _facts(facts)
    handwritten = load_questions(questions, fs) if questions else ()
    steps = estimate_steps(len(fs), counts, cfg, match_steps) * seeds
    console.print(f"sweep: {len(set(counts))} counts x {seeds} seeds{' x 2 modes' if match_steps else ''}, "
                  f"about {steps} optimiser steps in all; finished cells in {out} are kept", highlight=False)
    rows = run_sweep(fs, out, counts, seeds, cfg, match_steps, handwritten, log=lambda m: console.print(m))
    paths = write_report(rows, out)
    print(paths["markdown"].read_text())
    console.print(f"report: {paths['markdown']}, {paths['html']}, {paths['png']}", highlight=False)


@app.command()
@_guard
def compare(
    facts: Optional[Path] = typer.Argument(None, help="Facts file (.yaml, .json or .csv); not needed with --scale."),
    adapter: Optional[Path] = typer.Option(None, help="Adapter trained on FACTS: adds the fine-tuned arms."),
    model: Optional[str] = typer.Option(None, help=f"Base model when no adapter is given \\[default: {DEFAULT_MODEL}]."),
    questions: Optional[Path] = typer.Option(None, help="Held-out questions (YAML: fact_id -> list); default: generated."),
    out: Path = typer.Option(Path("runs/compare"), help="Folder for compare.json and the report."),
    k: int = typer.Option(3, help="Facts retrieved per question."),
    retrievers: str = typer.Option("minilm,bm25", help="Comma-separated: minilm, bm25."),
    probes: bool = typer.Option(True, help="Also measure locality and abstention per arm."),
    scale: Optional[str] = typer.Option(None, help="Instead: synthetic fact counts, e.g. 10,30,100,300,1000."),
    scale_questions: int = typer.Option(30, help="Held-out questions sampled per size with --scale."),
    scale_train: Optional[str] = typer.Option(
        None, help="With --scale: also train an adapter at these sizes (e.g. 10,30,100) for the fine-tuned arms; "
                   "kept in OUT/adapters and reused when rerun."),
    device: str = typer.Option("auto", help="auto, cpu or cuda."),
):
    """Base model vs facts in the system prompt vs retrieval vs the adapter, on the same questions.

    With --scale, the arms run on synthetic fact sets of each size (FACTS is then unused)."""
    from .answer import Answerer, read_manifest
    from .compare import CompareConfig, compare as run_compare, scale_study, write_compare_report, write_scale_report

    cfg = CompareConfig(k=k, retrievers=tuple(r.strip() for r in retrievers.split(",") if r.strip()), probes=probes)
    if scale:
        from .train import TrainConfig

        sizes, trained = _counts(scale, "--scale"), _counts(scale_train or "", "--scale-train")
        if set(trained) - set(sizes):
            fail(f"--scale-train sizes {sorted(set(trained) - set(sizes))} are not among the --scale sizes")
        answerer = Answerer.from_model(model or DEFAULT_MODEL, device)
        cfg.probes = False
        rows = scale_study(answerer, sizes, scale_questions, cfg, log=lambda m: console.print(m, highlight=False),
                           train_sizes=trained, adapters_dir=out / "adapters",
                           train_config=TrainConfig(model=model or DEFAULT_MODEL, device=device))
        out.mkdir(parents=True, exist_ok=True)
        (out / "scale.json").write_text(json.dumps(rows, indent=1))
        paths = write_scale_report(rows, out)
        print(paths["markdown"].read_text())
        console.print(f"report: {paths['markdown']}, {paths['html']}, {paths['png']}", highlight=False)
        return
    if facts is None:
        fail("give a facts file, or --scale for synthetic ones")
    fs = _facts(facts)
    train_s = None
    if adapter:
        if model:
            fail("give --adapter or --model, not both (an adapter names its own base model)")
        manifest = read_manifest(adapter)
        if manifest["facts_sha256"] != fs.sha256:
            fail(f"{adapter} was trained on other facts than {facts}")
        answerer, train_s = Answerer.from_adapter(adapter, device), manifest["timings"]["train_s"]
        split = split_from_dict(json.loads((adapter / "phrasings.json").read_text()), fs)
    else:
        answerer = Answerer.from_model(model or DEFAULT_MODEL, device)
        split = make_split(fs)  # the held-out phrasings a default adapter would have
    held, left_out = without_leaks(split.train, load_questions(questions, fs) if questions else split.heldout)
    _print_left_out(left_out)
    results = run_compare(fs, answerer, held, cfg, has_adapter=adapter is not None, train_s=train_s,
                          log=lambda m: console.print(m, highlight=False))
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(results, indent=1))
    paths = write_compare_report(results, out)
    print(paths["markdown"].read_text())
    console.print(f"report: {paths['markdown']}, {paths['html']}, {paths['png']}", highlight=False)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
