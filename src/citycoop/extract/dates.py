"""The date of the meeting reported in the lead.

Returns ISO ``YYYY-MM-DD`` when the year is known, ISO 8601 ``--MM-DD`` when the text gives
day and month only and nothing tells the year, None when there is no date. The year comes
from the text, else from the publication date (a meeting can only precede its report, so
"ngày 30/12" published on 2 January is the previous year), else it stays unknown.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PART_OF_DAY = r"(?:sáng|chiều|tối|trưa|đêm|rạng sáng|sáng sớm)"


def _dm(n: int) -> str:
    """Day/month[/year] with group names d<n>, m<n>, y<n> (one set per alternative)."""
    return (rf"(?P<d{n}>\d{{1,2}})\s*[/\-.]\s*(?P<m{n}>\d{{1,2}})(?!\d)"
            rf"(?:\s*[/\-.]\s*(?P<y{n}>\d{{4}}))?")


_DM_WORDS = r"(?P<d9>\d{1,2})\s+tháng\s+(?P<m9>\d{1,2})(?:\s*(?:,\s*)?năm\s+(?P<y9>\d{4}))?"
# "Ngày 24/10", "ngày 26-11", "Sáng 27/2", "Chiều ngày 11/6/2024", "từ ngày 28/1 đến 1/2",
# "ngày 5 tháng 6 năm 2024", and "sáng nay (26/3)" / "hôm qua (25/3)". Days of one month:
# "từ ngày 2 - 5/4", "ngày 2-5/4/2024", "từ ngày 2 đến 5/4" (the first day is ``first``).
_EVENT_DATE = re.compile(
    rf"(?:(?<![\w])(?:{_PART_OF_DAY}\s+)?(?:từ\s+)?ngày\s+"
    rf"(?:(?P<first>\d{{1,2}})\s*(?:-|–|đến|tới)\s*(?:ngày\s+)?)?(?:{_dm(1)}|{_DM_WORDS})(?!\d)"
    rf"|(?<![\w]){_PART_OF_DAY}\s+(?:{_dm(2)})(?![\d%])"
    rf"|(?:(?<![\w]){_PART_OF_DAY}\s+)?(?:nay|qua|hôm nay|hôm qua|tối qua)\s*\(\s*(?:{_dm(3)})\s*\))",
    re.IGNORECASE,
)
_RANGE_END = re.compile(r"\s*(?:đến|tới|-|–)\s*(?:ngày\s+)?\d{1,2}\s*[/\-.]\s*(?P<m>\d{1,2})\s*[/\-.]\s*(?P<y>\d{4})")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(?:năm\s+)(?P<y>(?:19|20)\d{2})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class EventDate:
    value: str | None  # YYYY-MM-DD, --MM-DD or None
    source: str | None  # text | published | none (day and month only) | None
    phrase: str | None  # the words it was read from


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
        return True
    except ValueError:
        return False


def find_event_date(lead: str, published: str | None) -> EventDate:
    """Read the first meeting date in ``lead`` (title + first paragraphs)."""
    for m in _EVENT_DATE.finditer(lead):
        groups = {k[0]: v for k, v in m.groupdict().items() if v}  # "d1" → "d"
        day, month, year = int(groups["d"]), int(groups["m"]), groups.get("y")
        if m["first"]:  # the meeting began on the range's first day ("30 - 2/12": in November)
            if int(m["first"]) > day:
                month, year = (month - 1, year) if month > 1 else (12, year and str(int(year) - 1))
            day = int(m["first"])
        if not (1 <= month <= 12 and _valid(2000, month, day)):
            continue  # 29/2 is checked against its year below
        phrase = m.group(0)
        if not year:  # "từ ngày 3/4 đến 6/4/2024", "ngày 30/12 - 2/1/2025": the range's end carries the year
            end = _RANGE_END.match(lead, m.end())
            if end:
                end_year, end_month = int(end["y"]), int(end["m"])
                year = str(end_year - 1 if month > end_month else end_year)
                phrase += end.group(0)
        if year:
            if _valid(int(year), month, day):
                return EventDate(dt.date(int(year), month, day).isoformat(), "text", phrase)
            continue
        if published:
            pub = dt.date.fromisoformat(published)
            y = pub.year
            # An event reported after it happened: a date later than publication
            # (beyond a week of announced plans) belongs to the previous year.
            if _valid(y, month, day) and dt.date(y, month, day) > pub + dt.timedelta(days=7):
                y -= 1
            if _valid(y, month, day):
                return EventDate(dt.date(y, month, day).isoformat(), "published", phrase)
        return EventDate(f"--{month:02d}-{day:02d}", "none", phrase)
    return EventDate(None, None, None)


def has_event_date(text: str) -> bool:
    """Whether ``text`` states a day the way a lead dates its meeting."""
    return _EVENT_DATE.search(text) is not None


def year_mentioned(text: str) -> int | None:
    """A year stated in the text as "năm 2024" (for context only, never to date an event)."""
    m = _YEAR_IN_TEXT.search(text)
    return int(m["y"]) if m else None
