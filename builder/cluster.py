"""Builds on a Dask cluster: ``briefings build --dask ADDRESS``.

The per-briefing stage and the render stage take any
:class:`concurrent.futures.Executor` (see :mod:`builder.parallel`); this module
gives them a Dask cluster's, through ``distributed.Client.get_executor()``.
``ADDRESS`` is a scheduler's address (``tcp://host:8786``), or ``local`` for a
cluster of worker processes on this machine (one per core, one thread each:
the stages are Python and hold the GIL).

What every task needs (the speakers, then the whole site model for the render
stage) is scattered to the workers once, not sent with each task: the tasks
carry a future of it, which Dask replaces with the value on the worker. The
workers of a remote cluster need the builder installed, the same version.
Dask is an optional dependency: ``pip install 'briefings[dask]'``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import Any

INSTALL = "pip install 'briefings[dask]'"


class MissingDask(Exception):
    """Dask's distributed scheduler is not installed."""


class DaskExecutor(Executor):
    """A Dask client's executor that can also place a value on every worker."""

    def __init__(self, client: Any):
        self.client = client
        self._executor = client.get_executor()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._executor.submit(fn, *args, **kwargs)

    def share(self, value: Any) -> Any:
        """``value`` sent once to every worker; a future of it, for tasks."""
        return self.client.scatter(value, broadcast=True, hash=False)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait)


@contextmanager
def dask_executor(address: str, jobs: int) -> Iterator[DaskExecutor]:
    """An executor on the cluster at ``address``, or on a local one (``local``)
    of ``jobs`` worker processes; closed, and a local cluster stopped, on exit."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise MissingDask(f"building on a Dask cluster needs Dask: {INSTALL}") from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        yield DaskExecutor(client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
