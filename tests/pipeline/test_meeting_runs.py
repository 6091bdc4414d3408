"""The meetings table across runs and engines: ids stay when an incremental run adds reports of a
meeting already known, and the Dask engine groups exactly as the local one."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import LANGSON_GUANGXI, ROOT


def export_row(name: str, url: str, published: str) -> dict:
    """One of conftest's Lạng Sơn–Guangxi articles as an export's row, with its URL and date."""
    title, text = LANGSON_GUANGXI[name]
    return {"url": url, "title": title, "published": published, "text": text}


# The portal's reports of the 4 May meeting and of the 9 August one.
FIRST = [export_row("portal.txt", "https://portal.example.vn/a", "2024-05-04"),
         export_row("later.txt", "https://portal.example.vn/b", "2024-08-09")]
# Found later: a newspaper's report of the 4 May meeting, published after the portal's, in a file
# whose name sorts first (a meeting's id must come from its earliest report, not from file order).
LATER = [export_row("paper.txt", "https://paper.example.vn/x", "2024-05-06")]


def run(*args):
    return subprocess.run([sys.executable, "-m", "citycoop", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def write_export(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def meetings_of(folder: Path) -> dict[str, list[str]]:
    import pyarrow.parquet as pq

    table = pq.read_table(folder / "_meetings.parquet").to_pylist()
    return {m["meeting_id"]: sorted(json.loads(m["article_ids_json"])) for m in table}


def test_meeting_ids_stay_when_an_incremental_run_adds_a_later_report(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_export(corpus / "portal.jsonl", FIRST)
    out = tmp_path / "out"
    first = run("extract", corpus, "-o", out, "-f", "parquet", "-j", "1", "-q", "--cache", tmp_path / "cache")
    assert first.returncode == 0, first.stderr
    before = meetings_of(out)
    assert sorted(before.values()) == [["portal.jsonl#1"], ["portal.jsonl#2"]]

    write_export(corpus / "0_paper.jsonl", LATER)
    again = run("extract", corpus, "-o", out, "-f", "parquet", "-j", "1", "-q", "--cache", tmp_path / "cache")
    assert again.returncode == 0, again.stderr
    after = meetings_of(out)
    assert before.keys() == after.keys()  # no meeting renamed, none new
    joined = next(i for i, ids in after.items() if "0_paper.jsonl#1" in ids)
    assert after[joined] == ["0_paper.jsonl#1", "portal.jsonl#1"] and before[joined] == ["portal.jsonl#1"]


@pytest.mark.slow
def test_the_dask_engine_gives_the_meetings_the_local_engine_gives(tmp_path):
    import pyarrow.parquet as pq

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_export(corpus / "portal.jsonl", FIRST)
    write_export(corpus / "0_paper.jsonl", LATER)
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        (corpus / seed.name).write_bytes(seed.read_bytes())
    local = run("extract", corpus, "-o", tmp_path / "local", "-f", "parquet", "-j", "2", "-q", "--no-cache")
    assert local.returncode == 0, local.stderr
    dask = run("extract", corpus, "-o", tmp_path / "dask", "-f", "parquet", "--engine", "dask", "-q",
               "--no-cache")
    assert dask.returncode == 0, dask.stderr
    tables = [pq.read_table(tmp_path / name / "_meetings.parquet") for name in ("local", "dask")]
    # the five seeds' meetings, the one reported twice and the other of the same pair
    assert sorted(tables[0].column("n_articles").to_pylist()) == [1, 1, 1, 1, 1, 1, 2]
    assert tables[0].to_pylist() == tables[1].to_pylist()
