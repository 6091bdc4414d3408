"""The duplicate check: exact and near copies in input order, and the cache's decisions reused only
while everything before a file is unchanged."""
import json

import pyarrow.parquet as pq
import pytest

from citycoop import dataset
from citycoop.dataset import Settings, Tuning
from citycoop.models import Reject
from conftest import LEAD, MORE, SEEDS, corpus_with_copies, run_corpus as run
from pipeline_corpora import export_corpus, small_blocks


@pytest.fixture
def corpus(tmp_path):
    return corpus_with_copies(tmp_path / "corpus")


def test_exact_and_near_duplicates(corpus):
    items, stats = run([corpus])
    by_id = {i["id"]: i for i in items if not isinstance(i, Reject)}
    assert by_id["z_copy.txt"]["duplicate_of"] == "001_a4814d28160ff6be.txt"
    assert by_id["qn_b.txt"]["duplicate_of"] == "qn_a.txt"
    assert by_id["qn_a.txt"]["duplicate_of"] is None
    assert stats.duplicates == 2 and stats.near_duplicates == 1


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


def test_a_large_cached_export_is_read_back_in_pieces_when_later_files_need_its_rows(tmp_path, monkeypatch):
    """A new file after a cached export is checked against the export's rows, which go into
    the duplicate index a few at a time; a new file before it makes its rows be checked again,
    read from the cache a piece at a time. Either way the output is that of a run without a
    cache, and no read of the cache covers more than a piece."""
    from citycoop.cache import RecordCache

    corpus = export_corpus(tmp_path / "corpus")
    small, _ = small_blocks(monkeypatch, replay_rows=6)
    reads = []
    real_rows = RecordCache.segment_rows

    def segment_rows(store, name, start, n, columns=None):
        reads.append(n)
        return real_rows(store, name, start, n, columns)

    monkeypatch.setattr(RecordCache, "segment_rows", segment_rows)
    cache = tmp_path / "cache"
    dataset.write_dataset([corpus], tmp_path / "out.parquet", small, cache=cache)
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
        stats, _ = dataset.write_dataset([corpus], tmp_path / "out.parquet", small, cache=cache)
        assert stats.cached_files == (3 if step == "later" else 4) and reads and max(reads) <= 7
        dataset.write_dataset([corpus], tmp_path / "fresh.parquet")
        out = pq.read_table(tmp_path / "out.parquet")
        assert out.equals(pq.read_table(tmp_path / "fresh.parquet"))
        assert out.column("duplicate_of").to_pylist()[-1] == "export.jsonl#42"


def test_an_export_rewritten_while_its_parts_are_read_is_not_cached(tmp_path, monkeypatch):
    """Parts read at different times may hold rows of two versions of a file: such a file is
    not cached (its tasks compare the file with its size and mtime at the split), so the next
    run reads it again and gives what a fresh run gives."""
    import os

    from citycoop import load

    corpus = export_corpus(tmp_path / "corpus")
    export = corpus / "export.jsonl"
    small = Settings(tuning=Tuning(part_bytes=500))
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
    dataset.write_dataset([corpus], tmp_path / "during.parquet", small, jobs=2, cache=cache)
    monkeypatch.setattr(load, "split_export", real_split)
    stats, _ = dataset.write_dataset([corpus], tmp_path / "after.parquet", small, jobs=2, cache=cache)
    assert stats.cached_files == 2  # the two seeds; the export is read again
    dataset.write_dataset([corpus], tmp_path / "fresh.parquet", jobs=2)
    assert pq.read_table(tmp_path / "after.parquet").equals(pq.read_table(tmp_path / "fresh.parquet"))
