"""The record's fields, declared once, and every form of a record derived from them.

A record is what ``Extractor.extract`` returns for an article, plus what the worker adds
(``furniture_removed``) and what an analyst's corrections set (``corrected``, ``correction_note``,
``not_a_meeting``, ``meeting_move``: corrections.py): nested JSON, as ``citycoop extract -f
jsonl`` prints it. Its flat row (CSV and Parquet outputs, the pipeline's Arrow chunks, the record
cache) holds, in this order: the extracted scalar fields, a readable column per list field
(names joined by "; "), one ``topic_<id>`` count per topic, the list fields again as JSON
(``<field>_json``, for analysis), the corrections' columns, and the text. ``FIELDS`` gives each field's kind and Arrow type; ``flat_row``,
``record_from_row``, ``flat_columns``, ``parquet_schema``, ``cache_schema`` and the column sets
below are derived from it.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .extract.topics import Taxonomy

# Kinds of field, by how a flat row holds them.
SCALAR = "scalar"  # a string or a number: a column of its own
PLACES = "places"  # a list of places: their names joined, and the list as JSON
PARTNERS = "partners"  # the Chinese partners: names, and their provinces, joined; the list as JSON
OFFICIALS = "officials"  # "name (side)" joined, and the list as JSON
STRINGS = "strings"  # a list of strings: joined, and the list as JSON
JOINED = "joined"  # a list of names: joined, in one column (no JSON)
FLAG = "flag"  # true or false
JSON = "json"  # only as JSON
COUNTS = "counts"  # per topic id a count: one ``topic_<id>`` column each
TEXT = "text"  # the body: the last column


@dataclass(frozen=True)
class Field:
    """One field of a record: its name (its column's, or its columns' stem), its kind (how a
    flat row holds it) and what the reports and the worker make of it."""

    name: str
    kind: str
    arrow: str = "string"  # the Arrow type of its column (topic counts are int32, list columns strings)
    heavy: bool = False  # most of a dataset's bytes: a report reads it only for the rows it shows
    added: bool = False  # added after extraction (worker, corrections); a row without it reads as empty


FIELDS = (
    Field("id", SCALAR),
    Field("source", SCALAR),
    Field("format", SCALAR),
    Field("title", SCALAR),
    Field("url", SCALAR),
    Field("outlet", SCALAR),
    Field("byline", SCALAR),
    Field("published", SCALAR),
    Field("published_source", SCALAR),
    Field("encoding", SCALAR),
    Field("n_chars", SCALAR, arrow="int64"),
    Field("content_hash", SCALAR),
    Field("duplicate_of", SCALAR),
    Field("event_date", SCALAR),
    Field("event_date_source", SCALAR),
    Field("event_date_phrase", SCALAR),
    Field("direction", SCALAR),
    Field("vn_localities", PLACES),
    Field("partners", PARTNERS),
    Field("mentions", JSON, heavy=True),
    Field("officials", OFFICIALS),
    Field("topics", COUNTS),
    Field("evidence", JSON, heavy=True),
    Field("warnings", STRINGS),
    # lines cleaning removed because they repeat across the corpus (furniture.py)
    Field("furniture_removed", JSON, added=True),
    # what an analyst's corrections set (corrections.py); the meeting flags meetings.group reads
    Field("corrected", JOINED, added=True),
    Field("correction_note", SCALAR, added=True),
    Field("not_a_meeting", FLAG, arrow="bool_", added=True),
    Field("meeting_move", SCALAR, added=True),
    Field("text", TEXT, heavy=True),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
EXTRACTED_FIELDS = tuple(f.name for f in FIELDS if not f.added)  # what ``Extractor.extract`` returns
TOPIC_PREFIX = "topic_"
PARTNER_PROVINCES = "partner_provinces"  # the partners' provinces, a readable column of its own

_LISTS = (PLACES, PARTNERS, OFFICIALS, STRINGS, JSON)  # held as JSON
_SCALARS = tuple(f.name for f in FIELDS if f.kind == SCALAR and not f.added)
_JSON_FIELDS = tuple(f.name for f in FIELDS if f.kind in _LISTS and not f.added)
_ADDED_JSON_FIELDS = tuple(f.name for f in FIELDS if f.kind in _LISTS and f.added)
_ADDED_VALUES = tuple(f for f in FIELDS if f.added and f.kind in (SCALAR, FLAG, JOINED))  # after the JSON
_TEXT = next(f.name for f in FIELDS if f.kind == TEXT)


def _names(key: str):
    return lambda record: "; ".join(v["name"] for v in record[key])


def _provinces(key: str):
    return lambda record: "; ".join(sorted({p["province"] for p in record[key]}))


def _officials(key: str):
    return lambda record: "; ".join(f"{o['name']} ({o['side'] or '?'})" for o in record[key])


def _joined(key: str):
    return lambda record: "; ".join(record[key])


# The readable columns, in order, each with how it is made from the record.
_READABLE: tuple = tuple(
    column
    for f in FIELDS
    for column in {
        PLACES: [(f.name, _names(f.name))],
        PARTNERS: [(f.name, _names(f.name)), (PARTNER_PROVINCES, _provinces(f.name))],
        OFFICIALS: [(f.name, _officials(f.name))],
        STRINGS: [(f.name, _joined(f.name))],
    }.get(f.kind, [])
)


def topic_column(topic_id: str) -> str:
    return f"{TOPIC_PREFIX}{topic_id}"


def flat_row(record: dict, topic_ids: Iterable[str]) -> dict:
    """One record as a flat row: lists joined for reading, JSON kept for analysis."""
    row = {k: record.get(k) for k in _SCALARS}
    for column, make in _READABLE:
        row[column] = make(record)
    topics = record["topics"]
    for tid in topic_ids:
        row[f"{TOPIC_PREFIX}{tid}"] = int(topics.get(tid, 0))
    for key in _JSON_FIELDS:
        row[f"{key}_json"] = json.dumps(record[key], ensure_ascii=False)
    for key in _ADDED_JSON_FIELDS:
        row[f"{key}_json"] = json.dumps(record.get(key, []), ensure_ascii=False)
    for f in _ADDED_VALUES:
        value = record.get(f.name)
        row[f.name] = "; ".join(value or ()) if f.kind == JOINED else bool(value) if f.kind == FLAG else value
    row[_TEXT] = record[_TEXT]
    return row


def record_from_row(row: dict, topic_ids: Iterable[str]) -> dict:
    """The nested record (as ``citycoop extract`` prints it) back from its flat row."""
    record = {}
    for f in FIELDS:
        if f.kind == COUNTS:
            record[f.name] = {t: row[f"{TOPIC_PREFIX}{t}"] for t in topic_ids}
        elif f.kind == JOINED:
            record[f.name] = [v for v in (row.get(f.name) or "").split("; ") if v]
        elif f.kind == FLAG:
            record[f.name] = bool(row.get(f.name))
        elif f.kind in (SCALAR, TEXT):
            record[f.name] = row.get(f.name) if f.added else row[f.name]
        elif f.added:
            record[f.name] = json.loads(row.get(f"{f.name}_json") or "[]")
        else:
            record[f.name] = json.loads(row[f"{f.name}_json"])
    return record


def columns_of(field: Field, topic_ids: Iterable[str] = ()) -> list[str]:
    """The flat columns that hold ``field``: readable ones first, then its JSON."""
    if field.kind in (SCALAR, TEXT, FLAG, JOINED):
        return [field.name]
    if field.kind == COUNTS:
        return [topic_column(t) for t in topic_ids]
    readable = [field.name] if field.kind in (PLACES, PARTNERS, OFFICIALS, STRINGS) else []
    if field.kind == PARTNERS:
        readable.append(PARTNER_PROVINCES)
    return readable + [f"{field.name}_json"]


def flat_columns(taxonomy: Taxonomy) -> list[str]:
    """The flat row's columns, in order, for this taxonomy's topics."""
    return ([*_SCALARS] + [c for c, _ in _READABLE] + [topic_column(t) for t in taxonomy.ids]
            + [f"{k}_json" for k in _JSON_FIELDS + _ADDED_JSON_FIELDS] + [f.name for f in _ADDED_VALUES] + [_TEXT])


def whole_columns(field_names: Iterable[str]) -> tuple[str, ...]:
    """For each of these fields the one column that holds it whole (a list field: its JSON);
    topic counts are the ``topic_*`` columns and are not named here."""
    by_name = {f.name: f for f in FIELDS}
    columns = []
    for name in field_names:
        f = by_name[name]
        if f.kind != COUNTS:
            columns.append(f.name if f.kind in (SCALAR, TEXT, FLAG, JOINED) else f"{f.name}_json")
    return tuple(columns)


def parquet_schema(taxonomy: Taxonomy):
    """The Arrow schema of flat rows (Parquet outputs, the pipeline's chunks)."""
    import pyarrow as pa

    scalar_types = {f.name: getattr(pa, f.arrow)() for f in FIELDS if f.kind in (SCALAR, FLAG)}
    return pa.schema([pa.field(name, pa.int32() if name.startswith(TOPIC_PREFIX)
                               else scalar_types.get(name, pa.string()))
                      for name in flat_columns(taxonomy)])


def cache_schema(taxonomy: Taxonomy):
    """The output columns plus the MinHash signature the duplicate check needs."""
    import pyarrow as pa

    from .dedup import SIGNATURE_BYTES

    return parquet_schema(taxonomy).append(pa.field("_sig", pa.binary(SIGNATURE_BYTES)))


def _declared(*names: str) -> list[str]:
    """A set of columns, each one that the flat row has (topic columns aside)."""
    known = (set(_SCALARS) | {c for c, _ in _READABLE} | {f"{k}_json" for k in _JSON_FIELDS + _ADDED_JSON_FIELDS}
             | {f.name for f in _ADDED_VALUES})
    unknown = [n for n in names if n not in known and n != _TEXT]
    if unknown:
        raise ValueError(f"not columns of a record's flat row: {unknown}")
    return list(names)


# The columns that hold most of a dataset's bytes (160, 55 and 25 MB of 100 000 generated
# articles, against 17 MB for the next largest): a report reads them only for the rows a table
# shows (``dataset.read_rows``, ``dataset.iter_rows``), never for the whole corpus at once.
HEAVY_COLUMNS = tuple(c for f in FIELDS if f.heavy for c in columns_of(f))
# What the reports read of a built dataset for the whole corpus (with the topic columns).
REPORT_COLUMNS = _declared("id", "title", "url", "outlet", "event_date", "direction", "duplicate_of", "warnings",
                           "vn_localities_json", "partners_json", "officials_json")
# An analyst's corrections, read by the reports when a dataset has them (one built before has not).
CORRECTION_COLUMNS = _declared("corrected", "correction_note", "not_a_meeting")
