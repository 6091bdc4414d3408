"""The pipeline as a whole: order, parallel = serial, duplicates, cache, sidecar, outputs."""
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from citycoop.dataset import (RunStats, Settings, build_dataset, iter_corpus, load_dataset,
                              read_meta)
from citycoop.models import Reject
from conftest import SEEDS

LEAD = ("Ngày 12/5/2024, Chủ tịch UBND tỉnh Quảng Ninh đã tiếp đoàn đại biểu thành phố Phòng Thành "
        "Cảng (Trung Quốc). Hai bên trao đổi về hợp tác du lịch, logistics và phát triển cảng biển, "
        "kết nối giao thông qua cửa khẩu Móng Cái – Đông Hưng trong thời gian tới.")
MORE = ("Lãnh đạo hai địa phương thống nhất tăng cường trao đổi đoàn, tổ chức diễn đàn xúc tiến "
        "thương mại, đầu tư và giao lưu văn hóa, thể thao giữa nhân dân hai bên trong năm tới.")


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, root / p.name)
    (root / "z_copy.txt").write_text((SEEDS / "001_a4814d28160ff6be.txt").read_text(encoding="utf-8"),
                                     encoding="utf-8")
    (root / "qn_a.txt").write_text(f"Quảng Ninh tiếp đoàn Phòng Thành Cảng\n\n{LEAD}\n\n{MORE}", encoding="utf-8")
    near = MORE.replace("trong năm tới", "trong năm 2025")  # syndicated copy, one edit
    (root / "qn_b.txt").write_text(f"Quảng Ninh đón đoàn Phòng Thành Cảng\n\n{LEAD}\n\n{near}", encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    return root


def run(paths, **kw):
    stats = RunStats()
    items = list(iter_corpus(paths, Settings(), stats=stats, **kw))
    return items, stats


def test_every_article_is_a_record_or_a_reject(corpus):
    items, stats = run([corpus])
    records = [i for i in items if not isinstance(i, Reject)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert stats.files == 9 and stats.articles == 9 == len(records) + len(rejects)
    assert [r.reason for r in rejects] == ["empty"]
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)  # input order


def test_exact_and_near_duplicates(corpus):
    items, stats = run([corpus])
    by_id = {i["id"]: i for i in items if not isinstance(i, Reject)}
    assert by_id["z_copy.txt"]["duplicate_of"] == "001_a4814d28160ff6be.txt"
    assert by_id["qn_b.txt"]["duplicate_of"] == "qn_a.txt"
    assert by_id["qn_a.txt"]["duplicate_of"] is None
    assert stats.duplicates == 2 and stats.near_duplicates == 1


def test_parallel_equals_serial(corpus):
    serial, _ = run([corpus], jobs=1)
    parallel, _ = run([corpus], jobs=2)
    assert json.dumps([getattr(i, "__dict__", i) for i in serial], sort_keys=True) == \
        json.dumps([getattr(i, "__dict__", i) for i in parallel], sort_keys=True)


def test_cache_gives_identical_records_and_skips_work(corpus, tmp_path):
    cache = tmp_path / "c.sqlite"
    first, s1 = run([corpus], cache=cache)
    second, s2 = run([corpus], cache=cache)
    assert s1.cached_files == 0 and s2.cached_files == 9
    assert [getattr(i, "__dict__", i) for i in first] == [getattr(i, "__dict__", i) for i in second]
    (corpus / "qn_a.txt").write_text((corpus / "qn_a.txt").read_text(encoding="utf-8") + "\n\nThêm một đoạn.",
                                     encoding="utf-8")
    _, s3 = run([corpus], cache=cache)
    assert s3.cached_files == 8  # only the changed file is extracted again


def records_only(items):
    return [i for i in items if not isinstance(i, Reject)]


def test_cached_runs_decide_duplicates_as_a_cold_run_would(corpus, tmp_path):
    """Duplicate decisions are reused from the cache only while everything before a file is
    unchanged: a new earlier copy takes over as the original, exactly as without a cache."""
    cache = tmp_path / "cache"
    run([corpus], cache=cache)
    # a new file that sorts first and carries qn_a's story: qn_a is now its near copy
    (corpus / "a_first.txt").write_text((corpus / "qn_a.txt").read_text(encoding="utf-8")
                                        .replace("tiếp đoàn", "đón tiếp đoàn"), encoding="utf-8")
    warm, s_warm = run([corpus], cache=cache, jobs=2)
    cold, s_cold = run([corpus])
    assert records_only(warm) == records_only(cold)
    assert s_warm.cached_files == 9 and s_warm.duplicates == s_cold.duplicates == 3
    by_id = {r["id"]: r for r in records_only(warm)}
    assert by_id["qn_a.txt"]["duplicate_of"] == "a_first.txt"
    again, s_again = run([corpus], cache=cache)  # and the new decisions are what the cache keeps
    assert records_only(again) == records_only(cold) and s_again.cached_files == 10


def test_a_new_copy_after_cached_files_is_found(corpus, tmp_path):
    """Cached rows enter the duplicate index only when a later file needs checking."""
    cache = tmp_path / "cache"
    run([corpus], cache=cache)
    (corpus / "zz_late.txt").write_text((corpus / "qn_a.txt").read_text(encoding="utf-8")
                                        .replace("tiếp đoàn", "đón tiếp đoàn"), encoding="utf-8")
    (corpus / "zz_same.txt").write_text((SEEDS / "003_14a4a321f54585f3.txt").read_text(encoding="utf-8"),
                                        encoding="utf-8")
    warm, s_warm = run([corpus], cache=cache)
    cold, _ = run([corpus])
    assert records_only(warm) == records_only(cold) and s_warm.cached_files == 9
    by_id = {r["id"]: r for r in records_only(warm)}
    assert by_id["zz_late.txt"]["duplicate_of"] == "qn_a.txt"
    assert by_id["zz_same.txt"]["duplicate_of"] == "003_14a4a321f54585f3.txt"


def test_cache_entries_follow_how_files_are_named(corpus, tmp_path):
    """Ids are relative to the folders named on the command line: a cached record never keeps
    an id from a run that named the files differently."""
    cache = tmp_path / "cache"
    run([corpus], cache=cache)
    sub = corpus / "sub"
    sub.mkdir()
    shutil.move(corpus / "qn_a.txt", sub / "qn_a.txt")
    items, _ = run([corpus.parent], cache=cache)
    ids = {r["id"] for r in records_only(items)}
    assert "corpus/sub/qn_a.txt" in ids and "corpus/qn_b.txt" in ids


def test_sidecar_meta_supplies_the_year(corpus, tmp_path):
    meta = tmp_path / "corpus_meta.csv"
    meta.write_text("id,published\n002_390b886b67dc50da.txt,2025-09-27\n", encoding="utf-8")
    items = list(iter_corpus([corpus], Settings(meta=read_meta(meta))))
    r = next(i for i in items if not isinstance(i, Reject) and i["id"] == "002_390b886b67dc50da.txt")
    assert r["published"] == "2025-09-27" and r["published_source"] == "sidecar"
    assert r["event_date"] == "2025-09-26" and r["event_date_source"] == "published"


def test_parquet_round_trip_with_rejects_and_column_selection(corpus, tmp_path):
    out = build_dataset([corpus], out=tmp_path / "ds" / "corpus.parquet")
    ds = load_dataset(out)
    assert len(ds.articles) == 8 and len(ds.rejects) == 1 and ds.stats["records"] == 8
    assert ds.rejects.iloc[0]["reason"] == "empty"
    few = load_dataset(out, columns=["id", "event_date"])
    assert list(few.articles.columns) == ["id", "event_date"]
    mem = build_dataset([corpus])
    pd.testing.assert_frame_equal(ds.articles.reset_index(drop=True), mem.articles.astype(ds.articles.dtypes))


def test_a_large_export_is_made_columnar_in_blocks_with_every_row_in_order(tmp_path, monkeypatch):
    from citycoop import dataset
    from citycoop.load import discover

    monkeypatch.setattr(dataset, "ARROW_BLOCK", 7)  # blocks of 7 rows: 50 rows span 8 blocks
    rows = [{"id": f"r{i}", "title": f"Hà Nội đón đoàn Quảng Tây {i}",
             "text": f"Ngày {i % 28 + 1}/5/2024, Hà Nội tiếp đoàn Quảng Tây lần thứ {i} về du lịch."}
            for i in range(50)]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(20, "not json")
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "one.txt").write_text((SEEDS / "000_77aec2281c3530ce.txt").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    files = list(discover([tmp_path]))
    batch = dataset.process_batch(files, Settings())
    assert batch.n_rows == [50, 1] and [len(r) for r in batch.rejects] == [1, 0]
    expected = [r for f in files for r in dataset.process_file(f, Settings()) if not isinstance(r, Reject)]
    assert batch.table.column("id").to_pylist() == [r["id"] for r in expected]
    assert batch.table.column("_sig").to_pylist() == [r["_signature"] for r in expected]


def _export_corpus(folder, n=50):
    rows = [{"id": f"r{i}", "title": f"Hà Nội đón đoàn Quảng Tây {i}",
             "text": f"Ngày {i % 28 + 1}/5/2024, Hà Nội tiếp đoàn Quảng Tây lần thứ {i} về du lịch."}
            for i in range(n)]
    rows[30] = dict(rows[10], id="r30")  # a duplicate inside the export
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(20, "not json")
    folder.mkdir()
    (folder / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (folder / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def _small_blocks(monkeypatch):
    """Block sizes small enough that the 50-row export of ``_export_corpus`` crosses each of
    them several times. Returns the sizes of the tables the output writer is handed."""
    from citycoop import cache, dataset

    monkeypatch.setattr(dataset, "ARROW_BLOCK", 4)
    monkeypatch.setattr(dataset, "SPILL_ROWS", 9)  # the export's 50 rows go to disk in 13 blocks
    monkeypatch.setattr(dataset, "CHUNK_ROWS", 7)  # and the parent takes them 7 at a time
    monkeypatch.setattr(cache, "SEGMENT_ROWS", 8)
    monkeypatch.setattr(cache, "SEGMENT_BATCH", 5)
    written = []
    real_write = dataset.RecordWriter.write_table

    def write_table(writer, table):
        written.append(0 if table is None else table.num_rows)
        return real_write(writer, table)

    monkeypatch.setattr(dataset.RecordWriter, "write_table", write_table)
    return written


def _segment_batches(cache):
    import pyarrow as pa

    sizes = []
    for seg in sorted((cache / "segments").glob("*.arrow")):
        with pa.OSFile(str(seg)) as source:
            reader = pa.ipc.open_file(source)
            sizes.append([reader.get_batch(i).num_rows for i in range(reader.num_record_batches)])
    return sizes


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_large_task_spills_its_rows_to_disk_with_the_same_result(tmp_path, monkeypatch, jobs):
    """Past SPILL_ROWS a task streams its rows to an Arrow file (a worker never holds a whole
    large export); the parent then takes them CHUNK_ROWS at a time, so the output, the cache
    and a later run from the cache never hold the export whole either. The output, cached or
    not, is what an in-memory run gives, and no spill file is left behind."""
    from citycoop import dataset

    corpus = _export_corpus(tmp_path / "corpus")
    dataset.write_dataset([corpus], tmp_path / "plain.parquet", jobs=jobs)
    written = _small_blocks(monkeypatch)
    made = []
    real_tables = dataset.Batch.tables

    def tables(batch):
        made.append(batch.spilled)
        return real_tables(batch)

    monkeypatch.setattr(dataset.Batch, "tables", tables)
    cache = tmp_path / "cache"
    dataset.write_dataset([corpus], tmp_path / "spilled.parquet", jobs=jobs, cache=cache)
    assert any(p is not None for p in made)  # the rows did come back through a spill file
    assert not any(Path(p).exists() for p in made if p)
    assert sorted(p.name for p in cache.iterdir()) == ["index.sqlite", "segments"]  # spill folder gone
    assert max(written) <= 7 and sum(written) == 52
    plain = pq.read_table(tmp_path / "plain.parquet")
    assert pq.read_table(tmp_path / "spilled.parquet").equals(plain)
    assert plain.num_rows == 52 and plain.column("duplicate_of").to_pylist().count("export.jsonl#11") == 1
    # The seeds' 2 rows and the export's 50 are one segment (it ends between files, once past
    # SEGMENT_ROWS), written as they came: batches of SEGMENT_BATCH rows, the remainder in the last.
    assert _segment_batches(cache) == [[5] * 9 + [7]]
    (tmp_path / "spilled.parquet").unlink()  # rows now come from the cache the spilled run filled
    written.clear()
    dataset.write_dataset([corpus], tmp_path / "spilled.parquet", jobs=jobs, cache=cache)
    assert pq.read_table(tmp_path / "spilled.parquet").equals(plain)
    assert max(written) <= 7 and sum(written) == 52


def test_a_large_cached_export_is_read_back_in_pieces_when_later_files_need_its_rows(tmp_path, monkeypatch):
    """A new file after a cached export is checked against the export's rows, which go into
    the duplicate index a few at a time; a new file before it makes its rows be checked again,
    read from the cache a piece at a time. Either way the output is that of a run without a
    cache, and no read of the cache covers more than a piece."""
    from citycoop import dataset
    from citycoop.cache import RecordCache

    corpus = _export_corpus(tmp_path / "corpus")
    _small_blocks(monkeypatch)
    monkeypatch.setattr(dataset, "REPLAY_ROWS", 6)
    reads = []
    real_rows = RecordCache.segment_rows

    def segment_rows(store, name, start, n, columns=None):
        reads.append(n)
        return real_rows(store, name, start, n, columns)

    monkeypatch.setattr(RecordCache, "segment_rows", segment_rows)
    cache = tmp_path / "cache"
    dataset.write_dataset([corpus], tmp_path / "out.parquet", cache=cache)
    export = (corpus / "export.jsonl").read_text(encoding="utf-8").splitlines()
    copied = json.loads(export[41])  # row 41 of the export (line 42: one line is not JSON)
    (corpus / "zz_later.jsonl").write_text(json.dumps(dict(copied, id="later"), ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    (corpus / "00_earlier.txt").write_text(f"Quảng Ninh tiếp đoàn Phòng Thành Cảng\n\n{LEAD}\n\n{MORE}",
                                           encoding="utf-8")
    for step in ("later", "earlier"):
        if step == "later":
            (corpus / "00_earlier.txt").rename(tmp_path / "earlier.txt")
        else:
            (tmp_path / "earlier.txt").rename(corpus / "00_earlier.txt")
        reads.clear()
        stats, _ = dataset.write_dataset([corpus], tmp_path / "out.parquet", cache=cache)
        assert stats.cached_files == (3 if step == "later" else 4) and reads and max(reads) <= 7
        dataset.write_dataset([corpus], tmp_path / "fresh.parquet")
        out = pq.read_table(tmp_path / "out.parquet")
        assert out.equals(pq.read_table(tmp_path / "fresh.parquet"))
        assert out.column("duplicate_of").to_pylist()[-1] == "export.jsonl#42"


def test_a_cache_written_with_another_batch_size_or_as_one_batch_reads_back_the_same(tmp_path, monkeypatch):
    """A segment records the batch size it was written with, so a later version with another
    SEGMENT_BATCH reads it right; a segment from before batches (one batch, no record of a size)
    reads right too. The output carries none of the cache's own metadata."""
    import pyarrow as pa

    from citycoop import cache as cache_module
    from citycoop import dataset

    corpus = _export_corpus(tmp_path / "corpus")
    dataset.write_dataset([corpus], tmp_path / "plain.parquet")
    plain = pq.read_table(tmp_path / "plain.parquet")
    _small_blocks(monkeypatch)
    cache = tmp_path / "cache"
    dataset.write_dataset([corpus], tmp_path / "out.parquet", cache=cache)
    monkeypatch.setattr(cache_module, "SEGMENT_BATCH", 3)
    (tmp_path / "out.parquet").unlink()
    stats, _ = dataset.write_dataset([corpus], tmp_path / "out.parquet", cache=cache)
    assert stats.cached_files == 3
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.equals(plain) and cache_module.BATCH_ROWS_KEY not in (out.schema.metadata or {})
    (segment,) = (cache / "segments").glob("*.arrow")
    with pa.OSFile(str(segment)) as source:
        rows = pa.ipc.open_file(source).read_all()
    rows = rows.replace_schema_metadata(None).combine_chunks()
    with pa.OSFile(str(segment), "wb") as sink, pa.ipc.new_file(sink, rows.schema) as writer:
        writer.write_table(rows)  # as segments were written before they had batches
    assert _segment_batches(cache) == [[52]]
    (tmp_path / "out.parquet").unlink()
    stats, _ = dataset.write_dataset([corpus], tmp_path / "out.parquet", cache=cache)
    assert stats.cached_files == 3 and pq.read_table(tmp_path / "out.parquet").equals(plain)


def test_a_run_stopped_inside_a_large_export_leaves_a_usable_cache(tmp_path, monkeypatch):
    """Stopped after the first piece of an export (as by Ctrl-C): the cache keeps the files
    before it, leaves no half-written segment, and the next run's output is whole."""
    from citycoop import dataset

    corpus = _export_corpus(tmp_path / "corpus")
    dataset.write_dataset([corpus], tmp_path / "plain.parquet")
    _small_blocks(monkeypatch)
    cache = tmp_path / "cache"
    for chunk in dataset.iter_chunks([corpus], cache=cache):
        if chunk.table is not None and chunk.table.column("id")[0].as_py().startswith("export"):
            break  # the generator is closed here, as when the consumer stops
    assert not list((cache / "segments").glob("*.tmp"))
    stats, _ = dataset.write_dataset([corpus], tmp_path / "out.parquet", cache=cache)
    assert stats.cached_files == 2  # the seeds before the export
    assert pq.read_table(tmp_path / "out.parquet").equals(pq.read_table(tmp_path / "plain.parquet"))


def test_a_spill_folder_left_by_a_killed_run_is_removed_by_the_next_spilling_run(tmp_path, monkeypatch):
    import os
    import time

    from citycoop import dataset
    from citycoop.cache import STALE_S

    corpus = _export_corpus(tmp_path / "corpus")
    cache = tmp_path / "cache"
    dataset.write_dataset([corpus / "000_77aec2281c3530ce.txt"], tmp_path / "a.parquet", cache=cache)
    old, recent = cache / "spill-killed", cache / "spill-running"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "tmp1.arrow").write_bytes(b"rows")
    day_ago = time.time() - STALE_S - 60
    os.utime(old, (day_ago, day_ago))
    monkeypatch.setattr(dataset, "SPILL_ROWS", 9)
    dataset.write_dataset([corpus], tmp_path / "b.parquet", cache=cache)
    assert not old.exists() and (recent / "tmp1.arrow").exists()


def _as_csv(folder):
    """The export of ``_export_corpus`` as CSV, each text on two lines, the same rows rejected."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "text"])
    for line in (folder / "export.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
            writer.writerow([row["title"], row["text"].replace(", ", ",\n", 1)])
        except ValueError:
            writer.writerow(["not", "a", "row"])
    (folder / "export.jsonl").unlink()
    (folder / "export.csv").write_text(out.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("jobs,kind", [(2, "jsonl"), (2, "csv")])
def test_a_large_export_is_read_in_parts_with_the_result_of_a_whole_read(tmp_path, monkeypatch, jobs, kind):
    """Past PART_BYTES an export is read by several tasks, one part each (so the workers share
    it), and checked for duplicates across its parts. Output, rejects and counts are those of
    a whole read; the cache holds the export as one file, so a re-run copies it, and a new file
    before it makes its rows be checked again, still with the same result."""
    from citycoop import dataset, load
    from citycoop.cache import RecordCache

    corpus = _export_corpus(tmp_path / "corpus")
    if kind == "csv":
        _as_csv(corpus)
    dataset.write_dataset([corpus], tmp_path / "whole.parquet", jobs=jobs)
    monkeypatch.setattr(dataset, "PART_BYTES", 500)  # parts of ≈ 4 rows: r10 and its copy r30 apart
    parts = []
    real_split = load.split_export

    def split_export(f, part_bytes, max_bytes):
        for part in real_split(f, part_bytes, max_bytes):
            parts.append(part)
            yield part

    monkeypatch.setattr(load, "split_export", split_export)
    cache = tmp_path / "cache"
    stats, _ = dataset.write_dataset([corpus], tmp_path / "parts.parquet", jobs=jobs, cache=cache)
    export_parts = [p for p in parts if p.part is not None]
    assert len(export_parts) > 8 and {Path(p.path).name for p in export_parts} == {f"export.{kind}"}
    whole = pq.read_table(tmp_path / "whole.parquet")
    assert pq.read_table(tmp_path / "parts.parquet").equals(whole)
    assert whole.column("duplicate_of").to_pylist().count(f"export.{kind}#11") == 1
    for name in ("rejects.jsonl", "stats.json"):
        assert (tmp_path / f"parts.{name}").read_text() == (tmp_path / f"whole.{name}").read_text()
    assert (stats.files, stats.records, stats.rejects) == (3, 52, 1)
    store = RecordCache(cache, dataset._fingerprint(Settings()))
    [entry] = store.lookup([f for f in load.discover([corpus]) if f.path.endswith(kind)])
    store.close()
    assert entry.n_rows == 50 and len(entry.rejects) == 1 and len(entry.dups) == 1

    (tmp_path / "parts.parquet").unlink()
    parts.clear()
    stats, _ = dataset.write_dataset([corpus], tmp_path / "parts.parquet", jobs=jobs, cache=cache)
    assert stats.cached_files == 3 and not parts
    assert pq.read_table(tmp_path / "parts.parquet").equals(whole)
    (corpus / "00_earlier.txt").write_text(f"Quảng Ninh tiếp đoàn Phòng Thành Cảng\n\n{LEAD}\n\n{MORE}",
                                           encoding="utf-8")
    stats, _ = dataset.write_dataset([corpus], tmp_path / "parts.parquet", jobs=jobs, cache=cache)
    assert stats.cached_files == 3 and stats.files == 4
    dataset.write_dataset([corpus], tmp_path / "fresh.parquet", jobs=jobs)
    assert pq.read_table(tmp_path / "parts.parquet").equals(pq.read_table(tmp_path / "fresh.parquet"))


def test_an_export_rewritten_while_its_parts_are_read_is_not_cached(tmp_path, monkeypatch):
    """Parts read at different times may hold rows of two versions of a file: such a file is
    not cached (its tasks compare the file with its size and mtime at the split), so the next
    run reads it again and gives what a fresh run gives."""
    import os

    from citycoop import dataset, load

    corpus = _export_corpus(tmp_path / "corpus")
    export = corpus / "export.jsonl"
    monkeypatch.setattr(dataset, "PART_BYTES", 500)
    real_split = load.split_export

    def split_then_rewrite(f, part_bytes, max_bytes):
        for i, part in enumerate(real_split(f, part_bytes, max_bytes)):
            yield part
            if i == 0:  # same size, rows in another order, a later mtime
                lines = export.read_text(encoding="utf-8").splitlines()
                export.write_text("\n".join(lines[25:] + lines[:25]) + "\n", encoding="utf-8")
                st = export.stat()
                os.utime(export, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))

    monkeypatch.setattr(load, "split_export", split_then_rewrite)
    cache = tmp_path / "cache"
    dataset.write_dataset([corpus], tmp_path / "during.parquet", jobs=2, cache=cache)
    monkeypatch.setattr(load, "split_export", real_split)
    stats, _ = dataset.write_dataset([corpus], tmp_path / "after.parquet", jobs=2, cache=cache)
    assert stats.cached_files == 2  # the two seeds; the export is read again
    dataset.write_dataset([corpus], tmp_path / "fresh.parquet", jobs=2)
    assert pq.read_table(tmp_path / "after.parquet").equals(pq.read_table(tmp_path / "fresh.parquet"))


def test_one_job_reads_an_export_whole_and_hands_each_batch_on_as_it_is_done(tmp_path, monkeypatch):
    """With no workers to share them, parts would only cost a scan; and a batch extracted in
    the parent is handed on at once, not held until many files are queued behind it."""
    from citycoop import dataset

    corpus = _export_corpus(tmp_path / "corpus")
    for i in range(40):
        (corpus / f"z{i:02d}.txt").write_text(f"Quảng Ninh tiếp đoàn Phòng Thành Cảng {i}\n\n{LEAD}\n\n{MORE}",
                                              encoding="utf-8")
    monkeypatch.setattr(dataset, "PART_BYTES", 500)
    events = []
    real_batch, real_computed = dataset.process_batch, dataset.Deduplicator.computed

    def process_batch(files, settings, spill_dir=None):
        events.append(("extract", [f.part for f in files]))
        return real_batch(files, settings, spill_dir)

    def computed(dedup, batch, stats):
        events.append(("hand on", None))
        return real_computed(dedup, batch, stats)

    monkeypatch.setattr(dataset, "process_batch", process_batch)
    monkeypatch.setattr(dataset.Deduplicator, "computed", computed)
    dataset.write_dataset([corpus], tmp_path / "one.parquet", jobs=1)
    held = [0]
    for kind, _ in events:
        held.append(held[-1] + (1 if kind == "extract" else -1))
    assert max(held) <= 2 and held[-1] == 0 and len(events) >= 10  # ≥ 5 batches, never 3 held
    assert all(part is None for kind, parts in events if kind == "extract" for part in parts)
    monkeypatch.setattr(dataset, "process_batch", real_batch)  # a pool cannot pickle the spy
    dataset.write_dataset([corpus], tmp_path / "two.parquet", jobs=2)
    assert pq.read_table(tmp_path / "one.parquet").equals(pq.read_table(tmp_path / "two.parquet"))


def test_the_progress_bar_counts_input_bytes_and_moves_within_a_large_export(tmp_path, monkeypatch):
    import tqdm

    from citycoop import dataset

    corpus = _export_corpus(tmp_path / "corpus")
    monkeypatch.setattr(dataset, "PART_BYTES", 500)
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
        list(dataset.iter_chunks([corpus], Settings(), jobs=2, cache=tmp_path / "cache", progress=True))
        bar = bars[-1]
        assert bar.total == size and sum(bar.steps) == size, run
    assert len(bars[0].steps) > 8  # the export's parts, one step each; the cached run: one step
    assert len(bars[1].steps) == 1


def test_each_export_is_a_task_of_its_own_so_exports_spread_over_the_workers(tmp_path, monkeypatch):
    from citycoop import dataset

    corpus = _export_corpus(tmp_path / "corpus")
    (corpus / "more.jsonl").write_text((corpus / "export.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "table.CSV").write_text("title,text\nHà Nội,Ngày 1/5/2024 Hà Nội tiếp đoàn Quảng Tây.\n",
                                      encoding="utf-8")
    tasks = []
    real = dataset.process_batch

    def record(files, settings, spill_dir=None):
        tasks.append(sorted(Path(f.path).name for f in files))
        return real(files, settings, spill_dir)

    monkeypatch.setattr(dataset, "process_batch", record)
    dataset.write_dataset([corpus], tmp_path / "out.parquet", jobs=1)
    seeds = sorted(p.name for p in corpus.glob("*.txt"))
    assert sorted(tasks) == sorted([["export.jsonl"], ["more.jsonl"], ["table.CSV"], seeds])


def test_a_task_that_fails_after_spilling_removes_its_spill_file(tmp_path, monkeypatch):
    from citycoop import dataset
    from citycoop.load import discover

    corpus = _export_corpus(tmp_path / "corpus")
    monkeypatch.setattr(dataset, "ARROW_BLOCK", 4)
    monkeypatch.setattr(dataset, "SPILL_ROWS", 9)
    real = dataset.flat_row

    def failing(record, topic_ids):
        if record.get("id") == "export.jsonl#42":
            raise MemoryError("the machine ran out")
        return real(record, topic_ids)

    monkeypatch.setattr(dataset, "flat_row", failing)
    spill = tmp_path / "spill"
    spill.mkdir()
    with pytest.raises(MemoryError):
        dataset.process_batch(list(discover([corpus])), Settings(), str(spill))
    assert list(spill.iterdir()) == []


def test_the_parquet_writer_thread_is_idle_whenever_the_process_forks(tmp_path):
    """Workers are forked while rows are being written: a fork must never catch the writer
    thread inside Arrow's code."""
    import os
    import time

    from citycoop.dataset import RecordWriter, load_taxonomy

    writer = RecordWriter(tmp_path / "out.parquet", "parquet", load_taxonomy())
    writer._flush_parquet()  # opens the file and starts the writer thread
    writer._pending = writer._thread.submit(time.sleep, 0.5)  # a long row group being written
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    assert writer._pending.done()  # the fork waited for it
    os.waitpid(pid, 0)
    writer.close()


def test_counts_and_pages_are_written_whole_or_not_at_all(tmp_path):
    """The counts beside a dataset and the report pages are replaced in one step: a write that
    fails half-way (here an unencodable character) leaves the previous file and no temporary."""
    from citycoop.dataset import write_text_whole

    path = tmp_path / "corpus.stats.json"
    write_text_whole(path, '{"files": 1}')
    assert path.read_text(encoding="utf-8") == '{"files": 1}'
    with pytest.raises(UnicodeEncodeError):
        write_text_whole(path, '{"files": 2, "note": "\ud800"}')
    assert path.read_text(encoding="utf-8") == '{"files": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.stats.json"]
