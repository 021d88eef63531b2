"""Progress of the long steps: tqdm bars on stderr, and a callback for other displays."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from contextlib import contextmanager

# Called with a stage name and the fraction of that stage done (0.0 to 1.0).
ProgressCallback = Callable[[str, float], None]


class _Silent:
    def update(self, n: int = 1) -> None:
        """Ignore progress."""


@contextmanager
def progress_bar(enabled: bool, total: int, desc: str):
    """A tqdm bar on stderr if ``enabled``, else an object that ignores updates."""
    if not enabled:
        yield _Silent()
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, file=sys.stderr, unit="", leave=False) as bar:
        yield bar


class StageReporter:
    """Passes stage progress to an optional callback; safe to call from several threads."""

    def __init__(self, callback: ProgressCallback | None):
        self.callback = callback
        self._lock = threading.Lock()
        self._steps: dict[str, int] = {}

    def __call__(self, stage: str, fraction: float) -> None:
        """Report that ``fraction`` of ``stage`` is done."""
        if self.callback is not None:
            with self._lock:
                self.callback(stage, min(max(float(fraction), 0.0), 1.0))

    def step(self, stage: str, total: int) -> None:
        """Report one more of ``total`` equal steps of ``stage`` done."""
        with self._lock:
            done = self._steps[stage] = self._steps.get(stage, 0) + 1
        self(stage, done / total if total else 1.0)
