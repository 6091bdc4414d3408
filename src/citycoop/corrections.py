"""Analyst corrections: fixes to records, kept in a file and applied to the records of every run.

An analyst who finds a wrong row writes an entry in a corrections file (YAML or CSV, described
in docs/corrections.md), keyed by the record's ``id`` or its ``url``, that sets fields (parties,
event date, direction, topics), marks the article as not a meeting, or moves it into or out of
a meeting. Entries are read and checked here against the gazetteers and the taxonomy; an entry
that names a place, topic or value that does not exist is reported (file, entry, reason) and
left out, and the others apply.

The corrections are applied to the records after extraction (``corrected_chunks``, the one call
between the pipeline and a writer), so the record cache keeps what the extractor found and a
changed corrections file is applied again without extracting anything. A corrected record says
so: ``corrected`` lists the fields an entry set, ``correction_note`` carries the entries' notes,
and the meeting flags (``not_a_meeting``, ``meeting_move``) are read by ``meetings.group``. What
could not be applied — an entry whose article is not in the corpus, a move into a meeting that
does not exist — is known at the end of the run, and goes into the run's counts.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .load import CORRECTIONS_NAME

if TYPE_CHECKING:
    from .pipeline.chunks import RunStats
    from .pipeline.settings import Settings
    from .extract.topics import Taxonomy
    from .gazetteer import Gazetteer, Locality

DEFAULT_NAME = CORRECTIONS_NAME  # looked for beside the corpus (cli)
DIRECTIONS = ("inbound", "outbound", "none", "unknown")
# The record fields an entry sets, in the order a record's ``corrected`` lists them.
CORRECTED_FIELDS = ("vn_localities", "partners", "event_date", "direction", "topics", "not_a_meeting",
                    "meeting_move")
SETTABLE = ("vn_localities", "partners", "event_date", "direction", "topics")
MOVES = ("meeting", "same_meeting_as")  # an entry's keys for meeting_move
KEYS = ("id", "url")
ABOUT = ("note", "by", "when")  # what the entry says about itself
ENTRY_KEYS = (*KEYS, *SETTABLE, "not_a_meeting", *MOVES, *ABOUT)
OWN_MEETING = "own"  # ``meeting: own``: out of its meeting, into one of its own
_MEETING_ID = re.compile(r"^m[0-9a-f]{12}$")  # meetings.meeting_id
_ISO_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
_MONTH_DAY = re.compile(r"^--(\d\d)-(\d\d)$")
CSV_LIST_SEP = ";"
CSV_EMPTY = "-"  # a CSV cell that empties a field (no partner, no event date)
_TRUE = {"true", "yes", "1"}
# Record fields an entry cannot set: named so, rather than as fields that do not exist.
_NOT_SETTABLE = ("title", "url", "outlet", "byline", "published", "officials", "mentions", "evidence", "text",
                 "warnings", "duplicate_of", "event_date_phrase", "event_date_source", "source", "format")


# ----------------------------------------------------------------------------- meeting_move
def move_to_meeting(meeting_id: str) -> str:
    return f"meeting:{meeting_id}"


def move_with_article(article_id: str) -> str:
    return f"article:{article_id}"


def parse_move(value: str | None) -> tuple[str, str] | None:
    """A record's ``meeting_move`` as (kind, what): ("own", ""), ("meeting", id) or ("article", id)."""
    if not value:
        return None
    if value == OWN_MEETING:
        return (OWN_MEETING, "")
    kind, _, what = value.partition(":")
    return (kind, what) if kind in ("meeting", "article") and what else None


# ----------------------------------------------------------------------------- entries
@dataclass
class Entry:
    """One correction, checked: the record it is for, and what it sets (as record values)."""

    file: str  # the corrections file, as the run names it
    file_no: int  # its place among the run's corrections files
    number: int  # the entry's place in the file (a CSV row: its line)
    where: str  # "entry 3" (YAML) or "line 4" (CSV)
    key: str  # "id" or "url"
    value: str
    changes: dict  # record field → value: places as the record holds them, topics as ("set"|"edit", ...)
    note: str | None  # the note, who and when, as the record's correction_note carries it

    @property
    def label(self) -> str:
        return f"{self.file}: {self.where} ({self.key} {self.value})"


@dataclass(frozen=True)
class Message:
    """A line about the corrections: a problem (part or all of an entry not applied) or a warning."""

    file_no: int
    number: int
    text: str
    problem: bool


class Vocabulary:
    """What entries may name: the gazetteer's localities and the taxonomy's topics."""

    def __init__(self, taxonomy: Taxonomy, gazetteer: Gazetteer | None = None):
        self.taxonomy, self._gazetteer = taxonomy, gazetteer

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:  # loaded when an entry names a place
            from .gazetteer import load_gazetteer

            self._gazetteer = load_gazetteer()
        return self._gazetteer

    def place(self, country: str, name) -> Locality:
        """The locality ``name`` names on that side; ValueError saying why there is none."""
        side = "Chinese" if country == "cn" else "Vietnamese"
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{name!r} is not a place name")
        found = self.gazetteer.named(country, name)
        curated = [loc for loc in found if not loc.needs_evidence]
        if len(found) > 1 and len(curated) == 1:
            found = curated  # "Hà Nam" on the Chinese side: Henan, not the county of Qinghai
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(f"'{name}' names several {side} localities: {', '.join(loc.name for loc in found)}; "
                             "give the id")
        names = sorted({loc.name for loc in self.gazetteer.localities if loc.country == country})
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.75)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"unknown {side} locality '{name}'{hint}; the gazetteers list them (docs/gazetteers.md)")

    def topic(self, tid) -> str:
        if tid not in self.taxonomy.topics:
            close = difflib.get_close_matches(str(tid), self.taxonomy.ids, n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise ValueError(f"unknown topic '{tid}' ({hint}topics: {', '.join(self.taxonomy.ids)})")
        return tid

    def with_parents(self, tids: Iterable[str]) -> set[str]:
        """The topics and their parents (a metro term counts for transport too: extract.topics)."""
        out: set[str] = set()
        for tid in tids:
            while tid and tid not in out:
                out.add(tid)
                tid = self.taxonomy.topics[tid].parent
        return out

    def with_children(self, tids: Iterable[str]) -> set[str]:
        """The topics and those under them."""
        out = set(tids)
        return {t for t in self.taxonomy.ids if self.with_parents([t]) & out}


def read_entries(path: str, file_no: int, vocabulary: Vocabulary) -> tuple[list[Entry], list[Message]]:
    """The entries of one corrections file (YAML, or CSV by its ``.csv`` name), checked; and the
    lines about what is wrong in it (an entry that is wrong is not among the entries)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return [], [Message(file_no, 0, f"{path}: not applied: cannot read it ({exc.strerror or exc})", True)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Message(file_no, 0, f"{path}: not applied: not UTF-8 (byte {exc.start})", True)]
    if path.lower().endswith(".csv"):
        items, messages = _csv_items(path, file_no, text)
    else:
        items, messages = _yaml_items(path, file_no, text)
    entries: list[Entry] = []
    seen: dict[tuple[str, str, str], str] = {}  # (key, value, field) → the entry that set it first
    for number, where, item in items:
        entry, problems, warnings = _entry(path, file_no, number, where, item, vocabulary)
        messages += [Message(file_no, number, line, True) for line in problems]
        if entry is None:
            continue
        for name in entry.changes:
            first = seen.setdefault((entry.key, entry.value, name), entry.where)
            if first != entry.where:
                what = "its meeting" if name == "meeting_move" else name
                warnings.append(f"sets {what} again ({first} sets it too): the later entry wins")
        messages += [Message(file_no, number, f"{entry.label}: warning: {w}", False) for w in warnings]
        entries.append(entry)
    messages += _circles(entries, file_no)
    left_out = {m.number for m in messages if m.problem}
    return [e for e in entries if e.number not in left_out], messages


def _yaml_loader():
    """The safe YAML loader, dates left as written: "event_date: 2024-13-01" is that entry's
    mistake, not one that stops the file being read (PyYAML raises on it), and an id that looks
    like a date stays the id."""
    import yaml

    from .yamlfile import _Loader

    timestamp = "tag:yaml.org,2002:timestamp"
    return type("CorrectionsLoader", (_Loader,), {"yaml_implicit_resolvers": {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != timestamp]
        for first, resolvers in _Loader.yaml_implicit_resolvers.items()}}), yaml


def _yaml_items(path: str, file_no: int, text: str) -> tuple[list[tuple[int, str, object]], list[Message]]:
    loader, yaml = _yaml_loader()
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 — a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [], [Message(file_no, 0, f"{path}: not applied: not YAML: {problem}{at}", True)]
    if data is None:  # an empty file: no correction
        return [], []
    if not isinstance(data, list):
        return [], [Message(file_no, 0, f"{path}: not applied: the file is a list of entries (each "
                                        "starting with '- id:' or '- url:'), not a "
                                        f"{type(data).__name__}", True)]
    return [(i, f"entry {i}", item) for i, item in enumerate(data, 1)], []


def _csv_items(path: str, file_no: int, text: str) -> tuple[list[tuple[int, str, object]], list[Message]]:
    """A CSV's rows as entries: a list cell is split on ';', '-' empties a field, an empty cell
    sets nothing."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(k in header for k in KEYS):
            return [], [Message(file_no, 0, f"{path}: not applied: no 'id' or 'url' column (its first row "
                                            f"names {', '.join(map(repr, header)) or 'nothing'}); the "
                                            f"first row names the columns: {', '.join(ENTRY_KEYS)}", True)]
        items = []
        for cells in reader:
            number = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                items.append((number, f"line {number}",
                              _Misfit(f"{len(cells)} cells where the header names {len(header)}")))
                continue
            items.append((number, f"line {number}", {name: _csv_value(name, cell)
                                                    for name, cell in zip(header, cells) if cell.strip()}))
    except csv.Error as exc:
        return [], [Message(file_no, 0, f"{path}: not applied: not a CSV file ({exc})", True)]
    return items, []


class _Misfit(str):
    """A CSV row that does not fit its header, as why: no entry can be read from it."""


def _csv_value(name: str, cell: str):
    cell = cell.strip()
    if cell == CSV_EMPTY:
        return [] if name in ("vn_localities", "partners", "topics") else None
    if name in ("vn_localities", "partners", "topics"):
        return [part.strip() for part in cell.split(CSV_LIST_SEP) if part.strip()]
    return cell


def _entry(path: str, file_no: int, number: int, where: str, item, vocabulary: Vocabulary
           ) -> tuple[Entry | None, list[str], list[str]]:
    """One raw entry checked: (the entry or None, the lines saying why it is not applied, warnings)."""
    if isinstance(item, _Misfit):
        return None, [f"{path}: {where}: not applied: {item}"], []
    if not isinstance(item, dict):
        return None, [f"{path}: {where}: not applied: an entry is a set of 'field: value' lines, "
                      f"not a {type(item).__name__}"], []
    keys = [k for k in KEYS if str(item.get(k) or "").strip()]
    article = str(item[keys[0]]).strip() if keys else ""  # YAML reads an id such as 17 as a number
    label = f"{path}: {where}" + (f" ({keys[0]} {article})" if keys else "")
    reasons: list[str] = []
    if len(keys) != 1:
        reasons.append("give the article's id or its url" if not keys else "give its id or its url, not both")
    changes: dict = {}
    for name, value in item.items():
        name = str(name)
        if name in KEYS or name in ABOUT:
            continue
        try:
            changes.update(_change(name, value, vocabulary))
        except ValueError as exc:
            reasons.append(str(exc))
    moves = [k for k in MOVES if k in item]
    if len(moves) > 1:
        reasons.append("give meeting or same_meeting_as, not both")
    if changes.get("not_a_meeting") and moves:
        reasons.append("not_a_meeting and a move into a meeting contradict each other")
    if keys and keys[0] == "id" and str(item.get("same_meeting_as")).strip() == article:
        reasons.append("same_meeting_as names the article itself")
    if not changes and not reasons:
        reasons.append(f"sets nothing (an entry sets one or more of {', '.join((*SETTABLE, 'not_a_meeting', *MOVES))})")
    if reasons:
        return None, [f"{label}: not applied: {'; '.join(reasons)}"], []
    warnings = []
    missing = [k for k in ABOUT if item.get(k) in (None, "")]
    if missing:
        warnings.append(f"no {', '.join(missing)} (say why, who and when: the record carries it)")
    when = item.get("when")
    if when not in (None, "") and _day(when) is None:
        warnings.append(f"when {str(when)!r} is not a date (YYYY-MM-DD)")
    about = [str(item[k]).strip() for k in ("by", "when") if item.get(k) not in (None, "")]
    note = str(item["note"]).strip() if item.get("note") not in (None, "") else ""
    text = (note + (f" ({', '.join(about)})" if about else "")).strip() or None
    return Entry(path, file_no, number, where, keys[0], article, changes, text), [], warnings


def _day(value) -> str | None:
    """``YYYY-MM-DD`` of text starting with a day (a date, a time); None if it is none."""
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat() if _ISO_DAY.match(text[:10]) else None
    except ValueError:
        return None


def _change(name: str, value, vocabulary: Vocabulary) -> dict:
    """The record values one field of an entry sets; ValueError saying what is wrong with it."""
    if name in ("vn_localities", "partners"):
        names = [] if value is None else value if isinstance(value, list) else [value]
        country = "vn" if name == "vn_localities" else "cn"
        places: dict[str, dict] = {}
        errors = []
        for n in names:
            try:
                loc = vocabulary.place(country, str(n))
            except ValueError as exc:
                errors.append(str(exc))
                continue
            places.setdefault(loc.name, loc.as_vn() if country == "vn" else loc.as_partner())
        if errors:
            raise ValueError("; ".join(errors))
        return {name: list(places.values())}
    if name == "event_date":
        if value is None:
            return {name: None}
        text = str(value).strip()
        m = _MONTH_DAY.match(text)
        try:
            if m:
                dt.date(2000, int(m[1]), int(m[2]))  # a leap year: 29 February is a day
                return {name: text}
            if _ISO_DAY.match(text):
                return {name: dt.date.fromisoformat(text).isoformat()}
        except ValueError:
            pass
        raise ValueError(f"event_date {text!r} is not a day: YYYY-MM-DD, --MM-DD when the year is unknown, "
                         "or null (YAML; '-' in CSV) when there is none")
    if name == "direction":
        if value not in DIRECTIONS:
            raise ValueError(f"unknown direction {str(value)!r} (one of {', '.join(DIRECTIONS)})")
        return {name: value}
    if name == "topics":
        items = [] if value is None else value if isinstance(value, list) else [value]
        items = [str(t).strip() for t in items]
        edits = [t for t in items if t[:1] in "+-"]
        if edits and len(edits) != len(items):
            raise ValueError("topics are either the list of the article's topics or changes to them "
                             "(+id, -id), not both")
        errors, add, remove = [], set(), set()
        for t in items:
            try:
                (remove if t.startswith("-") else add).add(vocabulary.topic(t.lstrip("+-") if edits else t))
            except ValueError as exc:
                errors.append(str(exc))
        if errors:
            raise ValueError("; ".join(errors))
        if edits:
            return {name: ("edit", frozenset(vocabulary.with_parents(add)), frozenset(vocabulary.with_children(remove)))}
        return {name: ("set", frozenset(vocabulary.with_parents(add)), frozenset())}
    if name == "not_a_meeting":
        if value is True or (isinstance(value, str) and value.strip().lower() in _TRUE):
            return {name: True}
        raise ValueError(f"not_a_meeting {str(value)!r}: the one value is true (to undo, remove the entry)")
    if name == "meeting":
        text = str(value).strip() if value is not None else ""
        if text == OWN_MEETING:
            return {"meeting_move": OWN_MEETING}
        if _MEETING_ID.match(text):
            return {"meeting_move": move_to_meeting(text)}
        raise ValueError(f"meeting {text!r} is neither '{OWN_MEETING}' (out of its meeting) nor a meeting id "
                         "(m and 12 hex digits, as the meetings table gives it); to join another article's "
                         "meeting, use same_meeting_as")
    if name == "same_meeting_as":
        text = str(value).strip() if value is not None else ""
        if not text:
            raise ValueError("same_meeting_as names no article (give its id)")
        return {"meeting_move": move_with_article(text)}
    if name in _NOT_SETTABLE:
        raise ValueError(f"{name} cannot be corrected (an entry sets {', '.join(SETTABLE)}, not_a_meeting, "
                         "meeting or same_meeting_as)")
    close = difflib.get_close_matches(name, ENTRY_KEYS, n=1, cutoff=0.6)
    raise ValueError(f"no field {name!r}" + (f" (did you mean {close[0]}?)" if close else "")
                     + f"; an entry has {', '.join(ENTRY_KEYS)}")


def _circles(entries: list[Entry], file_no: int) -> list[Message]:
    """Entries whose same_meeting_as lead round in a circle (a with b, b with a): none of them moves."""
    moves = [(e, parse_move(e.changes.get("meeting_move"))) for e in entries if e.key == "id"]
    target = {e.value: move[1] for e, move in moves if move and move[0] == "article"}
    out = []
    for e in entries:
        if e.key != "id" or e.value not in target:
            continue
        seen, at = [e.value], target[e.value]
        while at in target and at not in seen:
            seen.append(at)
            at = target[at]
        if at == e.value:
            out.append(Message(file_no, e.number, f"{e.label}: not applied: same_meeting_as goes round in a "
                                                  f"circle ({' → '.join(seen + [at])})", True))
    return out


# ----------------------------------------------------------------------------- the book
def files_digest(files: Sequence[str]) -> str:
    """What the corrections files hold, for an output's fingerprint ("" without any): an output
    holds corrected records, so another corrections file means another output."""
    if not files:
        return ""
    h = hashlib.blake2b(digest_size=8)
    for f in files:
        h.update(f"\0{Path(f).name}\0".encode())
        try:
            h.update(Path(f).read_bytes())
        except OSError as exc:
            h.update(f"unreadable {exc.errno}".encode())
    return "+c" + h.hexdigest()


def default_files(paths: Iterable[str | Path]) -> tuple[str, ...]:
    """The ``corrections.yml`` beside the corpus: in each folder given, beside each file given,
    each once and in that order, when there is one."""
    out: list[str] = []
    seen: set[str] = set()
    for p in paths:
        p = Path(p)
        candidate = (p if p.is_dir() else p.parent) / DEFAULT_NAME
        real = str(candidate.resolve())
        if candidate.is_file() and real not in seen:
            seen.add(real)
            out.append(str(candidate))
    return tuple(out)


class Corrections:
    """The entries of a run's corrections files, by the id or url they are for, and what was
    wrong in the files."""

    def __init__(self, files: Sequence[str], vocabulary: Vocabulary):
        self.files = list(files)
        self.entries: list[Entry] = []
        self.messages: list[Message] = []
        for file_no, path in enumerate(self.files):
            entries, messages = read_entries(path, file_no, vocabulary)
            self.entries += entries
            self.messages += messages
        self.by_id: dict[str, list[Entry]] = {}
        self.by_url: dict[str, list[Entry]] = {}
        for e in self.entries:
            (self.by_id if e.key == "id" else self.by_url).setdefault(e.value, []).append(e)

    def for_record(self, record_id: str, url: str | None) -> list[Entry]:
        """The entries for this record, in file order (a later one wins a field both set)."""
        found = self.by_id.get(record_id, []) + (self.by_url.get(url.strip(), []) if url else [])
        return sorted(found, key=lambda e: (e.file_no, e.number))


def apply_entries(record: dict, entries: Sequence[Entry]) -> dict:
    """The nested record with the entries' changes made, ``corrected`` and ``correction_note`` set."""
    corrected = set(record.get("corrected") or ())
    notes = [record["correction_note"]] if record.get("correction_note") else []
    for entry in entries:
        for name, value in entry.changes.items():
            if name == "event_date":
                # the date no longer comes from the words that gave it
                record.update(event_date=value, event_date_source="correction", event_date_phrase=None)
            elif name == "topics":
                kind, add, remove = value
                counts = dict(record.get("topics") or {})
                chosen = add if kind == "set" else ({t for t, n in counts.items() if n} | add) - remove
                # a topic an analyst adds counts once when no term of it is in the text
                record["topics"] = {t: (max(1, int(n or 0)) if t in chosen else 0) for t, n in counts.items()}
                record["topics"].update({t: 1 for t in chosen if t not in counts})
                record["evidence"] = {t: s for t, s in (record.get("evidence") or {}).items() if t in chosen}
            else:
                record[name] = value
            corrected.add(name)
        if entry.note and entry.note not in notes:
            notes.append(entry.note)
    record["corrected"] = [f for f in CORRECTED_FIELDS if f in corrected]
    record["correction_note"] = " | ".join(notes) or None
    return record


# ----------------------------------------------------------------------------- a run
class Corrector:
    """Applies the corrections to a run's chunks of records (``corrected``), notes which entries
    met their article, and at the end (``finish``) puts into the run's counts what it could not
    apply. ``folder``: a folder output, whose kept parts' rows are not handed on but were
    corrected with the same file (the output's fingerprint holds its digest): when an entry or
    a move's target was not met among the rows handed on, the kept parts' ids are read from
    their files, so an entry for one of their rows is not taken for one without article."""

    def __init__(self, settings: Settings, folder: str | Path | None = None):
        from .pipeline.settings import load_taxonomy

        taxonomy = load_taxonomy(settings.topics_file)
        self.topic_ids = taxonomy.ids
        self.book = Corrections(settings.corrections, Vocabulary(taxonomy))
        self.folder = Path(folder) if folder is not None else None
        self._kept: list[Path] = []  # the kept parts' files, read at the end if need be
        self._met: set[int] = set()  # id() of the entries that met their article
        self._moved_alone: set[int] = set()  # entries moving an article that has no Chinese partner
        moves = [parse_move(e.changes.get("meeting_move")) for e in self.book.entries]
        self._wanted_articles = {m[1] for m in moves if m and m[0] == "article"}
        self._wanted_meetings = {m[1] for m in moves if m and m[0] == "meeting"}
        # what the runs' rows say of the targets: is the article, or the article a meeting id
        # comes from, a meeting (a Chinese partner, not marked otherwise)
        self._articles: dict[str, bool] = {}
        self._meetings: dict[str, bool] = {}

    def corrected(self, chunks: Iterable) -> Iterator:
        """The chunks (``pipeline.chunks.Chunk``), their tables corrected."""
        if not self.book.files:
            yield from chunks
            return
        for chunk in chunks:
            if chunk.table is not None and chunk.table.num_rows:
                chunk.table = self.correct_table(chunk.table)
                self._note_targets(chunk.table)
            kept = chunk.part_end.kept if chunk.part_end is not None else None
            if kept is not None and self.folder is not None:
                self._kept.append(self.folder / kept.file)  # renamed only once the run is through
            yield chunk

    def _hits(self, table) -> list[int]:
        """The rows of an Arrow table that entries are for, by id or url (found by Arrow: most
        chunks have none)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        mask = pc.is_in(table.column("id"), value_set=pa.array(list(self.book.by_id), pa.string()))
        if self.book.by_url:
            urls = pc.is_in(pc.utf8_trim_whitespace(table.column("url")),
                            value_set=pa.array(list(self.book.by_url), pa.string()))
            mask = pc.or_(mask, pc.fill_null(urls, False))
        return pc.indices_nonzero(mask).to_pylist()

    def correct_table(self, table):
        """An Arrow table of flat rows with the corrections applied to the rows they are for."""
        import pyarrow as pa

        from .records import flat_row, record_from_row

        hits = self._hits(table)
        if not hits:
            return table
        rows = []
        for row in table.take(hits).to_pylist():
            entries = self.book.for_record(row["id"], row["url"])
            record = apply_entries(record_from_row(row, self.topic_ids), entries)
            self._meet(entries, record["partners"])
            rows.append(flat_row(record, self.topic_ids))
        fixed = pa.Table.from_pylist(rows, schema=table.schema)
        pieces, start = [], 0
        for k, i in enumerate(hits):  # the corrected rows in the places of the rows they replace
            pieces += [table.slice(start, i - start), fixed.slice(k, 1)]
            start = i + 1
        pieces.append(table.slice(start))
        return pa.concat_tables(pieces)

    def _meet(self, entries: Sequence[Entry], partners) -> None:
        for e in entries:
            self._met.add(id(e))
            if "meeting_move" in e.changes and not partners:
                self._moved_alone.add(id(e))

    def _note_targets(self, table) -> None:
        """Note the move targets among these (corrected) rows."""
        if not (self._wanted_articles or self._wanted_meetings):
            return
        import pyarrow as pa
        import pyarrow.compute as pc

        from .meetings import meeting_id

        ids = table.column("id")
        at = set(pc.indices_nonzero(pc.is_in(ids, value_set=pa.array(list(self._wanted_articles), pa.string())))
                 .to_pylist())
        if self._wanted_meetings:  # a meeting id is its first article's: every id is hashed
            at |= {i for i, rid in enumerate(ids.to_pylist()) if meeting_id(rid) in self._wanted_meetings}
        if not at:
            return
        names = [c for c in ("id", "partners", "not_a_meeting") if c in table.column_names]
        for row in table.select(names).take(sorted(at)).to_pylist():
            is_meeting = bool(row.get("partners")) and not row.get("not_a_meeting")
            if row["id"] in self._wanted_articles:
                self._articles[row["id"]] = is_meeting
            mid = meeting_id(row["id"]) if self._wanted_meetings else None
            if mid in self._wanted_meetings:
                self._meetings[mid] = is_meeting

    def _unresolved(self) -> bool:
        return (any(id(e) not in self._met for e in self.book.entries)
                or bool(self._wanted_articles - set(self._articles))
                or bool(self._wanted_meetings - set(self._meetings)))

    def _read_kept_parts(self) -> None:
        """The kept parts' rows, as the entries and move targets need them."""
        import pyarrow.parquet as pq

        for path in self._kept:
            names = [c for c in ("id", "url", "partners", "not_a_meeting") if c in pq.read_schema(path).names]
            table = pq.read_table(path, columns=names)
            for row in table.take(self._hits(table)).to_pylist():
                self._meet(self.book.for_record(row["id"], row.get("url")), row.get("partners"))
            self._note_targets(table)

    def finish(self, stats: RunStats) -> None:
        """The run's counts get the corrections': entries applied, not applied (with why), warnings."""
        if not self.book.files:
            return
        if self._kept and self._unresolved():
            self._read_kept_parts()
        messages = list(self.book.messages)
        for e in self.book.entries:
            if id(e) not in self._met:
                messages.append(Message(e.file_no, e.number, f"{e.label}: not applied: no article with this "
                                                            f"{e.key} in the corpus", True))
                continue
            why = self._move_problem(e)
            if why:
                messages.append(Message(e.file_no, e.number, f"{e.label}: move not applied: {why}", True))
        messages.sort(key=lambda m: (m.file_no, m.number, not m.problem))
        problems = {(m.file_no, m.number) for m in messages if m.problem}
        applied = sum(1 for e in self.book.entries if (e.file_no, e.number) not in problems)
        stats.corrections = {
            "files": list(self.book.files), "applied": applied, "invalid": len(problems),
            "warnings": sum(1 for m in messages if not m.problem), "messages": [m.text for m in messages]}

    def _move_problem(self, entry: Entry) -> str | None:
        """Why an entry's move cannot be made, or None (no move, or one that can)."""
        move = parse_move(entry.changes.get("meeting_move"))
        if move is None:
            return None
        if id(entry) in self._moved_alone:
            return "the article has no Chinese partner, so it is in no meeting"
        kind, target = move
        if kind == "article":
            found = self._articles.get(target)
            if found is None:
                return f"same_meeting_as names no article of the corpus ({target})"
            return None if found else f"{target} is in no meeting (no Chinese partner, or marked not a meeting)"
        if kind == "meeting":
            found = self._meetings.get(target)
            if found is None:
                return (f"no meeting {target} in the corpus (a meeting's id comes from its first article: "
                        "see the meetings table)")
            return None if found else f"the article meeting {target} was named after is in no meeting now"
        return None


def corrected_chunks(chunks: Iterable, settings: Settings, stats: RunStats,
                     folder: str | Path | None = None) -> Iterator:
    """The pipeline's chunks with the run's corrections applied (none: as they are), their counts
    put into ``stats`` once the chunks are through. ``folder``: a folder output (``Corrector``)."""
    if not settings.corrections:
        yield from chunks
        return
    corrector = Corrector(settings, folder)
    yield from corrector.corrected(chunks)
    corrector.finish(stats)


def summary(counts: dict) -> str:
    """The corrections' part of a run's summary line."""
    applied, invalid, warnings = counts.get("applied", 0), counts.get("invalid", 0), counts.get("warnings", 0)
    return (f"corrections {applied + invalid} (applied {applied}, invalid {invalid}"
            + (f", warnings {warnings}" if warnings else "") + ")")
