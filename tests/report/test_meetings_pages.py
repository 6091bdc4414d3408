"""The reports count meetings, not articles — as a user finds them after `citycoop report`: one
meeting that three outlets reported, each in its own words, is one meeting with three articles
in the headline figures, the partners bar, the timeline and the meetings table; two meetings of
one pair on different days are two; a correction (an article marked not a meeting, one moved
out of its meeting) changes the charts when the report is made again; and the review page's
corrections entry for a flagged article, pasted into corrections.yml, is accepted by the next
run."""
import base64
import html
import re
import subprocess
import sys

import nbformat
import numpy as np
import plotly.graph_objects as go
import pytest

from citycoop.report.html import PLOTLY_MIME
from conftest import ROOT, run_report

pytestmark = pytest.mark.slow

# One meeting (Lạng Sơn receives Guangxi on 4 May 2024) as a portal, a newspaper and the
# national agency report it, each naming itself in a source line; the same pair meets again in
# August; a Cao Bằng–Baise meeting whose article gives no year.
ARTICLES = {  # name: (title, source line, lead paragraph)
    "portal.txt": ("Lạng Sơn hội đàm với Quảng Tây về hợp tác cửa khẩu",
                   "Nguồn Cổng thông tin điện tử tỉnh Lạng Sơn: https://langson.gov.vn/hoi-dam-quang-tay.html",
                   "Ngày 4/5/2024, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu Khu tự trị dân tộc Choang "
                   "Quảng Tây (Trung Quốc), bàn về du lịch và logistics qua cửa khẩu Hữu Nghị."),
    "paper.txt": ("Tăng cường hợp tác thông quan hàng hóa Lạng Sơn – Quảng Tây",
                  "Nguồn Báo Lạng Sơn: https://baolangson.vn/tang-cuong-hop-tac-thong-quan.html",
                  "Chiều 4/5/2024, lãnh đạo tỉnh Lạng Sơn tiếp đoàn đại biểu Khu tự trị dân tộc Choang Quảng Tây "
                  "(Trung Quốc); hai bên thảo luận thông quan hàng hóa và phát triển du lịch biên giới."),
    "agency.txt": ("Quảng Tây và Lạng Sơn thúc đẩy thương mại biên giới",
                   "Nguồn TTXVN: https://ttxvn.vn/quang-tay-lang-son-thuong-mai.html",
                   "Trong chuyến thăm ngày 4/5/2024, đoàn công tác Khu tự trị dân tộc Choang Quảng Tây (Trung Quốc) "
                   "đã làm việc với Ủy ban nhân dân tỉnh Lạng Sơn, hai bên nhất trí mở rộng thương mại biên giới và "
                   "hợp tác logistics tại các cửa khẩu."),
    "later.txt": ("Lạng Sơn tiếp đoàn Quảng Tây",
                  "Nguồn Báo Lạng Sơn: https://baolangson.vn/tiep-doan-quang-tay.html",
                  "Ngày 9/8/2024, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu Khu tự trị dân tộc Choang "
                  "Quảng Tây (Trung Quốc), bàn về thương mại biên giới."),
    "undated.txt": ("Cao Bằng làm việc với Bách Sắc", "",
                    "Ngày 12/6, lãnh đạo tỉnh Cao Bằng đã tiếp đoàn đại biểu thành phố Bách Sắc, Khu tự trị dân "
                    "tộc Choang Quảng Tây (Trung Quốc), trao đổi về hợp tác nông nghiệp và du lịch."),
}
ONE_MEETING = ("portal.txt", "paper.txt", "agency.txt")
GUANGXI = "Quảng Tây (Guangxi)"
PAGES = ("--partner", "Guangxi", "--topic", "trade")  # the overview, the review page and these two


def corpus_of(tmp_path, names):
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_text("\n\n".join(part for part in ARTICLES[name] if part) + "\n", encoding="utf-8")
    return folder


def report(corpus, out, *extra):
    p = run_report([corpus], out, *PAGES, *extra)
    assert p.returncode == 0, p.stderr
    return p


# ----------------------------------------------------------------------------- what a page shows
def outputs(page):
    """The outputs of an executed page's notebook (``out/<page>.ipynb``), in order."""
    nb = nbformat.read(page, as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _plain(value):
    """Plotly's JSON with its typed arrays ({"dtype", "bdata"}: numbers in base64) as lists."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        numbers = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return numbers.reshape(value["shape"]).tolist() if "shape" in value else numbers.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def figure(page, title_start: str) -> go.Figure:
    found = [go.Figure(_plain(o["data"][PLOTLY_MIME])) for o in outputs(page) if PLOTLY_MIME in o.get("data", {})]
    return next(f for f in found if f.layout.title.text.startswith(title_start))


def bars(fig: go.Figure) -> dict:
    return {y: int(x) for tr in fig.data for x, y in zip(tr.x, tr.y)}


def timeline_marks(fig: go.Figure) -> list[tuple[str, str, str]]:
    """(partner, date, hover text) of each mark of the timeline."""
    return sorted((tr.name, str(x)[:10], text) for tr in fig.data if tr.type == "scatter"
                  for x, text in zip(tr.x, tr.text))


def tables_of(page) -> list[str]:
    return [o["data"]["text/html"] for o in outputs(page) if "<table" in o.get("data", {}).get("text/html", "")]


def rows(table: str) -> list[dict[str, str]]:
    """A table's rows as {header: the cell's HTML}."""
    head = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    body = table.split("<tbody>")[1]
    return [dict(zip(head, re.findall(r"<td>(.*?)</td>", tr, re.S))) for tr in body.split("<tr>")[1:]]


def table_with(page, header: str) -> list[dict[str, str]]:
    return rows(next(t for t in tables_of(page) if f">{header}</th>" in t))


def headline(page) -> dict[str, str]:
    return {r[""]: r["value"] for r in table_with(page, "value")}


def coverage_line(page) -> str:
    line = next(o["data"]["text/html"] for o in outputs(page) if "reported in" in o.get("data", {}).get("text/html", ""))
    return re.sub(r"<[^>]+>", "", line)


# ----------------------------------------------------------------------------- meetings, not articles
def test_one_meeting_reported_by_three_outlets_is_one_meeting_with_three_articles(tmp_path):
    out = tmp_path / "reports"
    report(corpus_of(tmp_path, ONE_MEETING), out)
    overview = out / "corpus_overview.ipynb"
    assert coverage_line(overview) == "1 meeting, reported in 3 articles by 3 outlets."
    figures = headline(overview)
    assert (figures["meetings"], figures["articles reporting them"], figures["outlets reporting them"],
            figures["meetings reported by two or more articles"]) == ("1", "3", "3", "1")
    partners = figure(overview, "Chinese partner localities")
    assert bars(partners) == {GUANGXI: 1}
    assert partners.data[0].customdata[0][2] == "3 articles by 3 outlets"
    (mark,) = timeline_marks(figure(overview, "Timeline of meetings"))
    assert mark[:2] == (GUANGXI, "2024-05-04") and mark[2].endswith("reported in 3 articles by 3 outlets")
    (meeting,) = table_with(overview, "Reported in")
    assert (meeting["Articles"], meeting["Outlets"]) == ("3", "3")
    for url in ("https://langson.gov.vn/hoi-dam-quang-tay.html", "https://baolangson.vn/tang-cuong-hop-tac-thong-quan.html",
                "https://ttxvn.vn/quang-tay-lang-son-thuong-mai.html"):
        assert f'href="{url}"' in meeting["Reported in"]
    assert "(TTXVN)" in meeting["Reported in"] and "(Báo Lạng Sơn)" in meeting["Reported in"]
    assert len(table_with(overview, "Outlet")) == 3  # the article table still lists the three
    direction = figure(overview, "Who travelled")
    assert sum(sum(tr.y) for tr in direction.data) == 1
    # the partner's page and the topic's count the one meeting too
    assert len(table_with(out / "partner_Guangxi.ipynb", "Chinese officials")) == 1
    assert bars(figure(out / "topic_trade.ipynb", "Who discusses")) == {GUANGXI: 1, "Lạng Sơn (Lang Son)": 1}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "1 meeting(s), 2024-05-04 – 2024-05-04, reported in 3 articles by 3 outlets" in index


def test_two_meetings_of_one_pair_on_different_days_count_two(tmp_path):
    out = tmp_path / "reports"
    report(corpus_of(tmp_path, (*ONE_MEETING, "later.txt")), out)
    overview = out / "corpus_overview.ipynb"
    assert coverage_line(overview) == "2 meetings, reported in 4 articles by 3 outlets."
    assert headline(overview)["meetings"] == "2"
    assert bars(figure(overview, "Chinese partner localities")) == {GUANGXI: 2}
    marks = timeline_marks(figure(overview, "Timeline of meetings"))
    assert [m[1] for m in marks] == ["2024-05-04", "2024-08-09"]
    assert marks[1][2].endswith("reported in 1 article by 1 outlet")
    meetings = table_with(overview, "Reported in")
    assert [(m["Articles"], m["Outlets"]) for m in meetings] == [("3", "3"), ("1", "1")]
    pair = [tr.text for tr in figure(overview, "Who met whom").data if tr.mode == "lines"]
    assert pair == [f"Lạng Sơn (Lang Son) – {GUANGXI}: 2 meetings (4 articles)"]


def test_a_correction_changes_the_charts_when_the_report_is_made_again(tmp_path):
    """An article marked not a meeting leaves the counts; one moved out of its meeting makes a
    meeting of its own (the charts count the meetings table, moves and all)."""
    corpus, out = corpus_of(tmp_path, (*ONE_MEETING, "later.txt")), tmp_path / "reports"
    report(corpus, out)
    overview = out / "corpus_overview.ipynb"
    assert bars(figure(overview, "Chinese partner localities")) == {GUANGXI: 2}
    about = "  note: a tourism fair, no meeting\n  by: Lan\n  when: 2025-03-02\n"
    (corpus / "corrections.yml").write_text(f"- id: later.txt\n  not_a_meeting: true\n{about}", encoding="utf-8")
    again = report(corpus, out)
    assert "corrections 1 (applied 1, invalid 0)" in again.stderr
    assert bars(figure(overview, "Chinese partner localities")) == {GUANGXI: 1}
    assert [m[1] for m in timeline_marks(figure(overview, "Timeline of meetings"))] == ["2024-05-04"]
    assert coverage_line(overview) == "1 meeting, reported in 3 articles by 3 outlets."
    (corpus / "corrections.yml").write_text(
        f"- id: later.txt\n  not_a_meeting: true\n{about}- id: paper.txt\n  meeting: own\n"
        "  note: the paper reports the evening's banquet\n  by: Lan\n  when: 2025-03-02\n", encoding="utf-8")
    moved = report(corpus, out)
    assert "corrections 2 (applied 2, invalid 0)" in moved.stderr
    assert bars(figure(overview, "Chinese partner localities")) == {GUANGXI: 2}
    assert coverage_line(overview) == "2 meetings, reported in 3 articles by 3 outlets."
    meetings = table_with(overview, "Reported in")
    assert sorted(m["Articles"] for m in meetings) == ["1", "2"]


def _entry_for(review_html: str, article_id: str) -> str:
    """The corrections entry the review page shows for an article, as a reader copies it."""
    for block in re.findall(r'<pre class="citycoop-yaml">(.*?)</pre>', review_html, re.S):
        text = html.unescape(block)
        if text.startswith(f'- id: "{article_id}"'):
            return text
    raise AssertionError(f"no corrections entry for {article_id}")


def test_the_review_page_lists_a_flagged_article_with_an_entry_the_next_run_accepts(tmp_path):
    corpus, out = corpus_of(tmp_path, (*ONE_MEETING, "undated.txt")), tmp_path / "reports"
    report(corpus, out)
    page = (out / "review.html").read_text(encoding="utf-8")
    flagged = table_with(out / "review.ipynb", "Lead sentence")
    (row,) = [r for r in flagged if "undated.txt" in r["Article"]]
    assert "the year of the event is not stated" in row["To check"]
    assert "Ngày 12/6, lãnh đạo tỉnh Cao Bằng đã tiếp đoàn đại biểu thành phố Bách Sắc" in row["Lead sentence"]
    assert 'href="review.html"' in (out / "index.html").read_text(encoding="utf-8")
    entry = _entry_for(page, "undated.txt")
    assert '  event_date: "--06-12"' in entry.splitlines()

    def run_with(corrections: str):
        (corpus / "corrections.yml").write_text(corrections, encoding="utf-8")
        p = subprocess.run([sys.executable, "-m", "citycoop", "report", str(corpus), "--out", str(out), "--no-cache",
                            *PAGES], cwd=ROOT, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        assert "not applied" not in p.stderr and "corrections 1 (applied 1, invalid 0" in p.stderr, p.stderr
        return p

    pasted = run_with(entry)  # as it is: accepted (it asks for the note it has not)
    assert "warning: no note, by, when" in pasted.stderr
    assert "undated.txt" not in (out / "review.html").read_text(encoding="utf-8")  # looked at: off the list
    # the analyst writes the year in and says why: the meeting is dated, its year known
    filled = (entry.replace('"--06-12"', '"2024-06-12"').replace("note:   # why: what the text says",
                                                                  "note: the provincial portal dates it 2024")
              .replace("by:", "by: Lan").replace("when:   # YYYY-MM-DD", "when: 2025-03-02"))
    done = run_with(filled)
    assert "warning" not in done.stderr
    assert headline(out / "corpus_overview.ipynb")["meetings of unknown year"] == "0 of 2"
