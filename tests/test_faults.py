"""Nothing lost under bad input and faults (#27): every input file and row ends as a record or
a reject with its reason, and a user never sees a traceback."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT


def cli(*args, cwd=ROOT, **kw):
    # This checkout's package, whatever the working folder
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "citycoop", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, **kw)


def article(n: int, town: str = "Hà Nội") -> dict:
    return {"title": f"{town} đón đoàn Quảng Tây lần {n}",
            "text": f"Ngày 4/5/2024, {town} tiếp đoàn đại biểu Quảng Tây (Trung Quốc) lần thứ {n}, "
                    "bàn về du lịch và logistics qua cửa khẩu."}


def jsonl_line(n: int) -> str:
    return json.dumps(article(n), ensure_ascii=False)


def records_and_rejects(p, rejects_file):
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    records = [json.loads(x) for x in p.stdout.splitlines()] if p.stdout.strip() else []
    rejects = [json.loads(x) for x in rejects_file.read_text(encoding="utf-8").splitlines()]
    return records, rejects


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_jsonl_line_python_cannot_hold_is_a_reject_of_its_own(tmp_path, jobs):
    """A 5 000-digit integer (ValueError) and a 100 000-deep array (RecursionError) are valid
    JSON Python will not read: each is its line's reject, and the lines after it are read."""
    lines = [jsonl_line(1), '{"text": ' + "7" * 5000 + "}", jsonl_line(3),
             "[" * 100_000 + "]" * 100_000, jsonl_line(5)]
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejects_file = tmp_path / "rejects.jsonl"
    p = cli("extract", tmp_path / "export.jsonl", "--no-cache", "-j", jobs, "--rejects", rejects_file)
    records, rejects = records_and_rejects(p, rejects_file)
    assert [r["id"] for r in records] == ["export.jsonl#1", "export.jsonl#3", "export.jsonl#5"]
    assert [(r["source"].rsplit("#")[1], r["reason"]) for r in rejects] == [
        ("2", "malformed_jsonl"), ("4", "malformed_jsonl")]
    assert rejects[0]["detail"].startswith("line 2: Exceeds the limit (4300 digits)")
    assert rejects[1]["detail"] == "line 4: nested too deeply to read"


def seed_text() -> bytes:
    return (ROOT / "seeds/000_77aec2281c3530ce.txt").read_bytes()


@pytest.mark.parametrize("jobs,output", [("1", "out.jsonl"), ("2", "out.jsonl"), ("1", "out.parquet"),
                                         ("2", "out_data/")])
def test_a_file_name_that_is_not_utf8_is_a_reject_named_with_its_bytes_escaped(tmp_path, jobs, output):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_bytes(seed_text())
    with open(bytes(corpus) + b"/b\xe1o.txt", "wb") as fh:  # "báo" in Windows-1258: not UTF-8
        fh.write(seed_text())
    (corpus / "sub").mkdir()
    with open(bytes(corpus) + b"/sub/\xff.jsonl", "wb") as fh:
        fh.write((jsonl_line(1) + "\n").encode())
    rejects_file = tmp_path / "rejects.jsonl"
    p = cli("extract", corpus, "-o", tmp_path / output, "-j", jobs, "--rejects", rejects_file,
            cwd=tmp_path)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    rejects = [json.loads(x) for x in rejects_file.read_text(encoding="utf-8").splitlines()]
    assert [(r["source"], r["reason"]) for r in rejects] == [
        ("corpus/b\\xe1o.txt", "unreadable"), ("corpus/sub/\\xff.jsonl", "unreadable")]
    assert "name not UTF-8" in rejects[0]["detail"]
    assert "rejected corpus/b\\xe1o.txt: unreadable" in p.stderr
    assert "files read 3, articles 3, records 1" in p.stderr
