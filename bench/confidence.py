"""Does the model's confidence separate never-given questions from known ones?

Prints (mean token log-probability, outcome) for hand-written, generated held-out, never-given and
general questions, sorted by confidence. Run: .venv/bin/python bench/confidence.py ADAPTER_DIR
"""
import sys, json
from andraeus.answer import Answerer
from andraeus.facts import load_facts
from andraeus.variations import load_questions, split_from_dict
from andraeus.probes import abstain_questions, classify_abstention, general_questions
from andraeus.scoring import is_correct
ad = sys.argv[1]
fs = load_facts("examples/facts.yaml")
a = Answerer.from_adapter(ad, "cpu")
hw = load_questions("examples/heldout_handwritten.yaml", fs)
saved = json.loads(open(f"{ad}/phrasings.json").read())
split = split_from_dict(saved, fs)
ab = abstain_questions(fs, saved.get("abstain_train", []))
gen = general_questions()
def show(name, qs, judge):
    res = a.answer_scored(qs)
    rows = [(c, judge(i, t)) for i, (t, c) in enumerate(res)]
    print(name, [(round(c,2), j) for c, j in sorted(rows)])
    return rows
r1 = show("handwritten", [p.text for p in hw], lambda i,t: is_correct(t, fs.by_id(hw[i].fact_id).answer, fs.by_id(hw[i].fact_id).aliases))
r2 = show("heldout", [p.text for p in split.heldout], lambda i,t: is_correct(t, fs.by_id(split.heldout[i].fact_id).answer, fs.by_id(split.heldout[i].fact_id).aliases))
r3 = show("abstain", [p.question for p in ab], lambda i,t: classify_abstention(t, fs))
r4 = show("general", [p.question for p in gen], lambda i,t: is_correct(t, gen[i].answer, gen[i].aliases))
