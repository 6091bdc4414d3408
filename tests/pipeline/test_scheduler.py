"""The walk over the input: tasks for the workers (an export alone, a large one in parts), batches
handed on in input order, spill folders, progress, and an incremental run's files extracted ahead."""
import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from citycoop import dataset
from citycoop.pipeline import dupcheck, scheduler, settings, worker
from citycoop.pipeline.settings import Settings, Tuning
from conftest import LEAD, MORE
from pipeline_corpora import as_csv, export_corpus, segment_batches, small_blocks
from pipeline_corpora import FILES_PER_PART, SEED_TEXTS, assert_same_dataset, folder_run, fresh, make_corpus


def test_a_cache_written_with_another_batch_size_or_as_one_batch_reads_back_the_same(tmp_path, monkeypatch):
    """A segment records the batch size it was written with, so a later version with another
    SEGMENT_BATCH reads it right; a segment from before batches (one batch, no record of a size)
    reads right too. The output carries none of the cache's own metadata."""
    import pyarrow as pa

    from citycoop import cache as cache_module
    corpus = export_corpus(tmp_path / "corpus")
    dataset.write_dataset([corpus], tmp_path / "plain.parquet")
    plain = pq.read_table(tmp_path / "plain.parquet")
    small, _ = small_blocks(monkeypatch)
    cache = tmp_path / "cache"
    dataset.write_dataset([corpus], tmp_path / "out.parquet", small, cache=cache)
    monkeypatch.setattr(cache_module, "SEGMENT_BATCH", 3)
    (tmp_path / "out.parquet").unlink()
    stats, _ = dataset.write_dataset([corpus], tmp_path / "out.parquet", small, cache=cache)
    assert stats.cached_files == 3
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.equals(plain) and cache_module.BATCH_ROWS_KEY not in (out.schema.metadata or {})
    (segment,) = (cache / "segments").glob("*.arrow")
    with pa.OSFile(str(segment)) as source:
        rows = pa.ipc.open_file(source).read_all()
    rows = rows.replace_schema_metadata(None).combine_chunks()
    with pa.OSFile(str(segment), "wb") as sink, pa.ipc.new_file(sink, rows.schema) as writer:
        writer.write_table(rows)  # as segments were written before they had batches
    assert segment_batches(cache) == [[52]]
    (tmp_path / "out.parquet").unlink()
    stats, _ = dataset.write_dataset([corpus], tmp_path / "out.parquet", small, cache=cache)
    assert stats.cached_files == 3 and pq.read_table(tmp_path / "out.parquet").equals(plain)


def test_a_run_stopped_inside_a_large_export_leaves_a_usable_cache(tmp_path, monkeypatch):
    """Stopped after the first piece of an export (as by Ctrl-C): the cache keeps the files
    before it, leaves no half-written segment, and the next run's output is whole."""
    corpus = export_corpus(tmp_path / "corpus")
    dataset.write_dataset([corpus], tmp_path / "plain.parquet")
    small, _ = small_blocks(monkeypatch)
    cache = tmp_path / "cache"
    for chunk in scheduler.iter_chunks([corpus], small, cache=cache):
        if chunk.table is not None and chunk.table.column("id")[0].as_py().startswith("export"):
            break  # the generator is closed here, as when the consumer stops
    assert not list((cache / "segments").glob("*.tmp"))
    stats, _ = dataset.write_dataset([corpus], tmp_path / "out.parquet", small, cache=cache)
    assert stats.cached_files == 2  # the seeds before the export
    assert pq.read_table(tmp_path / "out.parquet").equals(pq.read_table(tmp_path / "plain.parquet"))


def test_a_spill_folder_left_by_a_killed_run_is_removed_by_the_next_spilling_run(tmp_path):
    import os
    import time

    from citycoop.cache import STALE_S

    corpus = export_corpus(tmp_path / "corpus")
    cache = tmp_path / "cache"
    dataset.write_dataset([corpus / "000_77aec2281c3530ce.txt"], tmp_path / "a.parquet", cache=cache)
    old, recent = cache / "spill-killed", cache / "spill-running"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "tmp1.arrow").write_bytes(b"rows")
    day_ago = time.time() - STALE_S - 60
    os.utime(old, (day_ago, day_ago))
    dataset.write_dataset([corpus], tmp_path / "b.parquet", Settings(tuning=Tuning(spill_rows=9)), cache=cache)
    assert not old.exists() and (recent / "tmp1.arrow").exists()


@pytest.mark.parametrize("jobs,kind", [(2, "jsonl"), (2, "csv")])
def test_a_large_export_is_read_in_parts_with_the_result_of_a_whole_read(tmp_path, monkeypatch, jobs, kind):
    """Past ``part_bytes`` an export is read by several tasks, one part each (so the workers share
    it), and checked for duplicates across its parts. Output, rejects and counts are those of
    a whole read; the cache holds the export as one file, so a re-run copies it, and a new file
    before it makes its rows be checked again, still with the same result."""
    from citycoop import load
    from citycoop.cache import RecordCache

    corpus = export_corpus(tmp_path / "corpus")
    if kind == "csv":
        as_csv(corpus)
    dataset.write_dataset([corpus], tmp_path / "whole.parquet", jobs=jobs)
    small = Settings(tuning=Tuning(part_bytes=500))  # parts of ≈ 4 rows: r10 and its copy r30 apart
    parts = []
    real_split = load.split_export

    def split_export(f, part_bytes, max_bytes):
        for part in real_split(f, part_bytes, max_bytes):
            parts.append(part)
            yield part

    monkeypatch.setattr(load, "split_export", split_export)
    cache = tmp_path / "cache"
    stats, _ = dataset.write_dataset([corpus], tmp_path / "parts.parquet", small, jobs=jobs, cache=cache)
    export_parts = [p for p in parts if p.part is not None]
    assert len(export_parts) > 8 and {Path(p.path).name for p in export_parts} == {f"export.{kind}"}
    whole = pq.read_table(tmp_path / "whole.parquet")
    assert pq.read_table(tmp_path / "parts.parquet").equals(whole)
    assert whole.column("duplicate_of").to_pylist().count(f"export.{kind}#11") == 1
    for name in ("rejects.jsonl", "stats.json"):
        assert (tmp_path / f"parts.{name}").read_text() == (tmp_path / f"whole.{name}").read_text()
    assert (stats.files, stats.records, stats.rejects) == (3, 52, 1)
    store = RecordCache(cache, settings.fingerprint(Settings()))
    [entry] = store.lookup([f for f in load.discover([corpus]) if f.path.endswith(kind)])
    store.close()
    assert entry.n_rows == 50 and len(entry.rejects) == 1 and len(entry.dups) == 1

    (tmp_path / "parts.parquet").unlink()
    parts.clear()
    stats, _ = dataset.write_dataset([corpus], tmp_path / "parts.parquet", small, jobs=jobs, cache=cache)
    assert stats.cached_files == 3 and not parts
    assert pq.read_table(tmp_path / "parts.parquet").equals(whole)
    (corpus / "00_earlier.txt").write_text(f"Quảng Ninh tiếp đoàn Phòng Thành Cảng\n\n{LEAD}\n\n{MORE}",
                                           encoding="utf-8")
    stats, _ = dataset.write_dataset([corpus], tmp_path / "parts.parquet", small, jobs=jobs, cache=cache)
    assert stats.cached_files == 3 and stats.files == 4
    dataset.write_dataset([corpus], tmp_path / "fresh.parquet", jobs=jobs)
    assert pq.read_table(tmp_path / "parts.parquet").equals(pq.read_table(tmp_path / "fresh.parquet"))


def test_one_job_reads_an_export_whole_and_hands_each_batch_on_as_it_is_done(tmp_path, monkeypatch):
    """With no workers to share them, parts would only cost a scan; and a batch extracted in
    the parent is handed on at once, not held until many files are queued behind it."""
    corpus = export_corpus(tmp_path / "corpus")
    for i in range(40):
        (corpus / f"z{i:02d}.txt").write_text(f"Quảng Ninh tiếp đoàn Phòng Thành Cảng {i}\n\n{LEAD}\n\n{MORE}",
                                              encoding="utf-8")
    small = Settings(tuning=Tuning(part_bytes=500))
    events = []
    real_batch, real_computed = worker.process_batch, dupcheck.Deduplicator.computed

    def process_batch(files, settings, spill_dir=None):
        events.append(("extract", [f.part for f in files]))
        return real_batch(files, settings, spill_dir)

    def computed(dedup, batch, stats):
        events.append(("hand on", None))
        return real_computed(dedup, batch, stats)

    monkeypatch.setattr(scheduler, "process_batch", process_batch)
    monkeypatch.setattr(dupcheck.Deduplicator, "computed", computed)
    dataset.write_dataset([corpus], tmp_path / "one.parquet", small, jobs=1)
    held = [0]
    for kind, _ in events:
        held.append(held[-1] + (1 if kind == "extract" else -1))
    assert max(held) <= 2 and held[-1] == 0 and len(events) >= 10  # ≥ 5 batches, never 3 held
    assert all(part is None for kind, parts in events if kind == "extract" for part in parts)
    monkeypatch.setattr(scheduler, "process_batch", real_batch)  # a pool cannot pickle the spy
    dataset.write_dataset([corpus], tmp_path / "two.parquet", small, jobs=2)
    assert pq.read_table(tmp_path / "one.parquet").equals(pq.read_table(tmp_path / "two.parquet"))


def test_the_progress_bar_counts_input_bytes_and_moves_within_a_large_export(tmp_path, monkeypatch):
    import tqdm

    corpus = export_corpus(tmp_path / "corpus")
    small = Settings(tuning=Tuning(part_bytes=500))
    bars = []

    class Bar(tqdm.tqdm):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            self.steps = []
            bars.append(self)

        def update(self, n=1):
            self.steps.append(n)
            return super().update(n)

    monkeypatch.setattr(tqdm, "tqdm", Bar)
    size = sum(p.stat().st_size for p in corpus.iterdir())
    for run in ("cold", "cached"):
        list(scheduler.iter_chunks([corpus], small, jobs=2, cache=tmp_path / "cache", progress=True))
        bar = bars[-1]
        assert bar.total == size and sum(bar.steps) == size, run
    assert len(bars[0].steps) > 8  # the export's parts, one step each; the cached run: one step
    assert len(bars[1].steps) == 1


def test_each_export_is_a_task_of_its_own_so_exports_spread_over_the_workers(tmp_path, monkeypatch):
    corpus = export_corpus(tmp_path / "corpus")
    (corpus / "more.jsonl").write_text((corpus / "export.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "table.CSV").write_text("title,text\nHà Nội,Ngày 1/5/2024 Hà Nội tiếp đoàn Quảng Tây.\n",
                                      encoding="utf-8")
    tasks = []
    real = worker.process_batch

    def record(files, settings, spill_dir=None):
        tasks.append(sorted(Path(f.path).name for f in files))
        return real(files, settings, spill_dir)

    monkeypatch.setattr(scheduler, "process_batch", record)
    dataset.write_dataset([corpus], tmp_path / "out.parquet", jobs=1)
    seeds = sorted(p.name for p in corpus.glob("*.txt"))
    assert sorted(tasks) == sorted([["export.jsonl"], ["more.jsonl"], ["table.CSV"], seeds])


def test_workers_start_at_once_when_files_were_added_and_are_shut_down_if_unused(tmp_path, monkeypatch):
    corpus, cache, out = make_corpus(tmp_path / "corpus"), tmp_path / "cache", tmp_path / "out"
    folder_run(corpus, out, cache)
    warm, real = [], scheduler.iter_chunks

    def spy(*args, **kwargs):
        if kwargs.get("cache"):  # not the fresh runs compared with
            warm.append(kwargs.get("workers") is not None)
        return real(*args, **kwargs)

    monkeypatch.setattr(scheduler, "iter_chunks", spy)
    os.utime(corpus / "003.txt", ns=(1, 1))  # touched: the same names, so no new file expected
    folder_run(corpus, out, cache, jobs=2)
    (corpus / "zz.txt").write_text(SEED_TEXTS[0] + "\n\nMới.", encoding="utf-8")
    folder_run(corpus, out, cache, jobs=2)
    assert_same_dataset(out, fresh(corpus, tmp_path))
    (corpus / "zz.txt").unlink()  # names changed again, but nothing to extract: workers idle
    stats = folder_run(corpus, out, cache, jobs=2)
    assert warm == [False, True, True] and stats.cached_files == 30
    assert_same_dataset(out, fresh(corpus, tmp_path))


def test_files_added_are_extracted_ahead_of_the_walk_with_the_rows_of_a_fresh_run(tmp_path, monkeypatch):
    corpus, cache, out = make_corpus(tmp_path / "corpus"), tmp_path / "cache", tmp_path / "out"
    folder_run(corpus, out, cache, jobs=2)
    rows = [{"title": f"Bản tin {i}", "text": SEED_TEXTS[i % len(SEED_TEXTS)] + f"\n\nDòng {i}."} for i in range(6)]
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    # Added among the files and after them: a copy of an early file (a duplicate of it), an
    # export small enough to prefetch whole, one the walk splits into parts (not prefetched),
    # and more new files than are prefetched, so a task mixes prefetched and other files.
    shutil.copy(corpus / "002.txt", corpus / "010a.txt")
    (corpus / "011a.jsonl").write_text(lines, encoding="utf-8")
    (corpus / "zz0.jsonl").write_text(lines * 3, encoding="utf-8")
    for i in range(5):
        (corpus / f"zz{i + 1}.txt").write_text(SEED_TEXTS[i] + f"\n\nThêm {i}.", encoding="utf-8")
    # zz0.jsonl: 3 parts; 5 new files extracted ahead
    small = Tuning(files_per_output_part=FILES_PER_PART, part_bytes=len(lines.encode()), prefetch_files=5)
    taken, real_take = [], scheduler.Prefetch.take

    def take(prefetch, files):
        runs = real_take(prefetch, files)
        taken.extend(f.id for run, ready in runs if ready is not None for f in run)
        return runs

    monkeypatch.setattr(scheduler.Prefetch, "take", take)
    started, real_add = [], scheduler.Workers.add

    def add(workers, n):
        started.append(n)
        real_add(workers, n)

    monkeypatch.setattr(scheduler.Workers, "add", add)
    stats = folder_run(corpus, out, cache, jobs=2, tuning=small)
    # One worker at once, and a second since 9 new files are much work beside a 30-file walk.
    assert started == [1, 1]
    assert taken == ["010a.txt", "011a.jsonl", "zz1.txt", "zz2.txt", "zz3.txt"]
    assert stats.cached_files == 30 and stats.files == 38
    assert_same_dataset(out, fresh(corpus, tmp_path))


def test_an_incremental_run_starts_as_many_workers_as_keep_up_with_its_walk():
    def workers(n_new, n_known, jobs=2):
        return scheduler.Prefetch([], n_new, n_known).workers(jobs)

    # +1% at 20 000 and 100 000: one worker extracts the new files while the walk goes on.
    assert workers(200, 20_000) == 1 and workers(1_000, 100_000) == 1
    # Added files that take a worker longer than the walk: every core.
    assert workers(5_000, 20_000) == 2 and workers(5_000, 20_000, jobs=8) == 8 and workers(10, 0) == 2
