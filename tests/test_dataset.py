"""The public API as a whole: order, parallel = serial, cache, sidecar, Parquet round trip."""
import json
import shutil

import pandas as pd
import pytest

from citycoop.dataset import Settings, build_dataset, iter_corpus, load_dataset, read_meta
from citycoop.models import Reject
from conftest import corpus_with_copies, run_corpus as run


@pytest.fixture
def corpus(tmp_path):
    return corpus_with_copies(tmp_path / "corpus")


def records_only(items):
    return [i for i in items if not isinstance(i, Reject)]


def test_every_article_is_a_record_or_a_reject(corpus):
    items, stats = run([corpus])
    records = [i for i in items if not isinstance(i, Reject)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert stats.files == 9 and stats.articles == 9 == len(records) + len(rejects)
    assert [r.reason for r in rejects] == ["empty"]
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)  # input order


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


