"""Paths → raw documents (or rejects): the loading stage.

A PATH is a file or a folder (read recursively, in sorted order). Formats: ``.txt`` scrapes,
``.html``/``.htm`` pages (main text and metadata by trafilatura), ``.jsonl`` and ``.csv``
exports (one article per line/row, streamed). Every problem becomes a ``Reject`` naming the
source and the reason; reading goes on.

``read_file`` (one input file → its documents) and ``iter_documents`` are here; the rest is
in modules of one job each: ``discovery`` (which files), ``encodings`` (bytes → text),
``fields`` (which export column is which field), ``webpage`` (an HTML page), ``exports``
(JSONL/CSV rows, and splitting a large export). Their public names are imported here too:
this package is the stage's public face, and the rest of citycoop, the tools and the tests
call ``load.discover``, ``load.split_export``… as one interface, whichever module holds them
(and a test or tool that replaces ``load.read_file`` or ``load.split_export`` replaces what
the pipeline calls). Private helpers are reached in their own module.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from ..models import RawDocument, Reject
from .discovery import (CORRECTIONS_NAME, DEFAULT_MAX_BYTES, EXPORT_SUFFIXES, IGNORE_FILE, OUTPUT_NAMES,
                        OUTPUT_SUFFIXES, SUPPORTED_SUFFIXES, InputFile, Part, discover, is_export,
                        require_paths, skip_outputs)
from .encodings import DecodeError, Decoded, decode_bytes, decode_mixed
from .exports import _is_records, _read_csv, _read_jsonl, split_export
from .fields import FIELDS, column_key, export_columns, parse_field_options, usual_names
from .webpage import _read_html, date_line_near_headline, flatten_deep_html, summary_box

__all__ = [
    "CORRECTIONS_NAME", "DEFAULT_MAX_BYTES", "EXPORT_SUFFIXES", "FIELDS", "IGNORE_FILE", "OUTPUT_NAMES",
    "OUTPUT_SUFFIXES", "SUPPORTED_SUFFIXES", "DecodeError", "Decoded", "InputFile", "Part", "column_key",
    "date_line_near_headline", "decode_bytes", "decode_mixed", "discover", "export_columns",
    "flatten_deep_html", "is_export", "iter_documents", "parse_field_options", "read_file",
    "require_paths", "skip_outputs", "split_export", "summary_box", "usual_names",
]


def read_file(f: InputFile, max_bytes: int = DEFAULT_MAX_BYTES,
              fields: tuple[tuple[str, str], ...] = ()) -> Iterator[RawDocument | Reject]:
    """The articles of one file; never raises for bad input. ``fields``: the (field, column)
    pairs the user mapped (``--field``), read before an export's usual column names."""
    if f.unreadable:
        yield Reject(f.source, "unreadable", f.unreadable)
        return
    name = os.path.basename(f.path)
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield Reject(f.source, "unsupported_format",
                     f"'{suffix or name}' is not one of {', '.join(sorted(SUPPORTED_SUFFIXES))}")
        return
    try:
        st = os.stat(f.path)
        if not stat.S_ISREG(st.st_mode):  # reading a named pipe would wait for a writer forever
            yield Reject(f.source, "not_a_file", "a named pipe, socket or device, not a regular file")
            return
        if suffix in EXPORT_SUFFIXES:
            if _is_records(f.path):  # the first part says so; the others are the same file
                if f.part is None or f.part.index == 0:
                    yield Reject(f.source, "citycoop_output", "its rows are citycoop records (an output of "
                                                              "citycoop extract), not articles")
                return
            yield from (_read_jsonl if suffix == ".jsonl" else _read_csv)(f, max_bytes, fields)
            return
        size = st.st_size
        if size > max_bytes:
            yield Reject(f.source, "too_large", f"{size / 1e6:.1f} MB > limit {max_bytes / 1e6:.1f} MB")
            return
        try:
            with open(f.path, "rb") as fh:
                data = fh.read()
            decoded = decode_bytes(data)
        except DecodeError as exc:
            yield Reject(f.source, exc.reason, exc.detail)
            return
        warnings = (decoded.warning,) if decoded.warning else ()
        if suffix == ".txt":
            yield RawDocument(f.id, f.source, "txt", decoded.codec, decoded.text, warnings=warnings)
        else:
            yield _read_html(f, decoded.text, decoded.codec, warnings)
    except Exception as exc:  # a file we cannot open or parse: say so and go on
        yield Reject(f.source, "unreadable", f"{type(exc).__name__}: {exc}")


def iter_documents(paths, max_bytes: int = DEFAULT_MAX_BYTES, fields: tuple = ()) -> Iterator[RawDocument | Reject]:
    for f in discover(paths):
        yield from read_file(f, max_bytes, fields)
