"""Side by side: base model, facts in the system prompt, retrieval, the adapter, adapter + retrieval.

Every arm answers the same held-out questions on the same base model and is scored by the same
scorer. Per arm: accuracy with a 95% CI (bootstrap over facts), the paired difference against the
fine-tuned arm, locality, abstention, latency per answer, prompt tokens (context consumed),
peak memory and one-time cost. An arm whose prompts do not fit the model's context window is
reported as such, not run.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import torch

from .answer import Answerer
from .baselines import facts_system_prompt, make_retriever
from .evaluate import bootstrap_ci, per_fact, score_responses
from .facts import FactSet
from .probes import abstain_questions, classify_abstention, general_questions, score_probe
from .report import pct, pyplot, write_markdown_and_html
from .variations import Phrasing


@dataclass
class CompareConfig:
    """How the arms are run."""

    k: int = 3
    """Facts retrieved per question in the retrieval arms."""
    retrievers: tuple[str, ...] = ("minilm", "bm25")
    """Retrievers to compare: minilm (embeddings) and/or bm25 (lexical)."""
    latency_sample: int = 12
    """Questions answered one at a time per arm to measure latency (p50, p95)."""
    probes: bool = True
    """Also measure locality and abstention in every arm."""
    seed: int = 0
    """Seeds the latency sample."""


@dataclass
class Arm:
    """One way of answering: a system message per question (or None) and the adapter on or off."""

    name: str
    adapter: bool
    system_for: object  # callable: list of questions -> list of system messages (or Nones)
    one_time_s: float = 0.0
    retriever: object | None = None
    notes: list[str] = field(default_factory=list)


class PeakRSS:
    """Peak resident memory of this process while the block runs (sampled every 10 ms; CUDA: allocator peak)."""

    def __enter__(self):
        self.peak, self._stop = _rss_mb(), threading.Event()
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        if torch.cuda.is_available():
            self.peak = torch.cuda.max_memory_allocated() / 2**20


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            import os

            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: fall back to the lifetime peak
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_arms(facts: FactSet, config: CompareConfig, has_adapter: bool, train_s: float | None) -> list[Arm]:
    all_facts = facts_system_prompt(facts.facts)
    arms = [Arm("base", False, lambda qs: [None] * len(qs)),
            Arm("system prompt", False, lambda qs: [all_facts] * len(qs))]
    retrievers = {kind: make_retriever(kind, facts) for kind in config.retrievers}

    def retrieved(r):
        return lambda qs: [facts_system_prompt([facts.facts[i] for i in top]) for top in r.top_k(qs, config.k)]

    for kind, r in retrievers.items():
        arms.append(Arm(f"retrieval ({kind}, k={config.k})", False, retrieved(r), r.build_s, r))
    if has_adapter:
        arms.append(Arm("fine-tuned", True, lambda qs: [None] * len(qs), train_s or 0.0))
        first = next(iter(retrievers.values()), None)
        if first is not None:
            arms.append(Arm(f"fine-tuned + retrieval ({first.name})", True, retrieved(first),
                            (train_s or 0.0) + first.build_s, first))
    return arms


def _context_limit(answerer: Answerer) -> int:
    cfg = answerer.model.config
    return int(getattr(cfg, "max_position_embeddings", 0) or 10**9)


def run_arm(arm: Arm, answerer: Answerer, facts: FactSet, questions: Sequence[Phrasing],
            config: CompareConfig, base_ok: Sequence[bool] = ()) -> dict:
    """Accuracy, probes, latency, context and memory of one arm."""
    texts = [p.text for p in questions]
    systems = arm.system_for(texts)
    prompts = answerer.prompts(texts, systems)
    tokens = [len(p) for p in prompts]
    limit = _context_limit(answerer)
    out: dict = {"arm": arm.name, "prompt_tokens": statistics.mean(tokens), "max_prompt_tokens": max(tokens),
                 "context_limit": limit, "one_time_s": arm.one_time_s}
    if max(tokens) + answerer.max_new_tokens > limit:
        out["fits"] = False
        out["notes"] = [f"prompts of up to {max(tokens)} tokens do not fit the {limit}-token context window"]
        return out
    out["fits"] = True
    with PeakRSS() as mem:
        responses = answerer.answer(texts, use_adapter=arm.adapter, systems=systems)
        rows = score_responses(facts, questions, responses, "heldout")
        out["latency_s"] = _latency(arm, answerer, texts, config)
        if config.probes:
            out |= _probes(arm, answerer, facts, base_ok)
    out["peak_memory_mb"] = mem.peak
    scores = per_fact(rows)
    out["per_fact"] = scores
    out["accuracy"] = statistics.mean(scores.values())
    out["ci95"] = list(bootstrap_ci(list(scores.values())))
    if arm.retriever is not None:
        top = arm.retriever.top_k(texts, config.k)
        ids = [[facts.facts[i].id for i in t] for t in top]
        out["retrieval_hit_rate"] = statistics.mean(p.fact_id in got for p, got in zip(questions, ids))
    out["answers"] = [{"fact_id": p.fact_id, "question": p.text, "response": r.response, "correct": r.correct}
                      for p, r in zip(questions, rows)]
    return out


def _latency(arm: Arm, answerer: Answerer, texts: Sequence[str], config: CompareConfig) -> dict:
    sample = random.Random(config.seed).sample(list(texts), min(config.latency_sample, len(texts)))
    times = []
    for q in sample:
        start = time.perf_counter()
        answerer.answer([q], use_adapter=arm.adapter, systems=arm.system_for([q]))
        times.append(time.perf_counter() - start)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
            "n": len(times)}


def _probes(arm: Arm, answerer: Answerer, facts: FactSet, base_ok: Sequence[bool]) -> dict:
    """Locality against the base model's right answers (`base_ok`, computed once), and abstention."""
    general = general_questions()
    gq = [p.question for p in general]
    mine = answerer.answer(gq, use_adapter=arm.adapter, systems=arm.system_for(gq))
    kept = sum(b and score_probe(p, a) for p, a, b in zip(general, mine, base_ok))
    abstain = [p.question for p in abstain_questions(facts)]
    replies = answerer.answer(abstain, use_adapter=arm.adapter, systems=arm.system_for(abstain))
    outcomes = [classify_abstention(r, facts) for r in replies]
    n = len(outcomes) or 1
    return {"locality": kept / sum(base_ok) if sum(base_ok) else None,
            "declined": outcomes.count("declined") / n, "confused": outcomes.count("confused") / n}


def paired_difference(arm: dict, reference: dict, seed: int = 0) -> tuple[float, list[float]] | None:
    """Mean per-fact difference (arm - reference) with a bootstrap 95% CI over facts."""
    if "per_fact" not in arm or "per_fact" not in reference:
        return None
    facts = sorted(set(arm["per_fact"]) & set(reference["per_fact"]))
    diffs = [arm["per_fact"][f] - reference["per_fact"][f] for f in facts]
    return statistics.mean(diffs), list(bootstrap_ci(diffs, seed=seed))


def compare(facts: FactSet, answerer: Answerer, questions: Sequence[Phrasing], config: CompareConfig | None = None,
            has_adapter: bool = False, train_s: float | None = None, log=print) -> list[dict]:
    """Run every arm; returns one result per arm (with the paired difference against fine-tuned)."""
    config = config or CompareConfig()
    base_ok: list[bool] = []
    if config.probes:  # the base model's general answers: the same for every arm, so asked once
        general = general_questions()
        base_ok = [score_probe(p, a) for p, a in zip(general, answerer.answer([p.question for p in general],
                                                                            use_adapter=False))]
    results = []
    for arm in build_arms(facts, config, has_adapter, train_s):
        log(f"compare: {arm.name}")
        results.append(run_arm(arm, answerer, facts, questions, config, base_ok))
    ft = next((r for r in results if r["arm"] == "fine-tuned"), None)
    for r in results:
        r["vs_fine_tuned"] = paired_difference(r, ft) if ft and r is not ft else None
    return results


def recommendation(results: Sequence[dict]) -> str:
    """A plain answer to "which approach should I use?", from the figures above it."""
    ran = [r for r in results if r.get("fits") and r["arm"] != "base"]
    if not ran:
        return "No arm ran."
    best = max(ran, key=lambda r: r["accuracy"])
    tied = [r for r in ran if r is not best and r["ci95"][1] >= best["ci95"][0]]
    cheapest = min([best, *tied], key=lambda r: r["prompt_tokens"])
    text = f"Highest held-out accuracy: {best['arm']} ({best['accuracy']:.1%})."
    if tied:
        text += (f" Its 95% interval overlaps {', '.join(r['arm'] for r in tied)}; of those, "
                 f"{cheapest['arm']} uses the least context ({cheapest['prompt_tokens']:.0f} prompt tokens per question).")
    return text


def write_compare_report(results: Sequence[dict], out: str | Path, title: str = "andraeus compare") -> dict[str, Path]:
    out = Path(out)
    md = [f"# {title}", "", "Same held-out questions, same scorer, same base model. Accuracy is the mean over facts; "
          "the 95% CI and the paired difference against the fine-tuned arm are bootstraps over facts.", "",
          "| arm | accuracy | 95% CI | vs fine-tuned | retriever hits | locality | declined / confused (never-given) "
          "| latency p50 / p95 | prompt tokens | peak memory | one-time cost |",
          "|---|---:|---|---|---:|---:|---|---|---:|---:|---:|"]
    for r in results:
        if not r.get("fits"):
            md.append(f"| {r['arm']} | does not fit | | | | | | | {r['max_prompt_tokens']} (limit {r['context_limit']}) | | |")
            continue
        diff = r.get("vs_fine_tuned")
        d = f"{diff[0]:+.1%} [{diff[1][0]:+.1%}, {diff[1][1]:+.1%}]" if diff else ""
        hits = pct(r["retrieval_hit_rate"]) if "retrieval_hit_rate" in r else ""
        probes = (f"{pct(r.get('locality'))} | {r['declined']:.0%} / {r['confused']:.0%}"
                  if "declined" in r else " | ")
        lat = r["latency_s"]
        md.append(f"| {r['arm']} | {r['accuracy']:.1%} | {r['ci95'][0]:.1%}–{r['ci95'][1]:.1%} | {d} | {hits} | "
                  f"{probes} | {lat['p50']:.2f} s / {lat['p95']:.2f} s | {r['prompt_tokens']:.0f} | "
                  f"{r['peak_memory_mb']:.0f} MiB | {r['one_time_s']:.1f} s |")
    md += ["", f"**Which should I use?** {recommendation(results)}", ""]
    png = Path(out) / "compare.png"
    _plot(results, png)
    md += [f"![accuracy per arm]({png.name})", ""]
    return write_markdown_and_html("\n".join(md), out, title) | {"png": png}


def _plot(results: Sequence[dict], path: Path) -> None:
    plt = pyplot()
    ran = [r for r in results if r.get("fits")]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ys = [r["accuracy"] for r in ran]
    err = [[r["accuracy"] - r["ci95"][0] for r in ran], [r["ci95"][1] - r["accuracy"] for r in ran]]
    ax.bar(range(len(ran)), ys, yerr=err, capsize=4, color="#4a7fb5")
    ax.set_xticks(range(len(ran)), [r["arm"] for r in ran], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("held-out accuracy (95% CI)")
    ax.set_ylim(0, 1.05)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def scale_study(answerer: Answerer, sizes: Sequence[int], questions_per_size: int = 30,
                config: CompareConfig | None = None, log=print, train_sizes: Sequence[int] = (),
                adapters_dir: str | Path | None = None, train_config=None) -> list[dict]:
    """The arms on synthetic fact sets of growing size: accuracy, latency and context per size.

    At the sizes in `train_sizes` an adapter is also trained (`train_config`, default the guide's
    recipe) and the fine-tuned arms join; adapters are kept under `adapters_dir` and reused when a
    finished one is there (training takes minutes to hours per size on a CPU)."""
    from dataclasses import replace

    from .answer import MANIFEST, read_manifest
    from .synth import synthetic_facts
    from .train import TrainConfig, train
    from .variations import make_split

    config = config or CompareConfig(probes=False)
    tc = replace(train_config or TrainConfig(), probes=False)
    if train_sizes and adapters_dir is None:
        raise ValueError("train_sizes needs adapters_dir, where the adapters are kept")
    rows = []
    for n in sizes:
        facts = synthetic_facts(n, seed=config.seed)
        split = make_split(facts, tc.variations, tc.seed, tc.heldout_per_fact)  # the adapter's own split
        held = random.Random(config.seed).sample(list(split.heldout), min(questions_per_size, len(split.heldout)))
        arm_answerer, train_s = answerer, None
        if n in train_sizes:
            folder = Path(adapters_dir) / f"{n}-facts"
            if not (folder / MANIFEST).exists():
                log(f"scale {n}: training an adapter ({len(split.train)} examples x {tc.epochs} epochs)")
                train(facts, folder, tc, split=split, overwrite=True, evaluate_after=False)
            arm_answerer = Answerer.from_adapter(folder, str(answerer.device))
            train_s = read_manifest(folder)["timings"]["train_s"]
        for r in compare(facts, arm_answerer, held, config, has_adapter=n in train_sizes, train_s=train_s,
                         log=lambda m: log(f"scale {n}: {m}")):
            rows.append({"facts": n, **{k: v for k, v in r.items() if k != "per_fact"}})
    return rows


def write_scale_report(rows: Sequence[dict], out: str | Path) -> dict[str, Path]:
    out = Path(out)
    md = ["# andraeus compare --scale", "", "Synthetic fact sets (`andraeus.synth`), the same arms at every size. "
          "Accuracy is the mean over facts of the sampled held-out questions.", "",
          "| facts | arm | accuracy | 95% CI | retriever hits | latency p50 | prompt tokens | one-time s | fits the context |",
          "|---:|---|---:|---|---:|---:|---:|---:|---|"]
    for r in rows:
        if not r.get("fits"):
            md.append(f"| {r['facts']} | {r['arm']} | | | | | {r['max_prompt_tokens']} | | "
                      f"no (limit {r['context_limit']}) |")
            continue
        hits = pct(r["retrieval_hit_rate"]) if "retrieval_hit_rate" in r else ""
        md.append(f"| {r['facts']} | {r['arm']} | {r['accuracy']:.1%} | {r['ci95'][0]:.1%}–{r['ci95'][1]:.1%} | {hits} | "
                  f"{r['latency_s']['p50']:.2f} s | {r['prompt_tokens']:.0f} | {r['one_time_s']:.1f} | yes |")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for arm in dict.fromkeys(r["arm"] for r in rows):
        pts = [r for r in rows if r["arm"] == arm and r.get("fits")]
        ax.plot([r["facts"] for r in pts], [r["accuracy"] for r in pts], marker="o", label=arm)
    ax.set_xscale("log")
    ax.set_xlabel("facts")
    ax.set_ylabel("held-out accuracy")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "scale.png", dpi=120)
    plt.close(fig)
    md += ["", "![accuracy against fact count](scale.png)", ""]
    return write_markdown_and_html("\n".join(md), out, "andraeus compare --scale") | {"png": out / "scale.png"}
