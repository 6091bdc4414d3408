"""What a run is given: Settings and their Tuning, the fingerprint that keys the cache, the
sidecar metadata."""
import pickle

import pytest

from citycoop.pipeline.settings import Settings, Tuning, fingerprint, read_meta


def test_settings_with_their_tuning_are_frozen_picklable_and_compared_by_value():
    settings = Settings(max_bytes=10**6, tuning=Tuning(batch_files=2, part_bytes=500))
    assert pickle.loads(pickle.dumps(settings)) == settings  # every worker task gets them
    assert settings != Settings(max_bytes=10**6) and hash(settings) == hash(pickle.loads(pickle.dumps(settings)))
    with pytest.raises(AttributeError):
        settings.tuning.batch_files = 3


def test_the_default_tuning_is_the_sizes_the_pipeline_was_measured_with():
    t = Tuning()
    assert (t.batch_files, t.arrow_block, t.spill_rows, t.chunk_rows, t.part_bytes) == (16, 1024, 8192, 8192, 8 << 20)
    assert (t.lookup_files, t.prefetch_files, t.extract_vs_walk, t.replay_rows, t.lookahead_files) == \
        (512, 4096, 50, 100_000, 50_000)
    assert (t.files_per_output_part, t.files_per_task, t.tasks_per_thread) == (1024, 200, 2)


def test_the_fingerprint_follows_what_decides_records_and_not_how_the_work_is_cut():
    base = fingerprint(Settings())
    assert fingerprint(Settings(tuning=Tuning(batch_files=1, chunk_rows=7))) == base
    assert fingerprint(Settings(furniture=b"\x00" * 8)) == base  # each file's cache key carries its share
    assert fingerprint(Settings(max_bytes=10**6)) != base
    assert fingerprint(Settings(fields=(("text", "body"),))) != base


def test_a_sidecar_is_read_into_settings_or_refused_in_a_line(tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("id,Published,title\na.txt, 2024-05-01 ,\n\nb.txt,,Tựa\n", encoding="utf-8")
    assert read_meta(meta) == (("a.txt", (("published", "2024-05-01"),)), ("b.txt", (("title", "Tựa"),)))
    for text, problem in (("name,published\nx,1\n", "no 'id' column"), ("id,published\na,1,2\n", "line 2"),
                          (b"id\n\xff\n", "not UTF-8")):
        (meta.write_bytes if isinstance(text, bytes) else meta.write_text)(text)
        with pytest.raises(ValueError, match=problem):
            read_meta(meta)
