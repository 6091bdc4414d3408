"""The command line as a user runs it."""
import csv
import io
import json
import subprocess
import sys

import pyarrow.parquet as pq

from conftest import ROOT


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "citycoop", *args], cwd=cwd, capture_output=True,
                          text=True)


def test_extract_defaults_to_seeds_and_prints_a_summary():
    p = cli("extract", "--no-cache")
    assert p.returncode == 0
    assert len(p.stdout.splitlines()) == 5
    assert p.stderr.strip().splitlines()[-1] == (
        "citycoop: files read 5, articles 5, records 5, duplicates 0 (near 0), rejects 0, ignored 1")


def test_csv_and_parquet_flatten_lists(tmp_path):
    p = cli("extract", "seeds", "--format", "csv", "--no-cache")
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert len(rows) == 5
    row = next(r for r in rows if r["id"].startswith("002"))
    assert row["partners"] == "Guangzhou" and row["partner_provinces"] == "Guangdong"
    assert row["topic_metro"] != "0" and json.loads(row["partners_json"])[0]["level"] == "city"
    out = tmp_path / "seeds.parquet"
    p = cli("extract", "seeds", "-f", "parquet", "-o", str(out), "--no-cache")
    assert p.returncode == 0
    t = pq.read_table(out)
    assert t.num_rows == 5 and "topic_tourism" in t.column_names


def test_bad_files_are_reported_and_counted_not_fatal(tmp_path):
    (tmp_path / "good.txt").write_text((ROOT / "seeds/000_77aec2281c3530ce.txt").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (tmp_path / "rows.jsonl").write_text('{"title": "Hà Nội đón đoàn Quảng Tây", "text": "Ngày 4/5, Hà Nội tiếp đoàn Quảng Tây."}\nnot json\n', encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    p = cli("extract", str(tmp_path), "--rejects", str(rejects), "--no-cache")
    assert p.returncode == 0
    assert len(p.stdout.splitlines()) == 2  # good.txt and the valid jsonl row
    lines = [json.loads(line) for line in rejects.read_text().splitlines()]
    reasons = sorted(r["reason"] for r in lines)
    assert reasons == ["binary", "empty", "malformed_jsonl"]
    assert all(r["source"] and r["detail"] for r in lines)
    assert "rejected" in p.stderr and "bin.txt" in p.stderr
    assert "rejects 3" in p.stderr.splitlines()[-1]


def test_python_dash_m_equals_console_script():
    a = cli("extract", "--no-cache", "-q")
    from pathlib import Path
    b = subprocess.run([str(Path(sys.executable).parent / "citycoop"), "extract", "--no-cache", "-q"], cwd=ROOT,
                       capture_output=True, text=True)
    assert a.stdout == b.stdout


def test_missing_path_is_a_clear_error_and_exit_2():
    p = cli("extract", "no/such/folder")
    assert p.returncode == 2 and "no such file or folder: no/such/folder" in p.stderr
