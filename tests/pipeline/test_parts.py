"""A Parquet output folder (``-o corpus/``): parts in input order, and a re-run that rewrites only
the parts whose files or duplicate decisions changed, with exactly the rows of a fresh run."""
import json
import os
import shutil

import pandas as pd
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from citycoop import load
from citycoop.cache import RecordCache
from citycoop.dataset import load_dataset, write_dataset
from citycoop.pipeline import parts
from citycoop.pipeline.parts import PARTS_MANIFEST
from citycoop.pipeline.settings import Settings
from pipeline_corpora import (FILES_PER_PART, SEED_TEXTS, TUNING, assert_same_dataset, folder_run, fresh,
                              make_corpus)


def part_files(folder):
    """{content identity of a part file: (inode, mtime)} — a kept part keeps both, even renamed."""
    return {(p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("part-*.parquet")}


def test_a_folder_holds_the_rows_of_one_file_in_parts_cut_after_the_same_files_whatever_the_jobs(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    out1, out2 = tmp_path / "one", tmp_path / "two"
    stats = folder_run(corpus, out1, None, jobs=1)
    folder_run(corpus, out2, tmp_path / "cache", jobs=2)
    assert stats.articles == 30 and stats.rejects == 1 and stats.duplicates >= 2
    assert_same_dataset(out1, fresh(corpus, tmp_path))
    assert_same_dataset(out2, fresh(corpus, tmp_path))
    m1, m2 = (json.loads((o / PARTS_MANIFEST).read_text()) for o in (out1, out2))
    assert [p["rows"] for p in m1["parts"]] == [p["rows"] for p in m2["parts"]]
    assert [p["end"] for p in m1["parts"]] == [p["end"] for p in m2["parts"]]
    assert len(m1["parts"]) >= 5  # the cut rule does cut a 30-file corpus into several parts
    # Parts end after the files the cut rule names, and nowhere else (a part of rejects only,
    # such as the empty file's, has no file).
    ids = pads.dataset(out1, format="parquet").to_table(columns=["id"]).column("id").to_pylist()
    assert load_dataset(out1).articles["id"].tolist() == ids == sorted(ids)
    names = sorted(p.name for p in corpus.iterdir())
    rule = parts.OutputParts(files_per_part=FILES_PER_PART)
    cuts = [i for i, f in enumerate(load.discover([corpus])) if rule.ends_part(f)]
    spans = [[names.index(i) for i in pq.read_table(out1 / p["file"], columns=["id"]).column("id").to_pylist()]
             for p in m1["parts"]]
    for span in spans:
        assert not [c for c in cuts if span[0] <= c < span[-1]]  # no cut inside a part
    for span, after in zip(spans, spans[1:]):
        assert [c for c in cuts if span[-1] <= c < after[0]]  # a cut between it and the next


def test_a_rerun_rewrites_only_the_parts_whose_files_or_decisions_changed(tmp_path):
    corpus, cache, out = make_corpus(tmp_path / "corpus"), tmp_path / "cache", tmp_path / "out"
    first = folder_run(corpus, out, cache)
    n_parts = first.output_parts[1]
    assert first.output_parts == (0, n_parts)

    # New files at the end: every part but the last (unless it ended at a cut) is kept as it
    # is, file and all; the new rows go to a part written now.
    before = part_files(out)
    for i in range(3):
        (corpus / f"zz{i}.txt").write_text(SEED_TEXTS[2] + f"\n\nTin mới {i}.", encoding="utf-8")
    stats = folder_run(corpus, out, cache)
    kept = stats.output_parts[0]
    assert kept >= n_parts - 1 and stats.output_parts[1] >= 1 and stats.cached_files == 30
    assert len(before & part_files(out)) == kept
    assert_same_dataset(out, fresh(corpus, tmp_path))

    # A file touched but not changed: every part kept, nothing written.
    os.utime(corpus / "010.txt", ns=(1, 1))
    stats = folder_run(corpus, out, cache)
    assert stats.output_parts[1] == 0
    assert_same_dataset(out, fresh(corpus, tmp_path))

    # One file changed in the middle: its part and the parts whose decisions it changes.
    (corpus / "012.txt").write_text(SEED_TEXTS[4] + "\n\nĐã sửa.", encoding="utf-8")
    stats = folder_run(corpus, out, cache)
    assert stats.output_parts[0] >= 1 and stats.output_parts[1] >= 1
    assert_same_dataset(out, fresh(corpus, tmp_path))

    # A new first file that is a copy of a later one: that one becomes its duplicate.
    shutil.copy(corpus / "020.txt", corpus / "000a.txt")
    stats = folder_run(corpus, out, cache)
    assert_same_dataset(out, fresh(corpus, tmp_path))
    rows = load_dataset(out).articles.set_index("id")
    assert rows.loc["020.txt", "duplicate_of"] == "000a.txt"

    # A part file damaged, inputs unchanged: that part is written again, the others kept.
    victim = sorted(out.glob("part-*.parquet"))[2]
    victim.write_bytes(b"not parquet")
    stats = folder_run(corpus, out, cache)
    assert stats.output_parts[1] == 1
    assert_same_dataset(out, fresh(corpus, tmp_path))

    # A file removed, with two workers.
    (corpus / "005.txt").unlink()
    folder_run(corpus, out, cache, jobs=2)
    assert_same_dataset(out, fresh(corpus, tmp_path))

    # Other settings: no part of the earlier ones is reused.
    stats, _ = write_dataset([corpus], out, Settings(max_bytes=10**6, tuning=TUNING), cache=cache)
    assert stats.output_parts[0] == 0


def test_without_a_cache_every_part_is_written_again_and_old_parts_go(tmp_path):
    corpus, out = make_corpus(tmp_path / "corpus"), tmp_path / "out"
    folder_run(corpus, out, None)
    for p in sorted(corpus.iterdir())[10:]:
        p.unlink()
    stats = folder_run(corpus, out, None)
    assert stats.output_parts[0] == 0
    assert_same_dataset(out, fresh(corpus, tmp_path))


def test_a_failed_run_leaves_the_folder_as_the_last_complete_run_left_it(tmp_path, monkeypatch):
    corpus, cache, out = make_corpus(tmp_path / "corpus"), tmp_path / "cache", tmp_path / "out"
    folder_run(corpus, out, cache)
    snapshot = {p.name: p.read_bytes() for p in out.iterdir()}
    (corpus / "001.txt").write_text(SEED_TEXTS[3] + "\n\nĐổi.", encoding="utf-8")
    (corpus / "zz.txt").write_text(SEED_TEXTS[1] + "\n\nMới.", encoding="utf-8")
    real_write, calls = parts.FolderWriter.write_chunk, []

    def failing_write(writer, chunk):
        calls.append(1)
        if len(calls) == 12:
            raise OSError("disk full")
        real_write(writer, chunk)

    monkeypatch.setattr(parts.FolderWriter, "write_chunk", failing_write)
    with pytest.raises(OSError, match="disk full"):
        folder_run(corpus, out, cache)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == snapshot
    monkeypatch.setattr(parts.FolderWriter, "write_chunk", real_write)
    folder_run(corpus, out, cache)
    assert_same_dataset(out, fresh(corpus, tmp_path))


def test_parts_whose_files_are_as_the_last_run_met_them_are_kept_without_a_lookup(tmp_path, monkeypatch):
    corpus, cache, out = make_corpus(tmp_path / "corpus"), tmp_path / "cache", tmp_path / "out"
    folder_run(corpus, out, cache)
    manifest = json.loads((out / PARTS_MANIFEST).read_text())
    assert all(p["files"] and p["inputs"] and p["runs"] for p in manifest["parts"])  # cold run: summaries too
    looked_up, real_lookup = [], RecordCache.lookup

    def lookup(store, files):
        looked_up.extend(f.id for f in files)
        return real_lookup(store, files)

    monkeypatch.setattr(RecordCache, "lookup", lookup)

    # A copy of an early file added at the end: the parts before are kept whole, unread, and
    # still the copy is found to be a duplicate of the early file (their rows go to the index).
    shutil.copy(corpus / "002.txt", corpus / "zz.txt")
    stats = folder_run(corpus, out, cache)
    assert_same_dataset(out, fresh(corpus, tmp_path))
    assert load_dataset(out).articles.set_index("id").loc["zz.txt", "duplicate_of"] == "002.txt"
    assert "002.txt" not in looked_up and len(looked_up) < 10 and stats.cached_files == 30

    # A touched file: only its part is looked up (and kept: its bytes are the same).
    looked_up.clear()
    os.utime(corpus / "010.txt", ns=(1, 1))
    stats = folder_run(corpus, out, cache)
    assert "010.txt" in looked_up and len(looked_up) < 10 and stats.output_parts[1] == 0
    assert_same_dataset(out, fresh(corpus, tmp_path))

    # The files of the parts kept whole are still in the cache: with the first file changed,
    # nothing can be kept whole, and every other file comes from the cache. Two workers.
    looked_up.clear()
    (corpus / "000.txt").write_text(SEED_TEXTS[1] + "\n\nĐã sửa.", encoding="utf-8")
    stats = folder_run(corpus, out, cache, jobs=2)
    assert len(looked_up) == 31 and stats.cached_files == 30
    assert_same_dataset(out, fresh(corpus, tmp_path))

    # A manifest whose summaries do not match (edited by hand): parts kept after a look-up.
    stats = folder_run(corpus, out, cache, jobs=2)
    looked_up.clear()
    manifest = json.loads((out / PARTS_MANIFEST).read_text())
    for p in manifest["parts"]:
        p["inputs"] = "0" * 32
    (out / PARTS_MANIFEST).write_text(json.dumps(manifest))
    os.utime(corpus / "010.txt", ns=(2, 2))
    stats = folder_run(corpus, out, cache)
    assert len(looked_up) == 31 and stats.output_parts[1] == 0
    assert_same_dataset(out, fresh(corpus, tmp_path))

    # The cache emptied: its rows are gone, so no part is kept and every file is read again.
    shutil.rmtree(cache)
    os.utime(corpus / "010.txt", ns=(3, 3))
    stats = folder_run(corpus, out, cache, jobs=2)
    assert stats.cached_files == 0 and stats.output_parts[0] == 0
    assert_same_dataset(out, fresh(corpus, tmp_path))


def test_files_added_later_are_checked_against_the_first_copies_in_parts_kept_whole(tmp_path):
    """The rows of a part kept whole join the duplicate index as the last run decided them: a
    near copy there is not a first copy that later files could be near copies of; its rejects
    go to the output as before."""
    corpus, cache, out = make_corpus(tmp_path / "corpus"), tmp_path / "cache", tmp_path / "out"
    words = list(reversed(f"{SEED_TEXTS[0]} {SEED_TEXTS[2]}".split(" ")))  # a story no other file resembles
    step = len(words) // 9

    def edited(base, offset, mark):  # 9 words replaced
        return [f"{mark}{i}" if i % step == offset else w for i, w in enumerate(base)]

    # Estimated similarities: story–copy 0.95, copy–copy of copy 0.92, story–copy of copy 0.88
    # (a near copy is ≥ 0.9); the assertions at the end check that this holds.
    copy = edited(words, step // 2, "x")
    copy_of_copy = edited(copy, step // 4, "y")
    (corpus / "001a.txt").write_text(" ".join(words), encoding="utf-8")
    (corpus / "001b.txt").write_text(" ".join(copy), encoding="utf-8")
    (corpus / "001c.txt").write_text("", encoding="utf-8")  # a reject inside a part
    folder_run(corpus, out, cache)
    assert any(p["rejects"] for p in json.loads((out / PARTS_MANIFEST).read_text())["parts"])
    (corpus / "zz.txt").write_text(" ".join(copy_of_copy), encoding="utf-8")
    stats = folder_run(corpus, out, cache)
    assert stats.output_parts[0] >= 5
    assert_same_dataset(out, fresh(corpus, tmp_path))
    rows = load_dataset(out).articles.set_index("id")
    assert rows.loc["001b.txt", "duplicate_of"] == "001a.txt"
    assert pd.isna(rows.loc["zz.txt", "duplicate_of"])
    # What makes this a test: without the story, the last file is a near copy of the copy.
    (corpus / "001a.txt").unlink()
    rows = load_dataset(fresh(corpus, tmp_path)).articles.set_index("id")
    assert rows.loc["zz.txt", "duplicate_of"] == "001b.txt"
