"""A build on a Dask cluster writes exactly what a build in one process writes."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from builder.cluster import dask_executor
from builder.pipeline import build

from conftest import ROOT, output_tree, run_cli

distributed = pytest.importorskip("distributed")


def _tree(folder: Path) -> dict[str, bytes]:
    return output_tree(folder)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    shutil.copy(ROOT / "site.yaml", target / "site.yaml")
    shutil.copytree(ROOT / "content", target / "content")
    return target


def test_a_build_on_a_local_dask_cluster_equals_a_single_process_build(
        site: Path, tmp_path: Path) -> None:
    assert build(site, tmp_path / "serial", cache=False, jobs=1).ok
    sizes: list[int] = []
    with dask_executor("local", 2) as executor:
        submit = executor.submit

        def measured(fn, task):  # type: ignore[no-untyped-def]
            sizes.append(len(pickle.dumps(task)))
            return submit(fn, task)

        executor.submit = measured  # type: ignore[method-assign]
        report = build(site, tmp_path / "dask", cache=False, executor=executor)
    assert report.ok, report.problems
    assert _tree(tmp_path / "dask") == _tree(tmp_path / "serial")
    # The model went to the workers once, scattered: a render task carries only
    # its few pages and a reference to it, far smaller than the model itself.
    model = len((tmp_path / "serial" / "data" / "briefings.json").read_bytes())
    assert sizes and max(sizes[-8:]) < model / 4


def test_the_command_line_builds_on_a_cluster_given_by_its_address(
        site: Path, tmp_path: Path) -> None:
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    try:
        result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--no-cache",
                         "--dask", cluster.scheduler_address)
    finally:
        cluster.close()
    assert result.code == 0, result.err
    assert build(site, tmp_path / "serial", cache=False, jobs=1).ok
    assert _tree(tmp_path / "out") == _tree(tmp_path / "serial")
