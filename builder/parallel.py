"""Work spread over processes: the per-briefing stage and the render stage.

Both take a standard :class:`concurrent.futures.Executor`, so the work can go
to the builder's own process pool, to threads, or to a cluster engine's
executor (Dask's ``Client.get_executor()`` is one). Tasks are chunks of work and their
results come back in order, so a parallel build writes exactly what a
single-process build writes.

Without an executor, the builder makes a pool of its own when the work is
large enough to pay for it: forked processes (where the system has fork) made
after the site model is complete, so that every worker starts with the model
in memory instead of receiving it with each task.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # imported where a pool is made: most rebuilds make none
    from concurrent.futures import Executor, Future

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1
# Below this many units of work a pool costs more than it saves.
MIN_PARALLEL = 64

# What forked workers inherit: the model for the render stage. Set only in
# the parent, just before the pool forks, and cleared after.
_inherited: Any = None


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def chunks(items: Sequence[T], jobs: int, per_job: int = 8, most: int = 500,
           weight: Callable[[T], int] | None = None) -> list[list[T]]:
    """Cut ``items`` into chunks: several per worker (so a slow chunk does not
    hold the others back), none larger than ``most``. ``weight``: what each
    item counts for (default 1), where items differ (a page that lists three
    hundred quotes against one of a single briefing): a chunk's items then
    weigh at most ``most`` together, or are one item."""
    if not items:
        return []
    if weight is None:
        size = max(1, min(most, -(-len(items) // (jobs * per_job))))
        return [list(items[i:i + size]) for i in range(0, len(items), size)]
    weights = list(map(weight, items))
    size = max(1, min(most, -(-sum(weights) // (jobs * per_job))))
    cut: list[list[T]] = [[]]
    held = 0
    for item, heavy in zip(items, weights, strict=True):
        if cut[-1] and held + heavy > size:
            cut.append([])
            held = 0
        cut[-1].append(item)
        held += heavy
    return cut


@contextmanager
def pool(jobs: int, work: int, inherit: Any = None) -> Iterator[Executor | None]:
    """The builder's own executor for ``work`` units, or None (do it in this
    process): one job, too little work, or no fork. ``inherit`` is what the
    workers find with :func:`inherited`."""
    global _inherited
    _inherited = inherit
    try:
        if not pooled(jobs, work):
            yield None
            return
        # Imported here: a build with little to do makes no pool, and does not
        # pay for the import.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_die_with_parent) as executor:
            # Fork every worker now (a forked pool starts them all at its first
            # task), so they hold nothing the caller opens later, such as the lock
            # of the output folder.
            executor.submit(int).result()
            yield executor
    finally:
        _inherited = None


def pooled(jobs: int, work: int) -> bool:
    """Whether :func:`pool` makes a pool for ``work`` units."""
    if jobs <= 1 or work < MIN_PARALLEL:
        return False
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _die_with_parent() -> None:
    """A worker ends when the build does, however it ends (SIGKILL included):
    Linux's PR_SET_PDEATHSIG; elsewhere workers end when their queue closes."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent ended before the call
        os._exit(1)


def inherited() -> Any:
    return _inherited


def share(executor: Executor | None, value: T) -> T:
    """``value`` as tasks on ``executor`` should carry it: sent once to every
    worker where the executor can (a Dask cluster's, see :mod:`builder.cluster`),
    else itself, sent with each task."""
    place = getattr(executor, "share", None)
    return place(value) if callable(place) else value


def run(executor: Executor | None, function: Callable[[T], R], tasks: Iterable[T],
        ahead: int = 6) -> Iterator[R]:
    """``function`` over ``tasks``, results in order, in this process if no
    executor. At most ``ahead`` tasks are out at a time: results wait in
    memory only until the caller takes them, and a caller slower than the
    workers (one writing files) holds a few chunks, not the whole site."""
    if executor is None:
        yield from map(function, tasks)
        return
    out: deque[Future[R]] = deque()
    for task in tasks:
        out.append(executor.submit(function, task))
        if len(out) >= ahead:
            yield out.popleft().result()
    while out:
        yield out.popleft().result()
