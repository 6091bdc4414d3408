"""An article's fields in an export: which of its columns (CSV) or keys (JSONL) hold the text,
title, URL, date, outlet and byline — their usual names (``data/export_fields.yml``) in any
case or accents, and the user's ``--field FIELD=COLUMN``."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

# An article's fields, as an export's columns (CSV) or keys (JSONL) may hold them; which names
# stand for each is data (``data/export_fields.yml``), and ``--field FIELD=COLUMN`` adds others.
FIELDS = ("text", "title", "url", "published", "outlet", "byline")


@functools.lru_cache(maxsize=4096)
def column_key(name: str) -> str:
    """A column's (or key's) name as it is matched against the field names: case, Vietnamese
    accents and separators aside ("Nội dung", "noi-dung" and "NOI_DUNG" are all "noi_dung")."""
    folded = unicodedata.normalize("NFD", name.strip().casefold().replace("đ", "d"))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "_", folded).strip("_")


@functools.lru_cache(maxsize=1)
def usual_names() -> dict[str, tuple[str, ...]]:
    """``data/export_fields.yml``: per field, the names its column usually has, best first."""
    from importlib import resources

    from ..yamlfile import safe_load

    data = safe_load(resources.files("citycoop.data").joinpath("export_fields.yml").read_text(encoding="utf-8"))
    return {field: tuple(column_key(str(n)) for n in data.get(field) or ()) for field in FIELDS}


def parse_field_options(options: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``--field FIELD=COLUMN`` options as (field, column) pairs, in their order (a field given
    twice: either column, the first preferred); ValueError saying what is wrong with one."""
    pairs = []
    for option in options:
        field, sep, column = option.partition("=")
        field, column = field.strip().lower(), column.strip()
        if not sep or not field or not column:
            raise ValueError(f"--field {option}: give FIELD=COLUMN, e.g. --field text=body")
        if field not in FIELDS:
            raise ValueError(f"--field {option}: '{field}' is not a field; the fields are {', '.join(FIELDS)}")
        pairs.append((field, column))
    return tuple(pairs)


@functools.lru_cache(maxsize=16)
def _field_ranks(mapped: tuple[tuple[str, str], ...]) -> dict[str, tuple[str, int]]:
    """Per matched name, its field and rank: the columns the user mapped first (a mapped
    column is that field's only, whatever its name), then the usual names."""
    ranks: dict[str, tuple[str, int]] = {}
    for rank, (field, column) in enumerate(mapped):
        ranks.setdefault(column_key(column), (field, rank))
    for field, names in usual_names().items():
        for rank, name in enumerate(names):
            ranks.setdefault(name, (field, len(mapped) + rank))
    return ranks


@functools.lru_cache(maxsize=256)  # a JSONL export's rows mostly share one set of keys
def export_columns(names: tuple[str, ...], mapped: tuple[tuple[str, str], ...] = ()) -> dict[str, tuple[str, ...]]:
    """Per field, which of an export's column names (a CSV header, a JSONL object's keys)
    hold it, best first; ``mapped``: the user's (field, column) pairs (``--field``)."""
    ranks = _field_ranks(mapped)
    found: dict[str, list[tuple[int, str]]] = {field: [] for field in FIELDS}
    for name in names:
        hit = ranks.get(column_key(name))
        if hit is not None:
            found[hit[0]].append((hit[1], name))
    return {field: tuple(name for _, name in sorted(hits)) for field, hits in found.items()}
