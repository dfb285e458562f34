"""Would fusing the LoRA A matrices of projections that read the same input pay? (issue 5)

q, k and v (and gate and up) share their dropped input, so their A matrices could run as one
matmul. Times forward + backward of the separate matmuls against one concatenated matmul, for the
built-in model's shapes (576 hidden, rank 64, 200 tokens), alternating twice.
Run: .venv/bin/python bench/lora_a_fusion.py
"""

from __future__ import annotations

import time

import torch


def main(tokens: int = 200, hidden: int = 576, rank: int = 64, reps: int = 300) -> None:
    torch.manual_seed(0)
    for groups, name in (((rank,) * 3, "q/k/v"), ((rank,) * 2, "gate/up")):
        x = torch.randn(tokens, hidden, requires_grad=True)
        mats = [torch.randn(r, hidden, requires_grad=True) for r in groups]

        def separate():
            sum((x @ a.t()).sum() for a in mats).backward()

        def fused():
            sum(p.sum() for p in (x @ torch.cat(mats).t()).split(list(groups), -1)).backward()

        for f in (separate, fused, separate, fused):
            for _ in range(20):
                f()
            start = time.perf_counter()
            for _ in range(reps):
                f()
            print(f"{name:<8} {f.__name__:<9} {(time.perf_counter() - start) / reps * 1e6:7.0f} us forward + backward")


if __name__ == "__main__":
    main()
