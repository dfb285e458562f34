"""The GPU path's accuracy: adapters trained with the defaults on CUDA (a bf16 model), scored on the same
people's hand-written questions, same seeds and same gate as CPU-trained ones (bench/gate_study.py).

A lent GPU machine cannot be sent the gate's sentence encoder beside the built-in model (it is sent at
most 64 MiB), but the gate's routes read only the training phrasings, which the facts and the seed fix
before any training. So the study runs in three steps:
  plan   (here)     route every question gate_study asks, for each person and seed; write the texts to answer
  run    (the GPU)  train each adapter with the defaults, answer the planned texts, write replies and timings
  score  (here)     route again (checking the phrasings are still the planned ones), score the replies as
                    gate_study does and print its table ("served" row)

  .venv/bin/python bench/gpu_accuracy.py plan JOBS.json --people twentyfirst twentysecond --seeds 0,1,2
  python3 bench/gpu_accuracy.py run JOBS.json REPLIES.json [--budget-s 400] [--work DIR] [--model NAME]
  .venv/bin/python bench/gpu_accuracy.py score JOBS.json REPLIES.json

`run` starts no new adapter once --budget-s seconds have passed, and rewrites REPLIES.json after each
one, so a run cut short keeps what it finished. It checks that each adapter trained on the planned
phrasings (their SHA-256), since the plan's routes are only right for those.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import statistics
import time
from pathlib import Path

from andraeus.facts import load_facts
from andraeus.probes import unknown_questions
from andraeus.train import TrainConfig, phrasings_record
from andraeus.variations import make_split

ROOT = Path(__file__).resolve().parent.parent


def phrasings_sha(saved: dict) -> str:
    """What fixes the routes: the training and held-out phrasings."""
    return hashlib.sha256(json.dumps([saved["train"], saved["heldout"]], sort_keys=True).encode()).hexdigest()


def planned_phrasings(facts, seed: int) -> dict:
    """The phrasings.json a default adapter of this seed will have."""
    config = TrainConfig(seed=seed)
    split = make_split(facts, config.variations, seed, config.heldout_per_fact)
    return phrasings_record(facts, split, unknown=unknown_questions(facts))


def served_plan(name: str, seed: int):
    """gate_study's plan, served way only, for a default adapter of this person and seed."""
    from gate_routes import MARGIN, people
    from gate_study import plan

    facts_path, held, never = people()[name]
    facts = load_facts(facts_path)
    saved = planned_phrasings(facts, seed)
    return facts, saved, plan(saved, dataclasses.asdict(TrainConfig(seed=seed)), facts, MARGIN, held, never,
                              ways=["served"])


def do_plan(jobs_path: Path, names: list[str], seeds: list[int]) -> None:
    from gate_routes import people

    jobs = []
    for seed in seeds:  # seed-major: a run cut short still has every person
        for name in names:
            facts, saved, p = served_plan(name, seed)
            on, off = p.texts()
            jobs.append({"name": name, "facts": str(people()[name][0].relative_to(ROOT)), "seed": seed,
                         "phrasings_sha256": phrasings_sha(saved), "adapter": on, "base": off})
            print(f"{name} seed {seed}: {len(on)} texts for the adapter, {len(off)} for the base model")
    jobs_path.write_text(json.dumps(jobs, indent=1))


def do_run(jobs_path: Path, replies_path: Path, budget_s: float, work: Path, model: str | None = None) -> None:
    import torch

    from andraeus.answer import Answerer
    from andraeus.train import train

    start = time.perf_counter()
    done = []
    for job in json.loads(jobs_path.read_text()):
        if time.perf_counter() - start > budget_s:
            print(f"budget of {budget_s:.0f} s spent: {job['name']} seed {job['seed']} and later not run")
            break
        out = work / f"{job['name']}_s{job['seed']}"
        manifest = train(load_facts(ROOT / job["facts"]), out, TrainConfig.create({"seed": job["seed"]} | ({"model": model} if model else {})),
                         overwrite=True, progress=False, evaluate_after=False)
        saved = json.loads((out / "phrasings.json").read_text())
        t0 = time.perf_counter()
        answerer = Answerer.from_adapter(out, gate=None)
        replies = {"adapter": dict(zip(job["adapter"], answerer.answer(job["adapter"]))),
                   "base": dict(zip(job["base"], answerer.answer(job["base"], use_adapter=False)))}
        answer_s = time.perf_counter() - t0
        del answerer
        torch.cuda.empty_cache() if torch.cuda.is_available() else None
        t = manifest["training"]
        record = {"name": job["name"], "seed": job["seed"],
                  "phrasings_match": phrasings_sha(saved) == job["phrasings_sha256"],
                  "device": manifest["device"], "dtype": manifest["dtype"], "timings": manifest["timings"],
                  "answer_s": round(answer_s, 2), "steps": t["steps"], "tokens": t["tokens"],
                  "tokens_per_s": manifest["tokens_per_s"], "peak_memory_mb": manifest["peak_memory_mb"],
                  "versions": manifest["versions"], "replies": replies}
        done.append(record)
        replies_path.write_text(json.dumps(done, indent=1))
        print(f"{job['name']} seed {job['seed']}: trained {t['steps']} steps in {manifest['timings']['train_s']} s "
              f"({manifest['tokens_per_s']} tokens/s, peak {manifest['peak_memory_mb']:.0f} MiB) on "
              f"{manifest['device']} {manifest['dtype']}; answered {len(job['adapter']) + len(job['base'])} texts in "
              f"{answer_s:.1f} s; phrasings as planned: {record['phrasings_match']}", flush=True)


def do_score(jobs_path: Path, replies_path: Path) -> None:
    from gate_study import print_table, score

    planned = {(j["name"], j["seed"]): j["phrasings_sha256"] for j in json.loads(jobs_path.read_text())}
    runs: dict[str, list] = {}
    for r in json.loads(replies_path.read_text()):
        facts, saved, p = served_plan(r["name"], r["seed"])
        if not r["phrasings_match"] or phrasings_sha(saved) != planned[(r["name"], r["seed"])]:
            # the routes replayed here would not be the ones the replies answer
            print(f"{r['name']} seed {r['seed']}: phrasings trained, planned and replayed differ; left out")
            continue
        row, _ = score(p, r["replies"], facts)
        runs.setdefault(r["name"], []).append((r, row))
    for name, rs in runs.items():
        seeds = ", ".join(str(r["seed"]) for r, _ in rs)
        print(f"== {name}, seeds {seeds}: trained on {rs[0][0]['device']} ({rs[0][0]['dtype']})")
        for key in ("load_s", "train_s"):
            print(f"  {key:<24} {statistics.mean(r['timings'][key] for r, _ in rs):7.1f}  "
                  f"[{' / '.join(str(r['timings'][key]) for r, _ in rs)}]")
        print(f"  {'answer_s':<24} {statistics.mean(r['answer_s'] for r, _ in rs):7.1f}  "
              f"[{' / '.join(str(r['answer_s']) for r, _ in rs)}]")
        print(f"  {'tokens/s':<24} {statistics.mean(r['tokens_per_s'] for r, _ in rs):7.1f}  "
              f"peak memory {max(r['peak_memory_mb'] for r, _ in rs):.0f} MiB, {rs[0][0]['steps']} steps")
        print_table([row for _, row in rs])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="step", required=True)
    p = sub.add_parser("plan")
    p.add_argument("jobs", type=Path)
    p.add_argument("--people", nargs="+", required=True,
                   help="names as bench/gate_routes.py knows them (maya, second, ...)")
    p.add_argument("--seeds", type=lambda s: [int(x) for x in s.split(",")], default=[0, 1, 2])
    r = sub.add_parser("run")
    r.add_argument("jobs", type=Path)
    r.add_argument("replies", type=Path)
    r.add_argument("--budget-s", type=float, default=400.0, help="start no new adapter after this many seconds")
    r.add_argument("--work", type=Path, default=Path("/tmp/gpu_accuracy"), help="where the adapters are written")
    r.add_argument("--model", help="another base model (tiny-random: a smoke test of this script); default the built-in")
    s = sub.add_parser("score")
    s.add_argument("jobs", type=Path)
    s.add_argument("replies", type=Path)
    args = ap.parse_args()
    if args.step == "plan":
        do_plan(args.jobs, args.people, args.seeds)
    elif args.step == "run":
        do_run(args.jobs, args.replies, args.budget_s, args.work, args.model)
    else:
        do_score(args.jobs, args.replies)


if __name__ == "__main__":
    main()
