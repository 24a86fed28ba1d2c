"""Progress on a terminal: the stage, the count, the rate and the time left.

The pipeline reports what it does through a :class:`Progress`; the default
one shows nothing, and so does the command line when its output is not a
terminal, so logs stay as they were. On a terminal, a stage that takes more
than a second gets a bar (tqdm's), which goes away when the stage ends.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Advance = Callable[[int], object]


class Progress:
    """Reports nothing."""

    @contextmanager
    def stage(self, name: str, total: int, unit: str) -> Iterator[Advance]:
        yield _nothing


def _nothing(count: int) -> None:
    return None


class TerminalProgress(Progress):
    """A bar per stage on the standard error, shown once a stage takes a second."""

    @contextmanager
    def stage(self, name: str, total: int, unit: str) -> Iterator[Advance]:
        from tqdm import tqdm

        with tqdm(total=total, desc=name, unit=f" {unit}", delay=1.0, leave=False,
                  file=sys.stderr, dynamic_ncols=True, smoothing=0.1) as bar:
            yield bar.update


def for_terminal() -> Progress:
    """Bars where the standard error is a terminal, else nothing."""
    return TerminalProgress() if sys.stderr.isatty() else Progress()
