"""The date of the meeting reported in the lead.

Returns ISO ``YYYY-MM-DD`` when the year is known, ISO 8601 ``--MM-DD`` when the text gives
day and month only and nothing tells the year, None when there is no date. The year comes
from the date itself, else from the publication date (a meeting can only precede its report,
so "ngày 30/12" published on 2 January is the previous year), else from the one year named in
the date's sentence ("Chiều 20/2, bên lề Gặp gỡ đầu Xuân 2025, …"), else it stays unknown.
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
_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật)"
# The first day of several: "2 - 5/4", "2 đến 5/4", "10 và 11/4" (the meeting began on it).
_FIRST_OF = r"(?P<first>\d{1,2})\s*(?:-|–|đến|tới|và)\s*(?:ngày\s+)?"
# "Ngày 24/10", "ngày 26-11", "Sáng 27/2", "Chiều ngày 11/6/2024", "từ ngày 28/1 đến 1/2",
# "ngày 5 tháng 6 năm 2024", "sáng nay (26/3)" / "hôm qua (25/3)" / "hôm 25/3", "Thứ Ba (12-3)",
# "thứ Năm, 27/2". Days of one month: "từ ngày 2 - 5/4", "ngày 2-5/4/2024", "Trong hai ngày 10
# và 11/4", "các ngày từ 18 đến 25/9", "từ 28 đến 30/11" (the first day is ``first``).
_EVENT_DATE = re.compile(
    rf"(?:(?<![\w])(?:{_PART_OF_DAY}\s+)?(?:từ\s+)?ngày\s+(?:từ\s+)?"
    rf"(?:{_FIRST_OF})?(?:{_dm(1)}|{_DM_WORDS})(?!\d)"
    rf"|(?<![\w]){_PART_OF_DAY}\s+(?:{_dm(2)})(?![\d%])"
    rf"|(?:(?<![\w]){_PART_OF_DAY}\s+)?(?:nay|qua|hôm nay|hôm qua|tối qua)\s*(?:\(\s*(?:{_WEEKDAY}\s*,?\s*)?"
    rf"(?:{_dm(3)})\s*\)|(?:ngày\s+)?{_dm(10)}(?![\d%]))"
    rf"|(?<![\w])hôm\s+(?:{_dm(4)})(?![\d%])"
    rf"|(?<![\w]){_WEEKDAY}\s*\(\s*(?:{_dm(5)})\s*\)"
    rf"|(?<![\w])từ\s+(?P<first2>\d{{1,2}})\s*(?:-|–|đến|tới)\s*(?:{_dm(7)})(?![\d%])"
    # "Tối 12, tại ...": a day alone, of the month the article is published in
    rf"|(?<![\w]){_PART_OF_DAY}\s+(?P<d8>\d{{1,2}})(?=\s*,\s|\s+tại\s))",
    re.IGNORECASE,
)
# "ngày 8/3 tới": a date followed by "tới" (and no second date) is still to come.
_STILL_TO_COME = re.compile(r"\s+(?:tới|sắp tới)(?!\s*(?:ngày\s+)?\d)")
# A date stated with its year this long before publication is background ("quan hệ được
# chính thức hóa từ ngày 4/9/2013"), not the meeting an article reports.
_BACKGROUND_DAYS = 90
# Outside the lead, a date counts only as the day of "the talks", "the reception" themselves:
# "Tại buổi hội đàm ngày 22/4, hai bên …".
_MEETING_DAY = re.compile(
    r"(?<![\w])(?:buổi|cuộc|lễ)\s+(?:[^\W\d_]+\s+){1,4}?(?=(?:ngày|sáng|chiều|tối|trưa|hôm)\s+\d)",
    re.IGNORECASE)
_RANGE_END = re.compile(r"\s*(?:đến|tới|-|–)\s*(?:ngày\s+)?\d{1,2}\s*[/\-.]\s*(?P<m>\d{1,2})\s*[/\-.]\s*(?P<y>\d{4})")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(?:năm\s+)(?P<y>(?:19|20)\d{2})(?!\d)", re.IGNORECASE)
# A year written in the lead ("Gặp gỡ đầu Xuân 2025", "Năm Du lịch 2024"): a year of its own,
# not a part of a date, a number or a range ("2020-2025").
_LEAD_YEAR = re.compile(r"(?<![\d/.\-–])(?P<y>(?:19|20)\d{2})(?![\d/.\-–])")


@dataclass(frozen=True)
class EventDate:
    value: str | None  # YYYY-MM-DD, --MM-DD or None
    source: str | None  # text | published | none (day and month only) | None
    phrase: str | None  # the words it was read from


YEAR_KNOWN = re.compile(r"\d{4}-")  # how an event date with its year begins (YYYY-MM-DD)


def year_known(event_date: str | None) -> bool:
    """Is the year of an event date (``EventDate.value``) known: ``YYYY-MM-DD``, not ``--MM-DD``
    or None? The one rule for every place that asks."""
    return bool(event_date) and YEAR_KNOWN.match(event_date) is not None


def years_known(event_dates):
    """``year_known`` of each date in a pandas Series of event dates (missing ones: False)."""
    return event_dates.fillna("").str.match(YEAR_KNOWN.pattern)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
        return True
    except ValueError:
        return False


# "Sáng nay, tại ...", "Chiều hôm qua, ...": the day of publication, or the day before it.
_RELATIVE_DAY = re.compile(
    rf"(?<![\w])(?:(?:{_PART_OF_DAY})\s+(?:nay|qua|hôm nay|hôm qua)|hôm nay|hôm qua|tối qua)(?![\w])(?!\s*\(?\s*\d)",
    re.IGNORECASE)


def find_event_date(lead: str, published: str | None, body: str = "") -> EventDate:
    """Read the first meeting date in ``lead`` (title + lead paragraphs); failing that, the day
    ``body`` gives to the meeting itself ("tại buổi hội đàm ngày 22/4"); failing that, a day
    named relative to publication ("Sáng nay, ...", "Chiều hôm qua, ...")."""
    found, background = _first_date(lead, published)
    if found.value is None and published:
        rel = _RELATIVE_DAY.search(lead)
        if rel is not None:
            back = 1 if "qua" in rel.group(0).lower() else 0
            day = dt.date.fromisoformat(published) - dt.timedelta(days=back)
            return EventDate(day.isoformat(), "published", rel.group(0))
    if found.value is None and body:
        for m in _MEETING_DAY.finditer(body):
            found, _ = _first_date(body[m.end():m.end() + 40], published)
            if found.value is not None:
                break
    # A date long before publication is taken only when nothing else dates the meeting.
    return found if found.value is not None or background is None else background


def _day_inside(lead: str, start: int, first: int, last: int, month: int) -> int | None:
    """The first single day of ``month`` after ``start`` in the lead that falls inside a trip's
    range (first..last) and is not of a time still to come, else None."""
    if first >= last:
        return None
    for m in _EVENT_DATE.finditer(lead, start):
        if m["first"] or m["first2"] or _STILL_TO_COME.match(lead, m.end()):
            continue
        groups = {k[0]: v for k, v in m.groupdict().items() if v}
        if "m" not in groups:
            continue  # a day alone
        if int(groups["m"]) == month and first < int(groups["d"]) <= last:
            return int(groups["d"])
    return None


def _first_date(lead: str, published: str | None) -> tuple[EventDate, EventDate | None]:
    """The first date of the meeting in ``lead``, and the first background date passed over."""
    pub = dt.date.fromisoformat(published) if published else None
    background = None
    for m in _EVENT_DATE.finditer(lead):
        groups = {k[0]: v for k, v in m.groupdict().items() if v}  # "d1" → "d", "first2" → "f"
        if "m" not in groups:  # a day alone: the publication's month (or the one before it)
            if pub is None:
                continue
            groups["m"] = str(pub.month if int(groups["d"]) <= pub.day else pub.month - 1 or 12)
        day, month, year = int(groups["d"]), int(groups["m"]), groups.get("y")
        first = m["first"] or m["first2"]
        if first:  # the meeting began on the range's first day ("30 - 2/12": in November)
            if int(first) > day:
                month, year = (month - 1, year) if month > 1 else (12, year and str(int(year) - 1))
            day = int(first)
        if not (1 <= month <= 12 and _valid(2000, month, day)):
            continue  # 29/2 is checked against its year below
        if _STILL_TO_COME.match(lead, m.end()):
            continue
        phrase = m.group(0)
        if not year:  # "từ ngày 3/4 đến 6/4/2024", "ngày 30/12 - 2/1/2025": the range's end carries the year
            end = _RANGE_END.match(lead, m.end())
            if end:
                end_year, end_month = int(end["y"]), int(end["m"])
                year = str(end_year - 1 if month > end_month else end_year)
                phrase += end.group(0)
        if first and m.group(0) == phrase:
            # "từ ngày 3 đến 6/9, sáng 4/9 ... đã hội đàm": a day of the trip the lead gives to
            # the meeting itself
            inner = _day_inside(lead, m.end(), int(first), int(groups["d"]), int(groups["m"]))
            if inner is not None:
                day = inner
        if year:
            if not _valid(int(year), month, day):
                continue
            date = EventDate(dt.date(int(year), month, day).isoformat(), "text", phrase)
            if pub and dt.date.fromisoformat(date.value) < pub - dt.timedelta(days=_BACKGROUND_DAYS):
                background = background or date
                continue
            return date, background
        if pub:
            y = pub.year
            # An event reported after it happened: a date later than publication
            # (beyond a week of announced plans) belongs to the previous year.
            if _valid(y, month, day) and dt.date(y, month, day) > pub + dt.timedelta(days=7):
                y -= 1
            if _valid(y, month, day):
                return EventDate(dt.date(y, month, day).isoformat(), "published", phrase), background
        years = set(_LEAD_YEAR.findall(_sentence_around(lead, m.start(), m.end())))
        if len(years) == 1 and _valid(int(next(iter(years))), month, day):
            # No publication date, but the sentence of the date names one year: the meeting's.
            year = int(years.pop())
            return EventDate(dt.date(year, month, day).isoformat(), "lead_year", phrase), background
        return EventDate(f"--{month:02d}-{day:02d}", "none", phrase), background
    return EventDate(None, None, None), background


_SENTENCE_END = re.compile(r"[.!?…](?=\s)|\n")


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` holding ``text[start:end]``."""
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[before[-1] if before else 0:after.start() if after else len(text)]


def has_event_date(text: str) -> bool:
    """Whether ``text`` states a day the way a lead dates its meeting."""
    return _EVENT_DATE.search(text) is not None


def year_mentioned(text: str) -> int | None:
    """A year stated in the text as "năm 2024" (for context only, never to date an event)."""
    m = _YEAR_IN_TEXT.search(text)
    return int(m["y"]) if m else None


# The last day/month of a date phrase, at its end: "từ ngày 21 đến 25/5", "ngày 24 và 25/3",
# "ngày 30/12 - 2/1/2025", "ngày 2-5/4/2024", "Thứ Ba (12-3)".
_LAST_DAY_MONTH = re.compile(
    r"(?P<d>\d{1,2})\s*[/\-.]\s*(?P<m>\d{1,2})(?:\s*[/\-.]\s*(?P<y>\d{4}))?\s*\)?\s*$")


def last_day_of(phrase: str | None) -> tuple[int, int] | None:
    """(day, month) of the last day an ``event_date_phrase`` names: the end of a range such as
    "từ ngày 21 đến 25/5" or "ngày 24 và 25/3", or the date itself when the phrase gives one
    day; None when the phrase gives it in words ("ngày 5 tháng 6") or not at all."""
    m = _LAST_DAY_MONTH.search(phrase or "")
    return (int(m["d"]), int(m["m"])) if m else None
