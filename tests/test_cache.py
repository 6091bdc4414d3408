"""The record cache as a user meets it: re-runs skip work, never serve stale records, and the
cache folder does not keep what nothing refers to."""
import os
import shutil

from citycoop.dataset import RunStats, Settings, iter_corpus
from citycoop.models import Reject
from conftest import SEEDS

SEED = SEEDS / "000_77aec2281c3530ce.txt"


def run(corpus, cache):
    stats = RunStats()
    records = [i for i in iter_corpus([corpus], Settings(), cache=cache, stats=stats)
               if not isinstance(i, Reject)]
    return records, stats


def segments(cache):
    return sorted(p.name for p in (cache / "segments").glob("*.arrow"))


def test_changed_file_is_extracted_again_and_its_old_segment_removed(tmp_path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a.txt")
    first, _ = run(corpus, cache)
    old = segments(cache)
    (corpus / "a.txt").write_text(SEED.read_text(encoding="utf-8").replace("Trùng Khánh", "Thành Đô"),
                                  encoding="utf-8")
    second, stats = run(corpus, cache)
    assert stats.cached_files == 0
    assert first[0]["partners"][0]["name"] == "Chongqing" and second[0]["partners"][0]["name"] == "Chengdu"
    assert len(segments(cache)) == 1 and segments(cache) != old


def test_touched_file_with_the_same_bytes_is_not_extracted_again(tmp_path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a.txt")
    first, _ = run(corpus, cache)
    st = os.stat(corpus / "a.txt")
    os.utime(corpus / "a.txt", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    second, stats = run(corpus, cache)
    assert stats.cached_files == 1 and second == first


def test_a_deleted_segment_means_extracting_again_not_an_error(tmp_path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a.txt")
    first, _ = run(corpus, cache)
    for name in segments(cache):
        (cache / "segments" / name).unlink()
    second, stats = run(corpus, cache)
    assert stats.cached_files == 0 and second == first


def test_entries_of_settings_no_longer_used_are_dropped_with_their_segments(tmp_path):
    from citycoop.cache import KEEP_SETTINGS

    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a.txt")
    taxonomy = (SEEDS.parent / "src/citycoop/data/topics.yml").read_text(encoding="utf-8")
    settings = []
    for i in range(KEEP_SETTINGS + 1):  # each edit of the taxonomy is another settings fingerprint
        path = tmp_path / f"topics{i}.yml"
        path.write_text(taxonomy + f"\n# edit {i}\n", encoding="utf-8")
        settings.append(Settings(topics_file=str(path)))

    def run_with(s):
        stats = RunStats()
        list(iter_corpus([corpus], s, cache=cache, stats=stats))
        return stats.cached_files

    for s in settings[:KEEP_SETTINGS]:
        assert run_with(s) == 0
    assert len(segments(cache)) == KEEP_SETTINGS
    assert run_with(settings[KEEP_SETTINGS]) == 0  # one more: the least recently used is dropped
    assert len(segments(cache)) == KEEP_SETTINGS
    assert [run_with(s) for s in settings[1:]] == [1] * KEEP_SETTINGS  # the kept ones still serve
    assert run_with(settings[0]) == 0  # the dropped one is extracted again


def test_entries_of_files_gone_from_a_folder_are_dropped_after_a_complete_run_only(tmp_path):
    import sqlite3

    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a.txt")
    (corpus / "b.txt").write_text(SEED.read_text(encoding="utf-8").replace("Trùng Khánh", "Thành Đô"),
                                  encoding="utf-8")
    run(corpus, cache)

    def indexed():
        with sqlite3.connect(cache / "index.sqlite") as db:
            return sorted(p.split("\0")[1] for (p,) in db.execute("SELECT path FROM files_v2"))

    assert indexed() == ["a.txt", "b.txt"]
    (corpus / "b.txt").rename(corpus / "c.txt")
    # stopped after the first record: nothing may be forgotten on a partial run
    next(i for i in iter_corpus([corpus], Settings(), cache=cache) if not isinstance(i, Reject))
    assert indexed() == ["a.txt", "b.txt"]
    records, stats = run(corpus, cache)
    assert indexed() == ["a.txt", "c.txt"]  # b.txt is gone from the folder: so is its entry
    assert stats.cached_files == 1 and [r["partners"][0]["name"] for r in records] == ["Chongqing", "Chengdu"]
    (corpus / "c.txt").unlink()
    run(corpus, cache)
    assert indexed() == ["a.txt"] and len(segments(cache)) == 1


def test_a_segment_a_killed_run_was_writing_is_removed_a_day_later(tmp_path):
    import time

    from citycoop.cache import STALE_S

    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a.txt")
    run(corpus, cache)
    old, recent = cache / "segments" / "seg-killed.arrow.tmp", cache / "segments" / "seg-writing.arrow.tmp"
    for tmp in (old, recent):
        tmp.write_bytes(b"half a segment")
    day_ago = time.time() - STALE_S - 60
    os.utime(old, (day_ago, day_ago))
    (corpus / "b.txt").write_text(SEED.read_text(encoding="utf-8").replace("Trùng Khánh", "Thành Đô"),
                                  encoding="utf-8")
    run(corpus, cache)  # writes a segment, then prunes
    assert not old.exists() and recent.exists()
