"""Progress bars on stderr for the long steps, silent when not wanted."""

from __future__ import annotations

import sys
from contextlib import contextmanager


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
