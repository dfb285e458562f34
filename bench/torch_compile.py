"""Does torch.compile pay for the trainer on CPU? (issue 5)

Eager tokens/s on 96 examples (1 epoch), then each decoder layer compiled (dynamic shapes), its
warm-up seconds, and compiled tokens/s on the same examples.
Run: .venv/bin/python bench/torch_compile.py [--lora-dropout P] [--dropout-in-graph]
(P: default the recipe's 0.05). --dropout-in-graph draws each LoRA dropout mask with torch.rand_like,
which inductor compiles into the layer's graph, instead of the trainer's keep_mask (a graph break).
"""

import sys, time, torch
from andraeus.models import load_model
from andraeus.train import TrainConfig, add_lora, build_examples, fit
from andraeus.variations import make_split
from andraeus.synth import synthetic_facts
facts = synthetic_facts(30, seed=0)
dropout = float(sys.argv[sys.argv.index("--lora-dropout") + 1]) if "--lora-dropout" in sys.argv else 0.05
base = TrainConfig(variations=10, epochs=1, lora_dropout=dropout)
model, tok = load_model(base.model, "cpu")
model = add_lora(model, base)


class GraphDropout(torch.nn.Module):
    """Inverted dropout with the mask drawn by torch.rand_like: traceable, one mask per projection."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        return x * (torch.rand_like(x) >= self.p) * (1 / (1 - self.p)) if self.training else x


if "--dropout-in-graph" in sys.argv:
    for m in model.modules():
        if isinstance(getattr(m, "lora_dropout", None), torch.nn.ModuleDict):
            for k in m.lora_dropout:
                m.lora_dropout[k] = GraphDropout(dropout)
ex = build_examples(tok, facts, make_split(facts, 10, 0, 4), base)[:96]
fit(model, ex[:16], base, progress=False)
s=time.perf_counter(); st = fit(model, ex, base, progress=False); print("eager tok/s", round(st.tokens/(time.perf_counter()-s),1), flush=True)
layers = model.base_model.model.model.layers
for l in layers: l.compile(dynamic=True)
s=time.perf_counter(); fit(model, ex[:16], base, progress=False); print("compile warmup s", round(time.perf_counter()-s,1), flush=True)
s=time.perf_counter(); st = fit(model, ex, base, progress=False); print("compiled tok/s", round(st.tokens/(time.perf_counter()-s),1), flush=True)
