"""A new user's own exports (#26): columns under their usual names in any case and with or
without accents, other columns mapped with --field, one reject for an export with no text
column (not one per row), and a run that extracts nothing fails instead of "succeeding" with
records 0 (and `citycoop report` builds no pages of empty charts)."""
import csv
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

TEXT = ("Ngày 12/6/2024, đoàn đại biểu tỉnh Lạng Sơn do Chủ tịch UBND tỉnh dẫn đầu đã hội đàm với lãnh đạo "
        "Khu tự trị dân tộc Choang Quảng Tây (Trung Quốc) về hợp tác thương mại biên giới và du lịch.")


def cli(*args, cwd=ROOT, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "citycoop", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, **kw)


def text(n: int) -> str:
    return TEXT.replace("Lạng Sơn", ["Lạng Sơn", "Cao Bằng", "Hà Giang", "Lào Cai", "Quảng Ninh"][n % 5]) + f" Lần {n}."


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def records(p) -> dict:
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    return {r["id"]: r for r in map(json.loads, p.stdout.splitlines())}


def test_the_usual_column_names_are_read_in_any_case_with_or_without_accents(tmp_path):
    """A Vietnamese CSV (Tiêu đề, Nội dung, Đường dẫn, Ngày đăng, Tác giả) and an English JSONL
    (Headline, Body, Link, pubDate, Author, Site) had given one no_text_field per row."""
    write_csv(tmp_path / "bao.csv", ["Tiêu đề", "Nội dung", "Đường dẫn", "Ngày đăng", "Tác giả"],
              [["Lạng Sơn hội đàm Quảng Tây", text(0), "https://bao.vn/a", "12/06/2024", "Minh Anh"]])
    write_jsonl(tmp_path / "feed.jsonl", [
        {"Headline": "Cao Bằng hội đàm Quảng Tây", "Body": text(1), "Link": "https://feed.vn/b",
         "pubDate": "2024-06-13", "Author": "Lan", "Site": "Báo Feed"},
        {"HEADLINE": "no text in this row", "LINK": "https://feed.vn/c"}])
    write_csv(tmp_path / "plain.csv", ["noidung", "NGAY_DANG"], [[text(2), "2024-06-14"]])
    p = cli("extract", tmp_path, "--no-cache", "-j", "1")
    got = records(p)
    assert sorted(got) == ["bao.csv#1", "feed.jsonl#1", "plain.csv#1"]
    bao, feed, plain = got["bao.csv#1"], got["feed.jsonl#1"], got["plain.csv#1"]
    assert (bao["title"], bao["url"], bao["published"], bao["byline"]) == (
        "Lạng Sơn hội đàm Quảng Tây", "https://bao.vn/a", "2024-06-12", "Minh Anh")
    assert (feed["title"], feed["url"], feed["published"], feed["byline"], feed["outlet"]) == (
        "Cao Bằng hội đàm Quảng Tây", "https://feed.vn/b", "2024-06-13", "Lan", "Báo Feed")
    assert plain["published"] == "2024-06-14" and "Hà Giang" in plain["text"]
    # a later row without text is still a reject of its own, naming its keys
    assert ("rejected " + str(tmp_path / "feed.jsonl#2") + ": no_text_field (row 2 has no text key "
            "(its keys: HEADLINE, LINK; map one with --field text=<key>))") in p.stderr


def test_field_maps_other_columns_and_wins_over_the_usual_names(tmp_path):
    write_csv(tmp_path / "scrape.csv", ["tieu_de", "van_ban_goc", "text", "ngay_gio", "date"],
              [["Hai tỉnh hội đàm", text(3), "a teaser, not the article", "15/06/2024", "2001-01-01"]])
    p = cli("extract", tmp_path / "scrape.csv", "--no-cache", "-j", "1",
            "--field", "text=VAN_BAN_GOC", "--field", "published=ngay_gio")
    [record] = records(p).values()
    assert "Lào Cai" in record["text"] and "teaser" not in record["text"]
    assert record["published"] == "2024-06-15" and record["title"] == "Hai tỉnh hội đàm"


@pytest.mark.parametrize("option,message", [
    ("txt=body", "citycoop extract: --field txt=body: 'txt' is not a field; the fields are text, title, url, "
                 "published, outlet, byline\n"),
    ("text", "citycoop extract: --field text: give FIELD=COLUMN, e.g. --field text=body\n")])
def test_a_field_option_that_is_not_field_and_column_is_one_line(tmp_path, option, message):
    write_csv(tmp_path / "a.csv", ["body"], [[text(1)]])
    p = cli("extract", tmp_path / "a.csv", "--no-cache", "--field", option, "-o", tmp_path / "out.jsonl")
    assert (p.returncode, p.stderr) == (2, message)
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_export_without_a_text_column_is_one_reject_naming_its_columns(tmp_path, jobs):
    """2 000 rows of headline,body_html,link,date had been 2 000 lines of no_text_field; with
    -j2 a large export is read in parts, and is still one reject."""
    rows = [[f"Tin {i}", "<p>" + text(i) + "</p>" * 30, f"https://x.vn/{i}", "2024-06-12"] for i in range(2000)]
    write_csv(tmp_path / "news.csv", ["headline", "body_html", "link", "date"], rows * (20 if jobs == "2" else 1))
    write_jsonl(tmp_path / "news.jsonl", [dict(zip(["headline", "body_html", "link", "date"], r)) for r in rows])
    if jobs == "2":
        assert (tmp_path / "news.csv").stat().st_size > 8 << 20  # read in parts (Tuning.part_bytes)
    rejects = tmp_path / "rejects.jsonl"
    p = cli("extract", tmp_path / "news.csv", tmp_path / "news.jsonl", "--no-cache", "-j", jobs,
            "--rejects", rejects, "-o", tmp_path / "out.jsonl")
    assert "Traceback" not in p.stderr
    assert [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()] == [
        {"source": str(tmp_path / "news.csv"), "reason": "no_text_field",
         "detail": "no text column: found headline, body_html, link, date; map one with --field text=<column>"},
        {"source": str(tmp_path / "news.jsonl"), "reason": "no_text_field",
         "detail": "no text key in its first 10 objects: found headline, body_html, link, date; map one with "
                   "--field text=<key>"}]
    lines = p.stderr.splitlines()
    assert sum("rejected" in line for line in lines) == 2
    assert "files read 2, articles 2, records 0, duplicates 0 (near 0), rejects 2 (no_text_field 2)" in p.stderr


def test_a_text_column_the_user_named_but_the_file_lacks_is_said(tmp_path):
    write_csv(tmp_path / "news.csv", ["headline", "body_html"], [["A", "<p>x</p>"]])
    p = cli("extract", tmp_path / "news.csv", "--no-cache", "--field", "text=body", "-q")
    assert ("rejected" not in p.stderr and p.returncode == 1)
    p = cli("extract", tmp_path / "news.csv", "--no-cache", "--field", "text=body")
    assert (f"citycoop: rejected {tmp_path / 'news.csv'}: no_text_field (no text column (none named body, as "
            "--field text= asks): found headline, body_html; map one with --field text=<column>)") in p.stderr


@pytest.mark.parametrize("output", [None, "out.jsonl", "out.parquet"])
def test_a_run_that_extracts_nothing_fails_and_says_why(tmp_path, output):
    (tmp_path / "corpus").mkdir()
    write_csv(tmp_path / "corpus" / "news.csv", ["headline", "body_html"], [["A", "<p>x</p>"]] * 5)
    (tmp_path / "corpus" / "empty.txt").write_text("")
    p = cli("extract", tmp_path / "corpus", "--no-cache", "-q", *(["-o", tmp_path / output] if output else []))
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr
    assert p.stderr.splitlines()[-1] == (
        "citycoop extract: nothing extracted: no record from the 2 input files, 2 rejects (empty 1, "
        "no_text_field 1); an export's text column is mapped with --field text=<column>")
    # and a folder of nothing to read is no failure: it was given no input
    (tmp_path / "none").mkdir()
    assert cli("extract", tmp_path / "none", "--no-cache", "-q").returncode == 0


def test_evaluate_maps_fields_and_fails_when_nothing_is_extracted(tmp_path):
    write_csv(tmp_path / "news.csv", ["headline", "bai_bao"], [["Lạng Sơn hội đàm Quảng Tây", text(0)]])
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc": "news.csv#1", "vn": ["Lang Son"], "cn_provinces": ["Guangxi"]}) + "\n",
                    encoding="utf-8")
    failed = cli("evaluate", tmp_path / "news.csv", "--gold", gold, "--no-cache", "-j", "1")
    assert failed.returncode == 1 and "Traceback" not in failed.stderr, failed.stderr
    assert failed.stderr.splitlines()[-1].startswith("citycoop evaluate: nothing extracted: no record from the 1 "
                                                     "input file, 1 reject (no_text_field 1)")
    mapped = cli("evaluate", tmp_path / "news.csv", "--gold", gold, "--no-cache", "-j", "1",
                 "--field", "text=bai_bao")
    assert mapped.returncode == 0, mapped.stderr
    assert "1 labels; 1 matched to a record" in mapped.stdout


def test_report_on_a_corpus_with_no_record_builds_no_page_and_fails(tmp_path):
    """It had spent two minutes building 17 pages of empty charts and exited 0."""
    write_csv(tmp_path / "news.csv", ["headline", "body_html", "link", "date"], [["A", "<p>x</p>", "u", "d"]] * 3)
    out = tmp_path / "reports"
    p = cli("report", tmp_path / "news.csv", "--out", out, "--no-cache", timeout=300)
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr
    assert p.stderr.splitlines()[-1] == (
        "citycoop report: no pages built: nothing extracted: no record from the 1 input file, 1 reject "
        "(no_text_field 1); an export's text column is mapped with --field text=<column>")
    assert not list(out.glob("*.html")) and p.stdout == ""


@pytest.mark.slow
def test_report_reads_an_export_through_the_fields_mapped(tmp_path):
    write_csv(tmp_path / "news.csv", ["tieu_de", "bai_bao"], [["Lạng Sơn hội đàm Quảng Tây", text(0)]])
    out = tmp_path / "reports"
    p = cli("report", tmp_path / "news.csv", "--out", out, "--no-cache", "-q", "--overview-only",
            "--field", "text=bai_bao", timeout=600)
    assert p.returncode == 0, p.stderr
    assert "records 1" in p.stderr and (out / "corpus_overview.html").exists()
