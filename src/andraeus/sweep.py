"""The variation-count experiment: one adapter per (count, seed), all scored on the same held-out set.

Held-out phrasings are made against the training phrasings of the largest count; training
phrasings for a smaller count are a prefix of those, so no cell ever trains on an evaluation
phrasing. With `match_steps`, every count also trains for the optimiser steps of the largest count,
so phrasing diversity is not confounded with training length. Finished cells are not redone.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Sequence

from .evaluate import bootstrap_ci, red_flags
from .facts import FactSet, normalise_question
from .report import pyplot, write_markdown_and_html
from .train import TrainConfig, steps_per_epoch, train
from .variations import Phrasing, Split, check_leaks, heldout_phrasings, training_phrasings


@dataclass(frozen=True)
class Cell:
    """One training run of the sweep."""

    count: int
    seed: int
    mode: str  # "same-epochs" or "same-steps"

    @property
    def name(self) -> str:
        return f"n{self.count}-s{self.seed}-{self.mode}"


def sweep_splits(facts: FactSet, counts: Sequence[int], seed: int, heldout_per_fact: int) -> dict[int, Split]:
    """Per count, the training phrasings (a prefix of the largest count's) and one shared held-out set."""
    top = max(counts)
    train_top = {f.id: training_phrasings(f, top, seed, facts.person) for f in facts}
    every = {normalise_question(p.text) for ps in train_top.values() for p in ps}
    heldout = tuple(p for f in facts for p in heldout_phrasings(
        f, [p.text for p in train_top[f.id]], heldout_per_fact, seed, facts.person, every))
    splits = {}
    for c in counts:
        split = Split(tuple(p for f in facts for p in train_top[f.id][:c]), heldout)
        check_leaks(split)
        splits[c] = split
    return splits


def run_sweep(facts: FactSet, out: str | Path, counts: Sequence[int], seeds: int, base: TrainConfig,
              match_steps: bool = False, handwritten: Sequence[Phrasing] = (), log=print) -> list[dict]:
    """Train every missing cell and return one row per cell (finished cells are read back)."""
    out = Path(out)
    (out / "cells").mkdir(parents=True, exist_ok=True)
    counts = sorted(set(counts))
    # the experiment is the adapter's own reading of new wordings, so no anchoring to a trained one
    base = replace(base, anchor=False, decline_unknown=False, judge=False)
    _check_same_sweep(out, facts, counts, base)
    modes = ["same-epochs"] + (["same-steps"] if match_steps else [])
    target_steps = steps_per_epoch(len(facts) * max(counts), base) * base.epochs
    rows = []
    for seed in range(base.seed, base.seed + seeds):
        splits = sweep_splits(facts, counts, seed, base.heldout_per_fact)
        for mode in modes:
            for count in counts:
                cell = Cell(count, seed, mode)
                folder = out / "cells" / cell.name
                if mode == "same-steps" and count == max(counts):
                    # the largest count already trains for exactly these steps: the same run
                    folder = out / "cells" / Cell(count, seed, "same-epochs").name
                elif not (folder / "manifest.json").exists():
                    steps = target_steps if mode == "same-steps" else None
                    cfg = replace(base, variations=count, seed=seed, max_steps=steps)
                    log(f"sweep: training {cell.name} ({len(splits[count].train)} examples)")
                    train(facts, folder, cfg, split=splits[count], overwrite=True, handwritten=handwritten)
                else:
                    log(f"sweep: {cell.name} already done")
                rows.append(_row(cell, folder))
    (out / "sweep.json").write_text(json.dumps(rows, indent=1))
    return rows


def _check_same_sweep(out: Path, facts: FactSet, counts: Sequence[int], base: TrainConfig) -> None:
    """Finished cells are reused only by a sweep that would train them identically: same facts, same
    settings and the same largest count (it fixes the held-out set and the same-steps length)."""
    key = {"facts_sha256": facts.sha256, "largest_count": max(counts),
           "config": {k: v for k, v in asdict(base).items() if k not in ("seed", "variations", "probes")}}
    path = out / "sweep_config.json"
    if path.exists():
        old = json.loads(path.read_text())
        if old != json.loads(json.dumps(key)):
            changed = [k for k in key if old.get(k) != json.loads(json.dumps(key[k]))]
            raise ValueError(f"{out} holds a sweep with other {', '.join(changed)} (its finished cells would not "
                             "be comparable); choose another --out")
    else:
        path.write_text(json.dumps(key, indent=1))


def _row(cell: Cell, folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text())
    per_fact = json.loads((folder / "eval.json").read_text())["summary"]["per_fact"]
    return {"count": cell.count, "seed": cell.seed, "mode": cell.mode,
            "heldout": manifest["eval"]["heldout"]["accuracy"],
            "handwritten": manifest["eval"].get("handwritten", {}).get("accuracy"),
            "train": manifest["eval"]["train"]["accuracy"],
            "train_s": manifest["timings"]["train_s"], "steps": manifest["training"]["steps"],
            "per_fact": per_fact}


def aggregate(rows: Sequence[dict], metric: str = "heldout") -> list[dict]:
    """Per (mode, count): mean over seeds, seed sd, per-seed values, CI by bootstrap over facts."""
    out = []
    for mode in dict.fromkeys(r["mode"] for r in rows):
        base_time = None
        for count in sorted({r["count"] for r in rows if r["mode"] == mode}):
            cell_rows = [r for r in rows if r["mode"] == mode and r["count"] == count]
            values = [r[metric] for r in cell_rows if r[metric] is not None]
            if not values:
                continue
            facts = cell_rows[0]["per_fact"][metric]
            # a fact's score, averaged over seeds; the interval resamples facts
            fact_means = [statistics.mean(r["per_fact"][metric][f] for r in cell_rows) for f in facts]
            lo, hi = bootstrap_ci(fact_means)
            seconds = statistics.mean(r["train_s"] for r in cell_rows)
            base_time = base_time or seconds
            out.append({"mode": mode, "count": count, "mean": statistics.mean(values),
                        "sd": statistics.stdev(values) if len(values) > 1 else 0.0, "per_seed": values,
                        "ci95": [lo, hi], "train_s": seconds, "time_x": seconds / base_time,
                        "steps": cell_rows[0]["steps"],
                        "train_acc": statistics.mean(r["train"] for r in cell_rows),
                        "red_flags": red_flags({"heldout": {"accuracy": statistics.mean(values)},
                                                "train": {"accuracy": statistics.mean(r["train"] for r in cell_rows)}},
                                               seed_accuracies=values)})
    return out


GUIDE = {1: 0.67, 5: 0.82, 10: 0.92, 20: 0.92, 30: 0.93}  # the guide's claimed table (Qwen2.5-7B, 100 facts)


def write_report(rows: Sequence[dict], out: str | Path, title: str = "Variation-count sweep") -> dict[str, Path]:
    """Markdown, HTML and a PNG plot of accuracy against count with 95% intervals."""
    out = Path(out)
    metrics = ["heldout"] + (["handwritten"] if any(r.get("handwritten") is not None for r in rows) else [])
    tables = {m: aggregate(rows, m) for m in metrics}
    md = [f"# {title}", "", f"{len({r['seed'] for r in rows})} seed(s); accuracy is the mean over facts; "
          "the 95% CI is a bootstrap over facts (per-fact scores averaged over seeds); ± is the sd across seeds.", ""]
    for metric, agg in tables.items():
        for mode in dict.fromkeys(a["mode"] for a in agg):
            md += [f"## {metric} accuracy, {mode}", "",
                   "| variations | accuracy | 95% CI | ± sd (seeds) | per seed | trained-phrasing acc. | steps | training time | guide's claim | red flags |",
                   "|---:|---:|---|---:|---|---:|---:|---:|---:|---|"]
            for a in (x for x in agg if x["mode"] == mode):
                guide = f"{GUIDE[a['count']]:.0%}" if a["count"] in GUIDE else ""
                md.append(
                    f"| {a['count']} | {a['mean']:.1%} | {a['ci95'][0]:.1%}–{a['ci95'][1]:.1%} | {a['sd']:.1%} | "
                    f"{', '.join(f'{v:.0%}' for v in a['per_seed'])} | {a['train_acc']:.1%} | {a['steps']} | "
                    f"{a['time_x']:.1f}x ({a['train_s']:.0f} s) | {guide} | {'; '.join(a['red_flags']) or 'none'} |")
            md.append("")
    png = out / "sweep.png"
    _plot(tables, png)
    md += [f"![accuracy against variation count]({png.name})", ""]
    return write_markdown_and_html("\n".join(md), out, title) | {"png": png}


def _plot(tables: dict[str, list[dict]], path: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for metric, agg in tables.items():
        for mode in dict.fromkeys(a["mode"] for a in agg):
            pts = [a for a in agg if a["mode"] == mode]
            xs = [a["count"] for a in pts]
            ys = [a["mean"] for a in pts]
            err = [[a["mean"] - a["ci95"][0] for a in pts], [a["ci95"][1] - a["mean"] for a in pts]]
            ax.errorbar(xs, ys, yerr=err, marker="o", capsize=4, label=f"{metric}, {mode}")
    ax.plot(list(GUIDE), list(GUIDE.values()), "k:", marker="x", label="guide's claim (unmeasured)")
    ax.set_xlabel("training phrasings per fact")
    ax.set_ylabel("accuracy (95% CI over facts)")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def estimate_steps(n_facts: int, counts: Sequence[int], base: TrainConfig, match_steps: bool) -> int:
    """Optimiser steps a sweep takes per seed (shown before it starts)."""
    same = sum(steps_per_epoch(n_facts * c, base) * base.epochs for c in set(counts))
    top = steps_per_epoch(n_facts * max(counts), base) * base.epochs
    return same + (top * len(set(counts)) if match_steps else 0)
