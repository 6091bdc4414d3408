"""Meetings: the articles that report one event, grouped into one row each.

One meeting is covered by the province's portal, its newspaper, the national agency and a few
aggregators, each in its own words; near-identical copies are already marked by ``dedup``
(``duplicate_of``), the rest are told apart here. Two articles report the same meeting when

- their parties agree: on each side (Vietnamese localities, Chinese partners), one article's
  set contains the other's (an outlet may name fewer: "Khánh Hòa and Ningbo" beside "Khánh Hòa,
  Ningbo and Hangzhou"); a province and one of its cities are different parties, and an article
  that names no Vietnamese locality (a national host) only agrees with another that names none;
- their directions agree: the same, or one is ``unknown``;
- their event dates agree: the spans they give (a day, or a stated multi-day visit) overlap or
  are a day apart (an evening meeting reported as the next day). A meeting's days never spread
  beyond the longest span one of its articles states, plus that day: reports on the 10th, 11th
  and 12th without a stated visit are two meetings, not one. An article without an event date
  is a meeting of its own.
- Year-less dates (``--MM-DD``): two of them agree only when both articles have publication
  dates within ``CLOSE_REPORTS_DAYS``; a year-less article joins a dated meeting of its parties
  on that day and month only when all such candidates lie in one year (otherwise it cannot be
  told which year it reports, and it stays a meeting of its own).

Articles are placed one at a time in the order they were first reported (publication date,
then id; undated last), each into the agreeing meeting whose days are closest (then the one
whose parties are exactly its own, then the one founded first), agreeing with every article
already in it. The result is deterministic and independent of input order, and a meeting's id,
taken from its first article, does not change when articles reported later join it. A copy
(``duplicate_of``) goes where its original went. Records without a Chinese partner are not
meetings.

An analyst's corrections (``corrections.py``) are read from the records: an article marked
``not_a_meeting`` is in no meeting (nor are its copies), and one with a ``meeting_move`` is
left out of the grouping and then put into a meeting of its own, or into the meeting of the
article it names (a meeting id stands for the article it was made from). A move that leads
nowhere — to no article of the corpus, to one in no meeting, round in a circle — is not made.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .corrections import OWN_MEETING, parse_move
from .extract.dates import last_day_of, year_known
from .records import whole_columns

MAX_GAP_DAYS = 1  # reports a day apart: an evening meeting dated the next day by another outlet
MAX_VISIT_DAYS = 10  # a longer stated range is a programme (a fair, a festival), not one visit: its first day stands
CLOSE_REPORTS_DAYS = 30  # two year-less dates are one meeting only if reported this close together
EVIDENCE_PER_TOPIC = 3  # sentences kept per topic in a meeting (from its articles, in order)
_NOMINAL_YEAR = 2000  # a leap year: where a year-less date (29/2 too) is placed for arithmetic
_UNKNOWN = "unknown"

# The record fields grouping reads (flat rows: their columns, plus ``topic_*``).
RECORD_FIELDS = ("id", "published", "outlet", "url", "event_date", "event_date_phrase", "direction",
                 "duplicate_of", "vn_localities", "partners", "officials", "topics", "evidence",
                 "not_a_meeting", "meeting_move")
ROW_COLUMNS = whole_columns(RECORD_FIELDS)


@dataclass(frozen=True)
class Span:
    """The days an article gives its meeting. A year-less date is placed in ``_NOMINAL_YEAR``."""

    start: dt.date
    end: dt.date
    year_known: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def event_span(event_date: str | None, phrase: str | None) -> Span | None:
    """The span of a record's ``event_date`` (``YYYY-MM-DD`` or ``--MM-DD``), to the last day its
    ``event_date_phrase`` names when that is a range of at most ``MAX_VISIT_DAYS`` ("từ ngày 21
    đến 25/5"); None without a date."""
    if not event_date:
        return None
    try:
        known = year_known(event_date)
        if known:
            start = dt.date.fromisoformat(event_date[:10])
        else:
            start = dt.date(_NOMINAL_YEAR, int(event_date[2:4]), int(event_date[5:7]))
    except ValueError:
        return None
    end = start
    last = last_day_of(phrase)
    if last is not None:
        day, month = last
        year = start.year + (month < start.month)  # "30/12 - 2/1": the range ends the next year
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            candidate = start
        if start < candidate <= start + dt.timedelta(days=MAX_VISIT_DAYS - 1):
            end = candidate
    return Span(start, end, known)


@dataclass(frozen=True)
class Report:
    """One article as grouping reads it."""

    id: str
    published: dt.date | None
    outlet: str | None
    span: Span | None
    event_date: str | None
    direction: str
    vn: frozenset[str]
    cn: frozenset[str]
    vn_localities: tuple = ()
    partners: tuple = ()
    officials: tuple = ()
    topics: tuple[str, ...] = ()
    evidence: dict = field(default_factory=dict, hash=False, compare=False)
    duplicate_of: str | None = None
    not_a_meeting: bool = False  # an analyst's correction: in no meeting
    meeting_move: str | None = None  # an analyst's correction: "own", "meeting:<id>", "article:<id>"

    @property
    def order(self) -> tuple:
        """The order articles are placed in: first reported first, undated last, then by id."""
        return (self.published is None, self.published or dt.date.min, self.id)

    @classmethod
    def of_record(cls, record: dict) -> "Report":
        """From a nested record (as ``citycoop extract -f jsonl`` writes it)."""
        topics = record.get("topics") or {}
        if isinstance(topics, dict):
            topic_ids = tuple(t for t, n in topics.items() if n)
        elif isinstance(topics, list):  # a list of topic ids, as some exports of records have it
            topic_ids = tuple(str(t) for t in topics)
        else:
            topic_ids = ()
        return cls._make(record, record.get("vn_localities"), record.get("partners"),
                         record.get("officials"), topic_ids, record.get("evidence"))

    @classmethod
    def of_row(cls, row: dict) -> "Report":
        """From a flat row (CSV, Parquet, an Arrow chunk): lists in ``*_json`` columns, topic
        counts in ``topic_<id>`` columns."""
        topic_ids = tuple(k[6:] for k, v in row.items() if k.startswith("topic_") and _count(v))
        return cls._make(row, _json(row.get("vn_localities_json")), _json(row.get("partners_json")),
                         _json(row.get("officials_json")), topic_ids, _json(row.get("evidence_json")))

    @classmethod
    def _make(cls, source: dict, vn, partners, officials, topic_ids, evidence) -> "Report":
        vn = tuple(v for v in vn or [] if isinstance(v, dict) and v.get("name"))
        partners = tuple(p for p in partners or [] if isinstance(p, dict) and p.get("name"))
        evidence = evidence if isinstance(evidence, dict) else {}
        return cls(
            id=str(source["id"]),
            published=_date(source.get("published")),
            outlet=_text(source.get("outlet")),
            span=event_span(_text(source.get("event_date")), _text(source.get("event_date_phrase"))),
            event_date=_text(source.get("event_date")),
            direction=_text(source.get("direction")) or _UNKNOWN,
            vn=frozenset(v["name"] for v in vn),
            cn=frozenset(p["name"] for p in partners),
            vn_localities=vn, partners=partners,
            officials=tuple(o for o in officials or [] if isinstance(o, dict) and o.get("name")),
            topics=topic_ids,
            evidence={t: list(s)[:EVIDENCE_PER_TOPIC] for t, s in evidence.items()
                      if t in topic_ids and isinstance(s, list)},
            duplicate_of=_text(source.get("duplicate_of")),
            not_a_meeting=_flag(source.get("not_a_meeting")),
            meeting_move=_text(source.get("meeting_move")),
        )


def _text(value) -> str | None:
    """A string field, with the blanks CSV and pandas give for null (``""``, NaN) as None."""
    return value if isinstance(value, str) and value.strip() else None


def _flag(value) -> bool:
    """A boolean field, also as CSV writes it ("True")."""
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "1"))


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if _text(value) else None
    except ValueError:
        return None


def _json(value):
    if not _text(value):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _count(value) -> bool:
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------------- agreement
def _parties_agree(a: frozenset, b: frozenset) -> bool:
    """One set contains the other; an empty set (no locality named) only agrees with another."""
    return bool(a) == bool(b) and (a <= b or b <= a)


def _directions_agree(a: str, b: str) -> bool:
    return a == b or _UNKNOWN in (a, b)


def _in_year(span: Span, year: int) -> Span | None:
    """A year-less span placed in ``year`` (None if its first day does not exist there: 29/2)."""
    try:
        start = span.start.replace(year=year)
    except ValueError:
        return None
    return Span(start, start + (span.end - span.start), True)


def _gap(a: Span, b: Span) -> int:
    """Days from the end of one span to the start of the other; 0 when they overlap."""
    return max(0, (b.start - a.end).days, (a.start - b.end).days)


def _placed(a: Span, b: Span) -> tuple[Span, Span] | None:
    """The two spans in one calendar: a year-less span is placed in the year (of the other's,
    or the one before or after, for a date at the turn of the year) that brings it closest."""
    if a.year_known == b.year_known:
        if a.year_known:
            return a, b
        # both year-less: the turn of the year, seen from either side
        options = [(a, b)] + [(x, b) for x in (_in_year(a, _NOMINAL_YEAR - 1), _in_year(a, _NOMINAL_YEAR + 1)) if x]
        return min(options, key=lambda pair: _gap(*pair))
    loose, known = (a, b) if not a.year_known else (b, a)
    options = [x for y in (known.start.year - 1, known.start.year, known.start.year + 1)
               if (x := _in_year(loose, y))]
    if not options:
        return None
    best = min(options, key=lambda x: _gap(x, known))
    return (best, known) if loose is a else (known, best)


@dataclass(eq=False)
class _Meeting:
    number: int  # founding order
    members: list[Report]
    span: Span | None  # the days of its dated articles (those with a year, when any has one)
    longest: int  # the longest span one of its articles states, in days

    def year(self) -> int | None:
        return self.span.start.year if self.span is not None and self.span.year_known else None


def _joined_span(meeting: _Meeting, report: Report) -> Span | None:
    """The meeting's days with the article's, or None if their dates do not agree."""
    if report.span is None or meeting.span is None:
        return None
    placed = _placed(report.span, meeting.span)
    if placed is None:
        return None
    mine, theirs = placed
    if _gap(mine, theirs) > MAX_GAP_DAYS:
        return None
    if not mine.year_known and not theirs.year_known:
        # two year-less dates: one meeting only if reported close together
        if not all(_reports_close(report, m) for m in meeting.members):
            return None
    if not report.span.year_known and meeting.span.year_known:
        return meeting.span  # a year-less article does not move a dated meeting's days
    joined = Span(min(mine.start, theirs.start), max(mine.end, theirs.end), theirs.year_known)
    if joined.days > max(meeting.longest, report.span.days) + MAX_GAP_DAYS:
        return None  # chained days: the 10th, 11th and 12th are not one meeting unless a visit says so
    return joined


def _reports_close(a: Report, b: Report) -> bool:
    return (a.published is not None and b.published is not None
            and abs((a.published - b.published).days) <= CLOSE_REPORTS_DAYS)


def _agrees_with_members(meeting: _Meeting, report: Report) -> bool:
    return all(_parties_agree(report.vn, m.vn) and _parties_agree(report.cn, m.cn)
               and _directions_agree(report.direction, m.direction) for m in meeting.members)


def _month_days(span: Span, margin: int) -> Iterator[tuple[int, int]]:
    """(month, day) of each day of the span, widened by ``margin`` days on each side."""
    day = span.start - dt.timedelta(days=margin)
    while day <= span.end + dt.timedelta(days=margin):
        yield day.month, day.day
        day += dt.timedelta(days=1)


# ----------------------------------------------------------------------------- grouping
class _Grouping:
    """Meetings being built; candidates found through an index of (partner, month, day)."""

    def __init__(self) -> None:
        self.meetings: list[_Meeting] = []
        self.index: dict[tuple[str, int, int], list[_Meeting]] = {}

    def _indexed(self, meeting: _Meeting, span: Span | None, partners: Iterable[str]) -> None:
        if span is None:
            return
        for name in partners:
            for month, day in _month_days(span, 0):
                bucket = self.index.setdefault((name, month, day), [])
                if all(m is not meeting for m in bucket):
                    bucket.append(meeting)

    def _candidates(self, report: Report) -> list[_Meeting]:
        seen: dict[int, _Meeting] = {}
        for name in report.cn:
            for month, day in _month_days(report.span, MAX_GAP_DAYS):
                for meeting in self.index.get((name, month, day), ()):
                    seen.setdefault(meeting.number, meeting)
        return [seen[n] for n in sorted(seen)]

    def alone(self, report: Report) -> None:
        """A meeting of its own for the report (a correction moved it out of its meeting)."""
        self.meetings.append(_Meeting(len(self.meetings), [report], report.span,
                                      report.span.days if report.span else 0))

    def place(self, report: Report) -> None:
        best = None
        if report.span is not None:
            fits = []
            for meeting in self._candidates(report):
                joined = _joined_span(meeting, report)
                if joined is not None and _agrees_with_members(meeting, report):
                    gap = _gap(*_placed(report.span, meeting.span))
                    exact = all(m.vn == report.vn and m.cn == report.cn for m in meeting.members)
                    fits.append((gap, not exact, meeting.number, meeting, joined))
            if fits and not report.span.year_known:
                # a year-less article cannot say which year's meeting it reports
                if len({f[3].year() for f in fits}) > 1:
                    fits = []
            if fits:
                best = min(fits, key=lambda f: f[:3])
        if best is None:
            meeting = _Meeting(len(self.meetings), [report], report.span,
                               report.span.days if report.span else 0)
            self.meetings.append(meeting)
            self._indexed(meeting, report.span, report.cn)
            return
        meeting, joined = best[3], best[4]
        meeting.members.append(report)
        meeting.longest = max(meeting.longest, report.span.days)
        if joined != meeting.span:
            meeting.span = joined
        # the meeting is found by every partner and day it now has
        self._indexed(meeting, meeting.span, {n for m in meeting.members for n in m.cn})


def group(reports: Iterable[Report]) -> list[dict]:
    """The meetings the reports make (see the module's description), as dicts: dated ones by
    day, then year-less ones by day and month, then undated ones; then by id."""
    by_id: dict[str, Report] = {}
    for r in reports:
        by_id.setdefault(r.id, r)  # one article, one place
    moves = _moves(by_id)
    copies, originals = [], []
    for r in by_id.values():
        if r.not_a_meeting or r.id in moves:  # corrections: in no meeting, or placed below
            continue
        # a copy follows its original when the original is here
        (copies if _is_copy(r, by_id) else originals).append(r)
    grouping = _Grouping()
    for r in sorted(originals, key=lambda r: r.order):
        if r.cn:
            grouping.place(r)
    moved = sorted((by_id[i] for i in moves), key=lambda r: r.order)
    for r in moved:  # a meeting of its own first: another article may be moved into it
        if moves[r.id] == r.id:
            grouping.alone(r)
    meeting_of = {m.id: meeting for meeting in grouping.meetings for m in meeting.members}
    for r in moved:
        if moves[r.id] != r.id:
            meeting = meeting_of[r.id] = meeting_of[moves[r.id]]
            meeting.members.append(r)  # after its first article: the meeting keeps its id
    for r in sorted(copies, key=lambda r: r.order):
        meeting = meeting_of.get(_original(r, by_id))
        if meeting is not None:
            meeting.members.append(r)
    out = [_meeting_dict(m.members) for m in grouping.meetings]
    # dated first, by day; then year-less, by day and month; then undated
    out.sort(key=lambda m: (_PRECISION_ORDER[m["date_precision"]], m["event_date"] or "", m["meeting_id"]))
    return out


def _is_copy(report: Report, by_id: dict[str, Report]) -> bool:
    return bool(report.duplicate_of) and report.duplicate_of in by_id and report.duplicate_of != report.id


def _moves(by_id: dict[str, Report]) -> dict[str, str]:
    """The analysts' moves that can be made: article id → the article whose meeting it goes into
    (itself: a meeting of its own). A move is made when it ends, through other moves and copies,
    at an article with a Chinese partner that is not marked as no meeting."""
    declared: dict[str, str] = {}
    wanted = {m[1] for r in by_id.values() if (m := parse_move(r.meeting_move)) and m[0] == "meeting"}
    founders = {meeting_id(i): i for i in by_id} if wanted else {}  # a meeting id names its first article
    for r in by_id.values():
        move = parse_move(r.meeting_move)
        if move is None or r.not_a_meeting:
            continue
        kind, what = move
        target = r.id if kind == OWN_MEETING else what if kind == "article" else founders.get(what)
        if target in by_id:
            declared[r.id] = target
    while True:  # a move left out may leave another leading nowhere
        ends = {i: _move_end(i, declared, by_id) for i in declared}
        nowhere = [i for i, end in ends.items() if end is None or not by_id[end].cn]
        if not nowhere:
            return ends
        for i in nowhere:
            del declared[i]


def _move_end(article: str, declared: dict[str, str], by_id: dict[str, Report]) -> str | None:
    """The article whose meeting a moved article goes into, following moves and copies; None
    when the way leads to an article marked as no meeting, or round in a circle."""
    seen: set[str] = set()
    at = article
    while at not in seen:
        seen.add(at)
        report = by_id[at]
        if report.not_a_meeting:
            return None
        target = declared.get(at)
        if target == at:
            return at  # a meeting of its own
        if target is not None:
            at = target
        elif _is_copy(report, by_id):
            at = report.duplicate_of
        else:
            return at
    return None


_PRECISION_ORDER = {"day": 0, "month_day": 1, None: 2}


def _original(report: Report, by_id: dict[str, Report]) -> str:
    """The article a copy's chain of ``duplicate_of`` ends at."""
    seen = {report.id}
    while report.duplicate_of in by_id and report.duplicate_of not in seen:
        seen.add(report.duplicate_of)
        report = by_id[report.duplicate_of]
    return report.id


def meeting_id(first_article_id: str) -> str:
    """A meeting's id: from its first article's id, so it stays when later reports join."""
    return "m" + hashlib.sha1(first_article_id.encode("utf-8")).hexdigest()[:12]


def _meeting_dict(members: list[Report]) -> dict:
    first = members[0]  # the founder: first reported
    ordered = sorted(members, key=lambda r: r.order)
    known = [r for r in members if r.span is not None and r.span.year_known]
    dated = known or [r for r in members if r.span is not None]
    event_date = event_end = precision = None
    if dated:
        starts = Counter(r.span.start for r in dated)
        start = min(starts, key=lambda d: (-starts[d], d))  # the day most articles give, else the first
        ends = [r.span.end for r in dated if r.span.days > 1]
        if known:
            event_date, precision = start.isoformat(), "day"
            event_end = max(ends).isoformat() if ends and max(ends) > start else None
        else:
            event_date, precision = f"--{start.month:02d}-{start.day:02d}", "month_day"
            event_end = (f"--{max(ends).month:02d}-{max(ends).day:02d}"
                         if ends and max(ends) > start else None)
    direction = next((r.direction for r in ordered if r.direction != _UNKNOWN), _UNKNOWN)
    published = [r.published for r in members if r.published is not None]
    outlets = sorted({r.outlet for r in members if r.outlet})
    return {
        "meeting_id": meeting_id(first.id),
        "event_date": event_date,
        "event_end": event_end,
        "date_precision": precision,
        "direction": direction,
        "vn_localities": _union(r.vn_localities for r in ordered),
        "partners": _union(r.partners for r in ordered),
        "officials": _officials(ordered),
        "topics": sorted({t for r in ordered for t in r.topics}),
        "evidence": _evidence(ordered),
        "n_articles": len(members),
        # an article of unknown outlet may be any outlet: it counts as one of its own
        "n_outlets": len(outlets) + sum(1 for r in members if not r.outlet),
        "outlets": outlets,
        "first_report": min(published).isoformat() if published else None,
        "last_report": max(published).isoformat() if published else None,
        "article_ids": [r.id for r in ordered],
        "warnings": _disagreements(ordered),
    }


def _union(lists: Iterable[tuple]) -> list[dict]:
    """Places of all the articles, each once (by name), in the order they are first named."""
    out: dict[str, dict] = {}
    for places in lists:
        for p in places:
            out.setdefault(p["name"], p)
    return list(out.values())


def _person_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _officials(ordered: list[Report]) -> list[dict]:
    """Each person once (name and side), with the title the first article gives and the
    articles that name them, first reported first."""
    out: dict[tuple, dict] = {}
    for r in ordered:
        for o in r.officials:
            entry = out.setdefault((_person_key(o["name"]), o.get("side")), {
                "name": o["name"], "title": o.get("title"), "side": o.get("side"), "articles": []})
            if r.id not in entry["articles"]:
                entry["articles"].append(r.id)
    return list(out.values())


def _evidence(ordered: list[Report]) -> dict[str, list[dict]]:
    """Per topic, up to ``EVIDENCE_PER_TOPIC`` sentences with the article each came from."""
    out: dict[str, list[dict]] = {}
    for r in ordered:
        for topic, sentences in r.evidence.items():
            kept = out.setdefault(topic, [])
            for s in sentences:
                if len(kept) < EVIDENCE_PER_TOPIC and all(k["sentence"] != s for k in kept):
                    kept.append({"article": r.id, "sentence": s})
    return dict(sorted(out.items()))


# How a meeting's warnings begin, for each way its articles disagree (the review page reads them).
DATES_DIFFER, DIRECTION_PARTLY, PARTIES_DIFFER = ("articles give different dates", "direction ",
                                                  "articles name different parties")


def _disagreements(ordered: list[Report]) -> list[str]:
    """What the articles of one meeting say differently: for an analyst to check."""
    out = []
    dates = Counter(r.event_date for r in ordered if r.event_date)
    if len(dates) > 1:
        out.append(f"{DATES_DIFFER}: " + ", ".join(f"{d} ({n})" for d, n in sorted(dates.items())))
    stated = {r.direction for r in ordered if r.direction != _UNKNOWN}
    if stated and any(r.direction == _UNKNOWN for r in ordered):
        out.append(f"{DIRECTION_PARTLY}{next(iter(stated))} stated by "
                   f"{sum(r.direction != _UNKNOWN for r in ordered)} of {len(ordered)} articles")
    if len({(r.vn, r.cn) for r in ordered}) > 1:
        out.append(f"{PARTIES_DIFFER} (some name fewer)")
    if any(r.span is None for r in ordered):
        out.append("some articles give no event date (copies of a dated one)")
    return out


# ----------------------------------------------------------------------------- output
def flat_meeting(meeting: dict) -> dict:
    """A meeting as a flat row (CSV, Parquet): lists joined for reading, JSON for analysis."""
    return {
        **{k: meeting[k] for k in ("meeting_id", "event_date", "event_end", "date_precision", "direction")},
        "vn_localities": "; ".join(v["name"] for v in meeting["vn_localities"]),
        "partners": "; ".join(p["name"] for p in meeting["partners"]),
        "partner_provinces": "; ".join(sorted({p.get("province") or p["name"] for p in meeting["partners"]})),
        "officials": "; ".join(f"{o['name']} ({o['side'] or '?'})" for o in meeting["officials"]),
        "topics": "; ".join(meeting["topics"]),
        "n_articles": meeting["n_articles"],
        "n_outlets": meeting["n_outlets"],
        "outlets": "; ".join(meeting["outlets"]),
        "first_report": meeting["first_report"],
        "last_report": meeting["last_report"],
        "article_ids": "; ".join(meeting["article_ids"]),
        "warnings": "; ".join(meeting["warnings"]),
        **{f"{k}_json": json.dumps(meeting[k], ensure_ascii=False)
           for k in ("vn_localities", "partners", "officials", "evidence", "article_ids")},
    }


FLAT_COLUMNS = tuple(flat_meeting({
    "meeting_id": None, "event_date": None, "event_end": None, "date_precision": None, "direction": None,
    "vn_localities": [], "partners": [], "officials": [], "topics": [], "evidence": {}, "n_articles": 0,
    "n_outlets": 0, "outlets": [], "first_report": None, "last_report": None, "article_ids": [],
    "warnings": []}))
_INT_COLUMNS = ("n_articles", "n_outlets")


# ----------------------------------------------------------------------------- files
MEETINGS_SUFFIX = ".meetings"  # out.jsonl → out.meetings.jsonl
FOLDER_MEETINGS = "_meetings.parquet"  # in a folder of parts ("_": not a part)
_EXTENSIONS = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}


def meetings_path_for(out: str | Path, fmt: str) -> Path:
    """Where the meetings of an output go: ``out.jsonl`` → ``out.meetings.jsonl`` (CSV and
    Parquet files likewise), a Parquet folder of parts → ``folder/_meetings.parquet``."""
    from .pipeline.parts import is_folder_output

    p = Path(out)
    if fmt == "parquet" and is_folder_output(p):
        return p / FOLDER_MEETINGS
    base = p.name[: -len(p.suffix)] if p.suffix.lower() in _EXTENSIONS.values() else p.name
    return p.with_name(base + MEETINGS_SUFFIX + _EXTENSIONS[fmt])


def reports_of_table(table) -> Iterator[Report]:
    """The reports of an Arrow table of flat rows (a chunk of ``iter_chunks``, a Parquet batch),
    reading only the columns grouping needs."""
    if table is None:
        return
    names = [c for c in table.column_names if c in ROW_COLUMNS or c.startswith("topic_")]
    for row in table.select(names).to_pylist():
        yield Report.of_row(row)


def reports_of_output(out: str | Path, fmt: str) -> Iterator[Report]:
    """The reports of records ``citycoop extract`` wrote: a JSONL or CSV file, a Parquet file or
    a folder of parts (read by columns, so the texts are never loaded)."""
    p = Path(out)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        from .dataset import parquet_files

        for f in parquet_files(p):
            pf = pq.ParquetFile(f)
            columns = [c for c in pf.schema_arrow.names if c in ROW_COLUMNS or c.startswith("topic_")]
            for batch in pf.iter_batches(columns=columns, batch_size=8192):
                for row in batch.to_pylist():
                    yield Report.of_row(row)
    elif fmt == "csv":
        import csv

        csv.field_size_limit(1 << 30)  # a text column may be long
        with open(p, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield Report.of_row(row)
    else:
        with open(p, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield Report.of_record(json.loads(line))


def flat_table(meetings: list[dict]):
    """The meetings as an Arrow table of flat rows: what a Parquet meetings file holds."""
    import pyarrow as pa
    schema = pa.schema([pa.field(c, pa.int64() if c in _INT_COLUMNS else pa.string()) for c in FLAT_COLUMNS])
    return pa.Table.from_pylist([flat_meeting(m) for m in meetings], schema=schema)


def write_meetings(meetings: list[dict], path: str | Path, fmt: str) -> None:
    """The meetings as JSONL (nested, as ``group`` gives them), CSV or Parquet (flat rows), written
    whole or not at all."""
    from .fsio import make_parent, whole_file, writing_path

    path = Path(path)
    make_parent(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        tmp = writing_path(path)
        try:
            pq.write_table(flat_table(meetings), tmp, compression="zstd")
            if tmp != path:
                os.replace(tmp, path)
        finally:
            if tmp != path:
                tmp.unlink(missing_ok=True)
        return
    with whole_file(path) as fh:
        if fmt == "csv":
            import csv

            writer = csv.DictWriter(fh, fieldnames=FLAT_COLUMNS)
            writer.writeheader()
            writer.writerows(flat_meeting(m) for m in meetings)
        else:
            fh.writelines(json.dumps(m, ensure_ascii=False) + "\n" for m in meetings)


def write_meetings_beside(out: str | Path, fmt: str, reports: Iterable[Report] | None = None) -> Path:
    """Group the records of the output ``out`` (``reports``, or read back from ``out``) and write
    their meetings beside it; returns the meetings file's path."""
    path = meetings_path_for(out, fmt)
    write_meetings(group(reports_of_output(out, fmt) if reports is None else reports), path, fmt)
    return path
