"""--engine dask gives the same records as the default engine (a 2-worker LocalCluster)."""
import json
import shutil

import pytest

from citycoop.dataset import Settings, Tuning, iter_corpus, load_dataset
from citycoop.distributed import extract_with_dask
from citycoop.load import discover, split_export
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
    rows = [{"title": f"Hà Nội đón đoàn Quảng Tây {i}",
             "text": f"Ngày {i % 28 + 1}/5/2024, Hà Nội tiếp đoàn Quảng Tây lần thứ {i} về du lịch."}
            for i in range(20)]
    rows[15] = rows[3]  # a duplicate inside the export, in another part
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(8, "not json")  # a reject
    (root / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_dask_records_equal_default_engine(corpus, tmp_path):
    from dask.distributed import LocalCluster

    local = [json.dumps(r, ensure_ascii=False, sort_keys=True)
             for r in iter_corpus([corpus], Settings()) if not isinstance(r, Reject)]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "dask.jsonl"
        # The export (≈ 2 KB) is read in parts of 500 bytes, one task each; the default engine
        # above read it whole.
        stats = extract_with_dask([corpus], Settings(tuning=Tuning(files_per_task=2, part_bytes=500)), out=str(out),
                                  fmt="jsonl", scheduler=cluster.scheduler_address)
        folder = tmp_path / "parts"
        extract_with_dask([corpus], Settings(tuning=Tuning(files_per_task=3, part_bytes=500)), out=str(folder),
                          fmt="parquet", scheduler=cluster.scheduler_address)
    distributed = [json.dumps(json.loads(line), ensure_ascii=False, sort_keys=True)
                   for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(distributed) == sorted(local)
    assert (stats.files, stats.records, stats.rejects, stats.duplicates) == (8, 26, 2, 2)
    [export] = discover([corpus / "export.jsonl"])
    n_parts = len(list(split_export(export, 500)))
    assert n_parts > 2
    # tasks: copy.txt + empty.txt, the export's parts, part0/ (3 seeds), part1/ (2 seeds)
    assert len(list(folder.glob("part-*.parquet"))) == 1 + n_parts + 2
    ds = load_dataset(folder)
    assert len(ds.articles) == 26 and len(ds.rejects) == 2
    assert list(ds.articles["id"]) == [json.loads(x)["id"] for x in local]


def test_a_missing_path_fails_before_a_cluster_starts_or_the_output_is_touched(tmp_path, monkeypatch):
    import dask.distributed

    started = []
    monkeypatch.setattr(dask.distributed, "LocalCluster", lambda *a, **kw: started.append(kw))
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "part-00000.parquet").write_bytes(b"old")
    for target, fmt in ((out, "jsonl"), (folder, "parquet")):
        with pytest.raises(FileNotFoundError, match="nope"):
            extract_with_dask([tmp_path / "nope"], Settings(), out=str(target), fmt=fmt)
    assert not started and out.read_text() == "old\n"
    assert (folder / "part-00000.parquet").read_bytes() == b"old"
    # A Parquet output that is a file, not a folder of parts: refused as early, and left alone.
    with pytest.raises(FileExistsError, match=f"{out} is a file; --engine dask writes Parquet as a folder"):
        extract_with_dask([tmp_path], Settings(), out=str(out), fmt="parquet")
    assert not started and out.read_text() == "old\n"


def test_an_output_another_run_is_writing_is_left_alone(corpus, tmp_path, monkeypatch):
    """As with the default engine: while another run holds the output, --engine dask stops
    before a cluster starts, and the old parts stay."""
    import dask.distributed

    from citycoop.dataset import OutputInUse, output_lock

    started = []
    monkeypatch.setattr(dask.distributed, "LocalCluster", lambda *a, **kw: started.append(kw))
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "part-00000.parquet").write_bytes(b"old")
    with output_lock(folder):
        with pytest.raises(OutputInUse, match=f"{folder} is being written by another citycoop run"):
            extract_with_dask([corpus], Settings(), out=str(folder), fmt="parquet")
    assert not started and (folder / "part-00000.parquet").read_bytes() == b"old"


def test_a_run_that_fails_midway_leaves_the_previous_output_whole(corpus, tmp_path, monkeypatch):
    """Stopped after its first task's records were written (as Ctrl-C or a lost cluster would),
    a run leaves the previous folder's parts and JSONL file as they were, and nothing beside
    them; the next run that succeeds replaces them, its parts only."""
    from dask.distributed import LocalCluster

    from citycoop import distributed

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        def run(out, fmt):
            return extract_with_dask([corpus], Settings(tuning=Tuning(files_per_task=2, part_bytes=500)),
                                     out=str(out), fmt=fmt, scheduler=cluster.scheduler_address)

        folder, out = tmp_path / "parts", tmp_path / "out.jsonl"
        folder.mkdir()
        for n in range(40):  # more parts than a run makes: the surplus goes only with a success
            (folder / f"part-{n:05d}.parquet").write_bytes(b"old")
        out.write_text("old\n")
        computed = distributed.Deduplicator.computed

        def stop_after_the_first_task(self, batch, stats):
            yield from computed(self, batch, stats)
            raise KeyboardInterrupt

        with monkeypatch.context() as m:
            m.setattr(distributed.Deduplicator, "computed", stop_after_the_first_task)
            for target, fmt in ((folder, "parquet"), (out, "jsonl")):
                with pytest.raises(KeyboardInterrupt):
                    run(target, fmt)
        assert sorted(p.name for p in folder.iterdir()) == [f"part-{n:05d}.parquet" for n in range(40)]
        assert all(p.read_bytes() == b"old" for p in folder.iterdir())
        assert out.read_text() == "old\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == [".out.jsonl.lock", ".parts.lock", "out.jsonl", "parts"]
        (folder / ".writing-dask-1-00000.parquet").write_bytes(b"a killed run's")
        stats = run(folder, "parquet")
    assert not list(folder.glob(".writing-*"))
    names = sorted(p.name for p in folder.iterdir() if p.name.startswith("part-"))
    assert len(names) < 40 and names == [f"part-{n:05d}.parquet" for n in range(len(names))]
    assert len(load_dataset(folder).articles) == stats.records == 26
