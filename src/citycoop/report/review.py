"""The review page's lists: what an analyst should check first, each row with the article's lead
sentence and a corrections entry to copy into ``corrections.yml`` (docs/corrections.md).

- ``flagged``: articles the extractor flagged in their ``warnings`` — no Chinese partner found,
  the direction of the visit not stated, the event's year unknown, an ambiguous place name read
  as Vietnamese (``FLAGS``).
- ``disagreeing``: in a meeting whose articles give different dates, or of which some state the
  direction and others do not (``meetings.py`` notes both in the meeting's warnings), the
  articles that differ from their meeting.
- ``differing``: articles whose parties differ from their meeting's: an outlet that names fewer,
  or a story grouped with a meeting it does not report.

An article whose field in question an analyst has corrected since, or that is marked not a
meeting, has been looked at: it is not listed again. Each entry sets the field in question to
the value to check — the record's own, or its meeting's — with a comment saying what else it
may be; pasted as it is, the next run applies it (without a note, which it then asks for).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pandas as pd

from .. import dataset as ds
from .. import tables
from ..extract.text import Sentences
from ..markup import esc, place_label
from ..meetings import DATES_DIFFER, DIRECTION_PARTLY, PARTIES_DIFFER
from .views import View

LEAD_CHARS = 300  # a lead sentence longer than this is cut at a word, with "…"


@dataclass(frozen=True)
class Flag:
    """A warning of the extractor the review page lists, and the field a correction of it sets."""

    warning: str  # how the warning begins
    field: str
    check: str  # what the page says to check


FLAGS = (
    Flag("no Chinese partner found", "partners",
         "no Chinese partner found: is it a meeting with a Chinese locality?"),
    Flag("direction of the visit not stated", "direction",
         "the direction of the visit is not stated: who travelled?"),
    Flag("event year unknown", "event_date", "the year of the event is not stated: which year?"),
    Flag("ambiguous place '", "vn_localities", ""),  # its check names the place (``_check``)
)
COLUMNS = ["id", "title", "url", "outlet", "event_date", "check", "entry"]


# ----------------------------------------------------------------------------- corrections entries
def _yaml(value) -> str:
    """A value as the corrections file reads it: strings double-quoted (a JSON string is a YAML
    one: an id with ': ' or '#' stays an id, "--09-26" stays a date), lists in brackets."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def entry(article_id: str, changes: list[tuple[str, object, str]]) -> str:
    """A corrections entry for one article: ``changes`` as (key, value, comment), then ``note``,
    ``by`` and ``when`` for the analyst to fill."""
    lines = [f"- id: {_yaml(article_id)}"]
    for key, value, comment in changes:  # a comment on a line of its own: the value's line stays short
        lines += [f"  # {comment}"] if comment else []
        lines.append(f"  {key}: {_yaml(value)}")
    return "\n".join(lines + ["  note:   # why: what the text says", "  by:", "  when:   # YYYY-MM-DD"]) + "\n"


# ----------------------------------------------------------------------------- the lists
def _names(js) -> list[str]:
    """The ids of the places of a ``*_json`` column (as an entry names them: unambiguously)."""
    return [p["name"] for p in json.loads(js)] if isinstance(js, str) and js else []


def _labels(js, vietnamese: bool = False) -> str:
    """The places as the page names them: Vietnamese ones by their name, Chinese ones by theirs
    in Vietnamese with the id beside."""
    places = json.loads(js) if isinstance(js, str) and js else []
    return ", ".join((p.get("name_vi") or p["name"]) if vietnamese else place_label(p.get("name_vi"), p["name"])
                     for p in places) or "none"


def _corrected(article, field: str) -> bool:
    fields = getattr(article, "corrected", None)
    return isinstance(fields, str) and field in fields.split("; ")


def _check(flag: Flag, warning: str) -> str:
    if flag.field != "vn_localities":
        return flag.check
    place = warning.split("'")[1] if warning.count("'") >= 2 else "a place"
    return f"'{place}' was read as a Vietnamese place (nothing in the text said China): is it the Chinese one?"


def _flag_entry(flag: Flag, a) -> list[tuple[str, object, str]]:
    if flag.field == "partners":
        return [("not_a_meeting", True, "or, if a Chinese locality took part: partners: [its name]")]
    if flag.field == "direction":
        return [("direction", a.direction, "inbound, outbound (who travelled) or none (no visit)")]
    if flag.field == "event_date":
        date = a.event_date if isinstance(a.event_date, str) else None
        day = date[2:] if date and date.startswith("--") else "MM-DD"
        return [("event_date", date, f"the year: YYYY-{day}")]
    return [("vn_localities", _names(a.vn_localities_json), "if the place is the Chinese one, take it out here"),
            ("partners", _names(a.partners_json), "and name it here")]


def _rows(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def flagged(view: View) -> pd.DataFrame:
    """The articles the extractor flagged (COLUMNS), by kind of flag (FLAGS' order), then by
    event date; an article flagged twice is listed under each."""
    rows = []
    warned = view.articles["warnings"].fillna("")
    # only the articles with a warning of the kind are looked at (most have none)
    for flag in FLAGS:
        some = view.articles[warned.str.contains(flag.warning, regex=False)]
        for a in tables.by_event_date(some).itertuples(index=False):
            warnings = a.warnings.split("; ")
            found = [w for w in warnings if w.startswith(flag.warning)]
            if not found or _corrected(a, flag.field) or (flag.field == "vn_localities" and _corrected(a, "partners")):
                continue
            for warning in found[:1] if flag.field != "vn_localities" else found:
                rows.append(_row(a, _check(flag, warning), _flag_entry(flag, a)))
    return _rows(rows)


def _meeting_label(m) -> str:
    return (f"{tables.display_date(m.event_date)}, {_labels(m.vn_localities_json, True)} – "
            f"{_labels(m.partners_json)} (meeting {m.id})")


def _members(view: View, *warnings: str):
    """(meeting, the ways its articles disagree among ``warnings``, its articles among the
    view's) of the meetings whose warnings begin with one of ``warnings``, by event date; each
    meeting's articles first reported first."""
    said = view.meetings["warnings"].fillna("")
    meetings = view.meetings[said.str.contains("|".join(map(re.escape, warnings)))]  # most have none
    ids = {i for listed in meetings["article_ids"] for i in listed}
    by_id = {a.id: a for a in view.articles[view.articles["id"].isin(ids)].itertuples(index=False)}
    for m in tables.by_event_date(meetings).itertuples(index=False):
        kinds = {w for w in warnings if any(line.startswith(w) for line in m.warnings.split("; "))}
        if kinds:
            yield m, kinds, [by_id[i] for i in m.article_ids if i in by_id]


def disagreeing(view: View) -> pd.DataFrame:
    """The articles of meetings whose articles disagree on the date or the direction that differ
    from their meeting on it (COLUMNS), by the meeting's event date."""
    rows = []
    for m, kinds, articles in _members(view, DATES_DIFFER, DIRECTION_PARTLY):
        label = _meeting_label(m)
        for a in articles:
            if DATES_DIFFER in kinds and a.event_date != m.event_date and not _corrected(a, "event_date"):
                check = f"dated {tables.display_date(a.event_date)}; its meeting: {label}"
                change = ("event_date", m.event_date, "the meeting's (another meeting? meeting: own)")
                rows.append(_row(a, check, [change]))
            if DIRECTION_PARTLY in kinds and a.direction == "unknown" and not _corrected(a, "direction"):
                check = (f"states no direction where the other articles of its meeting say {m.direction}; "
                         f"its meeting: {label}")
                rows.append(_row(a, check, [("direction", m.direction, "as the meeting's other articles say")]))
    return _rows(rows)


def _row(a, check: str, changes: list[tuple[str, object, str]]) -> dict:
    return {"id": a.id, "title": a.title, "url": a.url, "outlet": a.outlet, "event_date": a.event_date,
            "check": check, "entry": entry(a.id, changes)}


def differing(view: View) -> pd.DataFrame:
    """The articles whose parties differ from their meeting's (COLUMNS), by the meeting's event
    date: an entry would give them the meeting's parties."""
    rows = []
    for m, _, articles in _members(view, PARTIES_DIFFER):
        vn, cn = _names(m.vn_localities_json), _names(m.partners_json)
        for a in articles:
            changes = []
            if set(_names(a.vn_localities_json)) != set(vn) and not _corrected(a, "vn_localities"):
                changes.append(("vn_localities", vn, "the meeting's"))
            if set(_names(a.partners_json)) != set(cn) and not _corrected(a, "partners"):
                changes.append(("partners", cn, "the meeting's"))
            if not changes:
                continue
            key, value, comment = changes[-1]
            changes[-1] = (key, value, f"{comment} (another meeting? meeting: own)")
            fewer = set(_names(a.vn_localities_json)) <= set(vn) and set(_names(a.partners_json)) <= set(cn)
            rows.append(_row(a, f"names {_labels(a.vn_localities_json, True)} – {_labels(a.partners_json)}; its "
                                f"meeting names {'more' if fewer else 'others'}; its meeting: {_meeting_label(m)}", changes))
    return _rows(rows)


# ----------------------------------------------------------------------------- lead sentences
def lead_sentences(view: View, rows: pd.DataFrame) -> dict[str, str]:
    """id → the first sentence of the article's text, for the rows a review table shows (the
    first ``tables.MAX_ROWS``): read from the built dataset for those rows only."""
    wanted = list(dict.fromkeys(rows["id"].head(tables.MAX_ROWS).tolist()))
    if not wanted:
        return {}
    if view.source is None:
        texts = view.articles.loc[view.articles["id"].isin(wanted), ["id", "text"]]
    else:
        texts = ds.read_rows(view.source, ["text"], wanted)
    out = {}
    for doc_id, text in zip(texts["id"].tolist(), texts["text"].tolist()):
        sentences = Sentences.of(text) if isinstance(text, str) else None
        first = sentences.sentence(0) if sentences is not None and len(sentences) else ""
        out[doc_id] = first if len(first) <= LEAD_CHARS else first[:LEAD_CHARS].rsplit(" ", 1)[0] + " …"
    return out


# ----------------------------------------------------------------------------- summary
def summary(flagged: pd.DataFrame, disagreeing: pd.DataFrame, differing: pd.DataFrame) -> str:
    """One line (safe HTML) on what the review page lists, from its three lists."""
    return esc(f"{_count(flagged['id'].nunique(), 'article')} the extractor flagged; "
               f"{_count(disagreeing['id'].nunique(), 'article')} that differ from their meeting on the date "
               f"or the direction; {_count(differing['id'].nunique(), 'article')} naming other parties than "
               "their meeting.")


def review_summary(view: View) -> str:
    """``summary`` of the view's lists (the index's line on the review page)."""
    return summary(flagged(view), disagreeing(view), differing(view))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
