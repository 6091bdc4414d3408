"""Nothing lost under bad input and faults (#27): every input file and row ends as a record or
a reject with its reason, and a user never sees a traceback."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT


def cli(*args, cwd=ROOT, **kw):
    return subprocess.run([sys.executable, "-m", "citycoop", *map(str, args)], cwd=cwd,
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
