"""Progress bars on stderr (stdout stays clean for results and --json)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

console = Console(stderr=True, soft_wrap=True)


class _Bar:
    def __init__(self, progress: Progress | None, task: int | None):
        self.progress, self.task = progress, task

    def advance(self, loss: float | None = None, n: int = 1) -> None:
        if self.progress is not None and self.task is not None:
            fields = {"loss": f"loss {loss:.4f}"} if loss is not None else {}
            self.progress.update(self.task, advance=n, **fields)


def _columns() -> list:
    return [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[loss]}"), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn()]


@contextmanager
def bar(total: int, description: str, enabled: bool = True) -> Iterator[_Bar]:
    """A progress bar with step count, loss (when given), elapsed and remaining time."""
    if not enabled:
        yield _Bar(None, None)
        return
    with Progress(*_columns(), console=console, transient=False) as progress:
        yield _Bar(progress, progress.add_task(description, total=total, loss=""))


def training_bar(total_steps: int, enabled: bool = True):
    return bar(total_steps, "training", enabled)
