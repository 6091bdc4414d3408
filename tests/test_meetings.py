"""Meetings (citycoop.meetings): which articles report one meeting — same day, adjacent days, a
stated multi-day visit, an outlet naming fewer parties, different meetings of one pair,
year-less dates, copies; independence of input order and ids that stay when later reports join;
the pairwise "same meeting" figures of `citycoop evaluate`; the meetings file `citycoop extract`
writes beside its output, and never reads back."""
import itertools
import json
import subprocess
import sys

import pytest

from citycoop import evaluate
from citycoop.extract.dates import last_day_of
from citycoop.meetings import (Report, event_span, group, meeting_id, meetings_path_for)
from conftest import LANGSON_GUANGXI, ROOT, write_articles


def record(id, event_date, *, vn=("Lao Cai",), cn=("Yunnan",), direction="inbound", published=None,
           phrase=None, outlet=None, duplicate_of=None, officials=(), topics=None, evidence=None):
    """A record with what grouping reads; a partner's level follows its name (provinces here)."""
    return {"id": id, "source": id, "published": published, "outlet": outlet, "url": None,
            "event_date": event_date, "event_date_phrase": phrase, "direction": direction,
            "duplicate_of": duplicate_of,
            "vn_localities": [{"name": v} for v in vn],
            "partners": [{"name": c, "province": "Yunnan" if c != "Guangxi" else c} for c in cn],
            "officials": [dict(o) for o in officials], "topics": topics or {}, "evidence": evidence or {}}


def meetings_of(*records):
    return group(Report.of_record(r) for r in records)


def together(meetings) -> list[list[str]]:
    """The articles of each meeting, sorted: what a test compares."""
    return sorted(sorted(m["article_ids"]) for m in meetings)


# ----------------------------------------------------------------------------- dates
@pytest.mark.parametrize("phrase, last", [
    ("từ ngày 21 đến 25/5", (25, 5)), ("ngày 24 và 25/3", (25, 3)), ("ngày 30/12 - 2/1/2025", (2, 1)),
    ("ngày 2-5/4/2024", (5, 4)), ("Thứ Ba (12-3)", (12, 3)), ("Ngày 10-12", (10, 12)),
    ("ngày 5 tháng 6 năm 2024", None), (None, None)])
def test_the_last_day_a_date_phrase_names(phrase, last):
    assert last_day_of(phrase) == last


def test_a_span_reaches_the_end_of_a_stated_visit_and_no_further_than_a_visit_lasts():
    assert event_span("2024-05-21", "từ ngày 21 đến 25/5").days == 5
    assert str(event_span("2024-12-30", "ngày 30/12 - 2/1/2025").end) == "2025-01-02"
    assert event_span("2024-05-21", "Sáng 21/5").days == 1
    assert event_span("2018-11-04", "từ ngày 4 đến 28/11/2018").days == 1  # a month's programme
    yearless = event_span("--03-15", "ngày 15/3")
    assert not yearless.year_known and (yearless.start.month, yearless.start.day) == (3, 15)
    assert event_span(None, None) is None and event_span("--02-30", None) is None


# ----------------------------------------------------------------------------- grouping
def test_one_day_reported_by_several_outlets_is_one_meeting():
    ms = meetings_of(record("a", "2024-03-12", published="2024-03-12", outlet="baolaocai.vn"),
                     record("b", "2024-03-12", published="2024-03-13", outlet="vietnamplus.vn"),
                     record("c", "2024-03-12", published="2024-03-13"))
    assert together(ms) == [["a", "b", "c"]]
    m = ms[0]
    assert (m["n_articles"], m["n_outlets"]) == (3, 3)  # the article without an outlet counts as one
    assert (m["first_report"], m["last_report"], m["event_date"], m["date_precision"]) == (
        "2024-03-12", "2024-03-13", "2024-03-12", "day")


def test_reports_a_day_apart_are_one_meeting_but_days_do_not_chain():
    assert together(meetings_of(record("a", "2024-03-12"), record("b", "2024-03-13"))) == [["a", "b"]]
    ms = meetings_of(record("a", "2024-03-10", published="2024-03-10"),
                     record("b", "2024-03-11", published="2024-03-11"),
                     record("c", "2024-03-12", published="2024-03-12"))
    assert together(ms) == [["a", "b"], ["c"]]
    assert together(meetings_of(record("a", "2024-03-12"), record("b", "2024-03-14"))) == [["a"], ["b"]]


def test_a_multi_day_visit_holds_the_reports_of_its_days():
    ms = meetings_of(record("visit", "2024-05-21", phrase="từ ngày 21 đến 25/5", published="2024-05-20"),
                     record("day3", "2024-05-23", published="2024-05-23"),
                     record("after", "2024-05-26", published="2024-05-26"),
                     record("later", "2024-05-28", published="2024-05-28"))
    assert together(ms) == [["after", "day3", "visit"], ["later"]]
    visit = next(m for m in ms if "visit" in m["article_ids"])
    assert (visit["event_date"], visit["event_end"]) == ("2024-05-21", "2024-05-25")


def test_an_outlet_that_names_fewer_parties_reports_the_same_meeting():
    ms = meetings_of(record("all", "2023-11-13", vn=("Hanoi", "Lao Cai", "Hai Phong"), cn=("Ningbo", "Hangzhou")),
                     record("fewer", "2023-11-13", vn=("Lao Cai",), cn=("Ningbo",)))
    assert together(ms) == [["all", "fewer"]]
    assert [p["name"] for p in ms[0]["partners"]] == ["Ningbo", "Hangzhou"]
    assert "articles name different parties (some name fewer)" in ms[0]["warnings"]


@pytest.mark.parametrize("other", [
    dict(vn=("Ha Giang",)),  # another Vietnamese province the same day
    dict(cn=("Zhejiang",)),  # the province where the other article names its city: another body
    dict(vn=()),  # a national host names no locality
    dict(vn=("Lao Cai", "Ha Giang"), cn=("Hangzhou",)),  # neither set contains the other's
    dict(direction="outbound"),  # they went there; the others came here
])
def test_parties_or_directions_that_differ_are_different_meetings(other):
    ms = meetings_of(record("a", "2024-03-14", vn=("Lao Cai",), cn=("Ningbo",)),
                     record("b", "2024-03-14", **{"vn": ("Lao Cai",), "cn": ("Ningbo",), **other}))
    assert together(ms) == [["a"], ["b"]]


def test_an_unknown_direction_joins_a_stated_one():
    ms = meetings_of(record("a", "2024-03-14", direction="unknown"), record("b", "2024-03-14", direction="outbound"))
    assert together(ms) == [["a", "b"]] and ms[0]["direction"] == "outbound"


def test_different_days_of_one_pair_are_different_meetings():
    ms = meetings_of(record("spring", "2024-02-20"), record("summer", "2024-07-17"),
                     record("next-spring", "2025-02-20"), record("undated", None), record("undated2", None))
    assert together(ms) == [["next-spring"], ["spring"], ["summer"], ["undated"], ["undated2"]]
    assert [m["date_precision"] for m in ms][-2:] == [None, None]


def test_a_year_less_date_joins_the_one_meeting_of_its_day_and_month():
    dated = [record("a", "2024-03-15", published="2024-03-15"), record("b", "2024-03-15", published="2024-03-16")]
    ms = meetings_of(*dated, record("yearless", "--03-15"))
    assert together(ms) == [["a", "b", "yearless"]]
    assert ms[0]["event_date"] == "2024-03-15" and ms[0]["date_precision"] == "day"
    # the same day in two years: which one it reports cannot be told
    ms = meetings_of(*dated, record("c", "2023-03-15", published="2023-03-15"), record("yearless", "--03-15"))
    assert ["yearless"] in together(ms)
    # two year-less reports: one meeting only when published close together
    assert together(meetings_of(record("x", "--03-15"), record("y", "--03-15"))) == [["x"], ["y"]]
    alone = meetings_of(record("x", "--03-15"))
    assert (alone[0]["event_date"], alone[0]["date_precision"]) == ("--03-15", "month_day")


def test_copies_go_where_their_original_goes():
    ms = meetings_of(record("orig", "2024-03-12"),
                     # a near copy read a little differently: it still follows its original
                     record("copy", "2024-03-20", vn=("Ha Giang",), duplicate_of="orig"),
                     record("copy-of-none", "2024-03-12", cn=(), duplicate_of="none"),
                     record("none", "2024-03-12", cn=()))
    assert together(ms) == [["copy", "orig"]]


def test_records_without_a_chinese_partner_are_not_meetings():
    assert meetings_of(record("a", "2024-03-12", cn=()), record("b", None, cn=())) == []


def test_officials_topics_and_evidence_are_merged_with_the_article_each_came_from():
    ms = meetings_of(
        record("a", "2024-03-12", published="2024-03-12",
               officials=[{"name": "Trịnh Xuân Trường", "title": "Bí thư Tỉnh ủy Lào Cai", "side": "vn"}],
               topics={"transport": 2, "tourism": 0}, evidence={"transport": ["Đường sắt Lào Cai – Hà Khẩu."]}),
        record("b", "2024-03-12", published="2024-03-13",
               officials=[{"name": "Trịnh  Xuân Trường", "title": "Bí thư", "side": "vn"},
                          {"name": "Vương Ninh", "title": "Bí thư Tỉnh ủy Vân Nam", "side": "cn"}],
               topics={"transport": 1, "tourism": 3}, evidence={"tourism": ["Du lịch hai tỉnh."]}))
    m = ms[0]
    assert m["officials"] == [
        {"name": "Trịnh Xuân Trường", "title": "Bí thư Tỉnh ủy Lào Cai", "side": "vn", "articles": ["a", "b"]},
        {"name": "Vương Ninh", "title": "Bí thư Tỉnh ủy Vân Nam", "side": "cn", "articles": ["b"]}]
    assert m["topics"] == ["tourism", "transport"]
    assert m["evidence"] == {"tourism": [{"article": "b", "sentence": "Du lịch hai tỉnh."}],
                             "transport": [{"article": "a", "sentence": "Đường sắt Lào Cai – Hà Khẩu."}]}


CORPUS = [
    record("r1", "2024-03-12", published="2024-03-12"),
    record("r2", "2024-03-13", published="2024-03-13", direction="unknown"),
    record("r3", "--03-12"),
    record("r4", "2024-03-12", vn=("Lao Cai", "Ha Giang"), published="2024-03-14"),
    record("r5", "2024-05-21", phrase="từ ngày 21 đến 25/5", published="2024-05-26"),
    record("r6", "2024-05-22", published="2024-05-22"),
    record("r7", "2024-05-24", published="2024-05-24"),
    record("r8", "2024-05-22", cn=("Guangxi",), published="2024-05-22"),
    record("r9", None, published="2024-05-22"),
]


def test_meetings_do_not_depend_on_the_order_of_the_records():
    expected = meetings_of(*CORPUS)
    for order in itertools.islice(itertools.permutations(CORPUS), 0, None, 997):
        assert meetings_of(*order) == expected
    assert meetings_of(*reversed(CORPUS)) == expected


def test_ids_stay_when_later_reports_join():
    before = {m["meeting_id"]: m["article_ids"] for m in meetings_of(*CORPUS)}
    later = [record("r10", "2024-03-12", published="2024-04-01", outlet="late.vn"),
             record("r11", "2024-05-25", published="2024-06-01")]
    after = {m["meeting_id"]: m["article_ids"] for m in meetings_of(*CORPUS, *later)}
    assert set(before) <= set(after)  # every meeting keeps its id
    joined = next(i for i, ids in after.items() if "r10" in ids)
    assert joined in before and set(before[joined]) < set(after[joined])
    assert joined == meeting_id(after[joined][0]) == meeting_id("r1")  # its first report's


# ----------------------------------------------------------------------------- evaluate
def test_evaluate_scores_pairs_of_articles_reporting_one_meeting(tmp_path):
    records = [dict(record("a", "2024-03-12"), source="x/a.txt"), dict(record("b", "2024-03-12"), source="x/b.txt"),
               dict(record("c", "2024-03-12"), source="x/c.txt"),
               dict(record("d", "2024-03-20"), source="x/d.txt"), dict(record("e", "2024-03-30"), source="x/e.txt")]
    labels = [{"doc": "a.txt", "event_group": "g1"}, {"doc": "b.txt", "event_group": "g1"},
              {"doc": "c.txt", "event_group": None},  # found with a and b: 2 wrong pairs
              {"doc": "d.txt", "event_group": "g2"}, {"doc": "e.txt", "event_group": "g2"}]  # split: 1 missed
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(x) + "\n" for x in labels), encoding="utf-8")
    ev = evaluate.evaluate(records, evaluate.read_labels([gold]), provinces_of={})
    assert (ev.meetings.tp, ev.meetings.fp, ev.meetings.fn) == (1, 2, 1)
    assert round(ev.meetings.precision, 3) == 0.333 and ev.meetings.recall == 0.5
    assert ev.metrics()["meetings"] == 0.4 and "meetings" in evaluate.METRICS
    text = evaluate.format_text(ev, show=True)
    assert "same meeting       0.333   0.500  0.400   1 / 2 / 1" in text
    assert "c.txt: meetings: reports one meeting with [], found with [a.txt, b.txt]; merged with [a.txt, b.txt]" in text
    assert "d.txt: meetings: reports one meeting with [e.txt], found with []; split from [e.txt]" in text
    # labels without event_group: the figure is not measured
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"doc": "a.txt"}) + "\n", encoding="utf-8")
    assert evaluate.evaluate(records, evaluate.read_labels([plain]), provinces_of={}).meetings is None


# ----------------------------------------------------------------------------- the command


def run(*args):
    return subprocess.run([sys.executable, "-m", "citycoop", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


@pytest.fixture
def corpus(tmp_path):
    return write_articles(tmp_path / "corpus", LANGSON_GUANGXI)


def test_extract_writes_the_meetings_beside_its_output_and_never_reads_them(corpus, tmp_path):
    out = corpus / "out.jsonl"  # inside the corpus: the next run must not read what this one wrote
    done = run("extract", corpus, "-o", out, "--no-cache", "-j", "1", "-q")
    assert done.returncode == 0, done.stderr
    path = corpus / "out.meetings.jsonl"
    assert meetings_path_for(out, "jsonl") == path
    meetings = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert together(meetings) == [["later.txt"], ["paper.txt", "portal.txt"]]
    assert meetings[0]["event_date"] == "2024-05-04" and meetings[0]["n_articles"] == 2
    again = run("extract", corpus, "-o", tmp_path / "again.csv", "--no-cache", "-j", "1", "-q")
    # out.jsonl, an input this time, is a reject; its meetings file is skipped as an output
    assert again.returncode == 0 and "records 3" in again.stderr, again.stderr
    assert "rejects 1 (citycoop_output 1), ignored 1" in again.stderr
    flat = (tmp_path / "again.meetings.csv").read_text(encoding="utf-8")
    assert flat.splitlines()[0].startswith("meeting_id,event_date,event_end,date_precision,direction")
    renamed = tmp_path / "renamed"  # a meetings table under another name is never an article
    renamed.mkdir()
    (renamed / "table.jsonl").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert "citycoop_output" in run("extract", renamed, "--no-cache", "-j", "1").stderr


def test_parquet_outputs_have_their_meetings_beside_them(corpus, tmp_path):
    import pyarrow.parquet as pq

    for out, meetings in ((tmp_path / "out.parquet", tmp_path / "out.meetings.parquet"),
                          (tmp_path / "parts", tmp_path / "parts" / "_meetings.parquet")):
        done = run("extract", corpus, "-o", out, "-f", "parquet", "-j", "1", "-q")
        assert done.returncode == 0, done.stderr
        table = pq.read_table(meetings)
        assert sorted(table.column("n_articles").to_pylist()) == [1, 2]
    # a second run that keeps the folder's parts still has every record's meeting
    again = run("extract", corpus, "-o", tmp_path / "parts", "-f", "parquet", "-j", "1", "-q")
    assert again.returncode == 0, again.stderr
    assert pq.read_table(tmp_path / "parts" / "_meetings.parquet").num_rows == 2


def test_an_article_reporting_two_meetings_is_linked_to_the_one_its_lead_reports(tmp_path):
    """A delegation's tour: one outlet reports the 4 May meeting alone, another reports it in its
    lead and the next stop, two days later with another province, further down. Both articles
    are one meeting, on the lead's day; the later stop is not a meeting of its own."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "portal.txt").write_text(
        "Lạng Sơn hội đàm với Quảng Tây\n\nNgày 4/5/2024, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu "
        "Khu tự trị dân tộc Choang Quảng Tây (Trung Quốc), bàn về du lịch và logistics.\n", encoding="utf-8")
    (corpus / "tour.txt").write_text(
        "Đoàn Quảng Tây thăm các tỉnh biên giới\n\nNgày 4/5/2024, lãnh đạo tỉnh Lạng Sơn tiếp đoàn đại biểu Khu "
        "tự trị dân tộc Choang Quảng Tây (Trung Quốc); hai bên bàn về thông quan hàng hóa.\n\nNgày 6/5/2024, "
        "đoàn tiếp tục làm việc với tỉnh Cao Bằng, trao đổi về khu hợp tác kinh tế qua biên giới.\n",
        encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = run("extract", corpus, "-o", out, "--no-cache", "-j", "1", "-q")
    assert done.returncode == 0, done.stderr
    meetings = [json.loads(x) for x in (tmp_path / "out.meetings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert together(meetings) == [["portal.txt", "tour.txt"]]
    assert meetings[0]["event_date"] == "2024-05-04" and meetings[0]["n_articles"] == 2
