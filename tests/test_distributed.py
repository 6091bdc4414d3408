"""--engine dask gives the same records as the default engine (a 2-worker LocalCluster)."""
import json
import shutil

import pytest

from citycoop.dataset import Settings, iter_corpus, load_dataset
from citycoop.distributed import extract_with_dask
from citycoop.models import Reject
from conftest import SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    for i, p in enumerate(sorted(SEEDS.glob("*.txt"))):
        (root / f"part{i % 2}").mkdir(exist_ok=True)
        shutil.copy(p, root / f"part{i % 2}" / p.name)
    shutil.copy(SEEDS / "001_a4814d28160ff6be.txt", root / "copy.txt")  # a duplicate
    (root / "empty.txt").write_text("")  # a reject
    return root


def test_dask_records_equal_default_engine(corpus, tmp_path):
    from dask.distributed import LocalCluster

    local = [json.dumps(r, ensure_ascii=False, sort_keys=True)
             for r in iter_corpus([corpus], Settings()) if not isinstance(r, Reject)]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "dask.jsonl"
        stats = extract_with_dask([corpus], Settings(), out=str(out), fmt="jsonl",
                                  scheduler=cluster.scheduler_address, files_per_task=2)
        folder = tmp_path / "parts"
        extract_with_dask([corpus], Settings(), out=str(folder), fmt="parquet",
                          scheduler=cluster.scheduler_address, files_per_task=3)
    distributed = [json.dumps(json.loads(line), ensure_ascii=False, sort_keys=True)
                   for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(distributed) == sorted(local)
    assert stats.records == 6 and stats.rejects == 1 and stats.duplicates == 1
    parts = sorted(p.name for p in folder.glob("part-*.parquet"))
    assert len(parts) == 3
    ds = load_dataset(folder)
    assert len(ds.articles) == 6 and len(ds.rejects) == 1
    assert list(ds.articles["id"]) == [json.loads(x)["id"] for x in local]
