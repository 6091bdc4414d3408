"""The engines: --engine dask gives the same records as the default engine (a 2-worker
LocalCluster); the batching rule and the loop from chunks to an output are one each."""
import json
import shutil

import pytest

from citycoop.dataset import Settings, Tuning, iter_corpus, load_dataset
from citycoop.load import discover, split_export
from citycoop.models import Reject
from citycoop.pipeline.engines import DaskEngine
from conftest import SEEDS


def extract_with_dask(paths, settings, *, out, fmt, scheduler=None):
    stats, up_to_date = DaskEngine(scheduler=scheduler).extract(paths, settings, out=out, fmt=fmt)
    assert not up_to_date
    return stats


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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_an_output_another_run_is_writing_is_left_alone(corpus, tmp_path, monkeypatch):
    """As with the default engine: while another run holds the output, --engine dask stops
    before a cluster starts, and the old parts stay."""
    import dask.distributed

    from citycoop.errors import OutputInUse
    from citycoop.fsio import output_lock

    started = []
    monkeypatch.setattr(dask.distributed, "LocalCluster", lambda *a, **kw: started.append(kw))
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "part-00000.parquet").write_bytes(b"old")
    with output_lock(folder):
        with pytest.raises(OutputInUse, match=f"{folder} is being written by another citycoop run"):
            extract_with_dask([corpus], Settings(), out=str(folder), fmt="parquet")
    assert not started and (folder / "part-00000.parquet").read_bytes() == b"old"


@pytest.mark.slow
def test_a_run_that_fails_midway_leaves_the_previous_output_whole(corpus, tmp_path, monkeypatch):
    """Stopped after its first task's records were written (as Ctrl-C or a lost cluster would),
    a run leaves the previous folder's parts and JSONL file as they were, and nothing beside
    them; the next run that succeeds replaces them, its parts only."""
    from dask.distributed import LocalCluster

    from citycoop.pipeline import dupcheck

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        def run(out, fmt):
            return extract_with_dask([corpus], Settings(tuning=Tuning(files_per_task=2, part_bytes=500)),
                                     out=str(out), fmt=fmt, scheduler=cluster.scheduler_address)

        folder, out = tmp_path / "parts", tmp_path / "out.jsonl"
        folder.mkdir()
        for n in range(40):  # more parts than a run makes: the surplus goes only with a success
            (folder / f"part-{n:05d}.parquet").write_bytes(b"old")
        out.write_text("old\n")
        computed = dupcheck.Deduplicator.computed

        def stop_after_the_first_task(self, batch, stats):
            yield from computed(self, batch, stats)
            raise KeyboardInterrupt

        with monkeypatch.context() as m:
            m.setattr(dupcheck.Deduplicator, "computed", stop_after_the_first_task)
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


def test_one_rule_cuts_files_into_tasks(tmp_path):
    """Articles' files in groups, a group ending where an output part ends; an export alone, a
    large one in parts when asked."""
    from citycoop.pipeline.engines import plan_tasks

    for name in ("a.txt", "b.txt", "c.txt", "d.jsonl", "e.txt", "f.txt", "g.txt"):
        (tmp_path / name).write_text("x\n" if not name.endswith(".jsonl") else
                                     "".join(json.dumps({"text": f"dòng {i} " * 20}) + "\n" for i in range(40)))
    files = list(discover([tmp_path]))

    def names(tasks):
        return [[f.id + (f"#{f.part.index}" if f.part is not None else "") for f in t] for t in tasks]

    assert names(plan_tasks(files, 2)) == [["a.txt", "b.txt"], ["c.txt"], ["d.jsonl"], ["e.txt", "f.txt"], ["g.txt"]]
    assert names(plan_tasks(files, 16, ends_part=lambda f: f.id == "b.txt")) == \
        [["a.txt", "b.txt"], ["c.txt"], ["d.jsonl"], ["e.txt", "f.txt", "g.txt"]]
    parts = names(plan_tasks(files, 16, part_bytes=500))
    assert parts[0] == ["a.txt", "b.txt", "c.txt"] and parts[-1] == ["e.txt", "f.txt", "g.txt"]
    assert len(parts) > 4 and all(len(t) == 1 and t[0].startswith("d.jsonl#") for t in parts[1:-1])


def test_engines_are_registered_and_chosen_by_name_and_the_command_line_offers_them():
    from citycoop.cli import build_parser
    from citycoop.pipeline.engines import ENGINES, DaskEngine, LocalEngine, get_engine

    assert ENGINES.names() == ["local", "dask"]
    local = get_engine("local", jobs=2, cache=None, progress=False, scheduler=None)
    assert isinstance(local, LocalEngine) and local.jobs == 2
    assert isinstance(get_engine("dask", scheduler="tcp://x:1", jobs=2), DaskEngine)
    with pytest.raises(ValueError, match="no engine 'spark'; the engines are local, dask"):
        get_engine("spark")
    extract = next(a for a in build_parser()._subparsers._group_actions[0].choices["extract"]._actions
                   if a.dest == "engine")
    assert list(extract.choices) == ENGINES.names()


class _Writer:
    def __init__(self, fail_at=None):
        self.events, self.fail_at = [], fail_at

    def write_chunk(self, chunk):
        if len(self.events) == self.fail_at:
            raise OSError("disk full")
        self.events.append(("write", chunk.rejects))

    def close(self):
        self.events.append("close")

    def abort(self):
        self.events.append("abort")


def test_the_loop_writes_every_chunk_and_closes_or_stops_its_source_and_aborts():
    from citycoop.pipeline.chunks import Chunk
    from citycoop.pipeline.engines import write_chunks

    stopped = []

    def chunks():
        try:
            for i in range(3):
                yield Chunk(None, [Reject(f"s{i}", "empty")])
        finally:
            stopped.append(True)

    writer, seen = _Writer(), []
    rejects = write_chunks(chunks(), writer, on_reject=seen.append)
    assert [r.source for r in rejects] == ["s0", "s1", "s2"] == [r.source for r in seen]
    assert writer.events[-1] == "close" and len(writer.events) == 4
    stopped.clear()
    writer = _Writer(fail_at=1)
    with pytest.raises(OSError, match="disk full"):
        write_chunks(chunks(), writer)
    assert writer.events[-1] == "abort" and "close" not in writer.events and stopped == [True]
