"""JSONL and CSV exports (many articles each) → raw documents, row by row and streamed: each
line decoded on its own, a row's fields by their columns (``fields``), one reject per bad row,
citycoop's own outputs refused; and ``split_export``, which cuts a large export at rows into
parts that several tasks read with the same ids and messages as a whole read."""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
from collections.abc import Generator, Iterator

from ..models import RawDocument, Reject
from .discovery import DEFAULT_MAX_BYTES, EXPORT_SUFFIXES, InputFile, Part
from .encodings import DecodeError, _bom_codec, _decode_line
from .fields import export_columns

_SNIFF = 65536


_NAMES_SHOWN = 20


def _no_text_column(f: InputFile, names: list[str], mapped: tuple[tuple[str, str], ...], what: str,
                    where: str = "") -> Reject:
    """The one reject of an export none of whose columns (``what``: column or key) is a text:
    naming the columns it has and the option that maps one."""
    shown = ", ".join(names[:_NAMES_SHOWN]) or "none"
    if len(names) > _NAMES_SHOWN:
        shown += f" and {len(names) - _NAMES_SHOWN} more"
    asked = [column for field, column in mapped if field == "text"]
    missing = f" (none named {' or '.join(asked)}, as --field text= asks)" if asked else ""
    return Reject(f.source, "no_text_field",
                  f"no text {what}{where}{missing}: found {shown}; map one with --field text=<{what}>")


_REJECT_KEYS = {"source", "reason", "detail"}


def _is_records(path: str) -> bool:
    """Whether an export's first line names the fields of citycoop's records or rejects (a
    JSONL or CSV output of ``citycoop extract``, or its ``--rejects``, left among the inputs):
    they are never articles."""
    with open(path, "rb") as fh:
        for line in iter(lambda: fh.readline(1 << 20), b""):
            if line.strip():
                if b"content_hash" in line and b"event_date_source" in line:
                    return True
                if b"meeting_id" in line and b"article_ids" in line:  # a meetings table
                    return True
                try:
                    row = json.loads(line)
                except (ValueError, RecursionError):
                    return False
                return isinstance(row, dict) and set(row) == _REJECT_KEYS
    return False


def _first(row: dict, names) -> str | None:
    """The first of the fields ``names`` with a value, as text. A JSON object, list or boolean
    is no title, URL or date: passed over (``str`` had printed Python's form of it)."""
    for n in names:
        v = row.get(n)
        if isinstance(v, (dict, list, bool)):
            continue
        if v is not None and str(v).strip():
            return str(v).strip()
    return None


_JSON_TYPES = {dict: "an object", list: "a list", bool: "a boolean", int: "a number", float: "a number"}


def _short(exc: Exception) -> str:
    """An exception's message up to its first "; " (Python's advice on how to lift a limit
    is no help to whoever wrote the export)."""
    return str(exc).split("; ")[0]


def _row_document(f: InputFile, n: int, row: dict, fmt: str, codec: str, warnings: tuple[str, ...],
                  columns: dict[str, tuple[str, ...]], what: str) -> RawDocument | Reject:
    """One row of an export as a document; ``columns``: per field, the row's columns (keys)
    that hold it, best first (``export_columns``); ``what``: "column" or "key", for messages."""
    # The file's whole name, extension included: export.csv and export.jsonl in one folder
    # are two exports whose rows must not share ids.
    rid, source = f"{f.id}#{n}", f"{f.source}#{n}"
    text_columns = columns["text"]
    for name in text_columns:
        value = row.get(name)
        if value is not None and not isinstance(value, str):
            return Reject(source, "no_text_field", f"row {n}: '{name}' is {_JSON_TYPES.get(type(value), 'not text')}, "
                                                   "not a string")
    text = _first(row, text_columns)
    if text is None:
        if text_columns:
            return Reject(source, "no_text_field", f"row {n}: {' and '.join(map(repr, text_columns))} empty")
        return Reject(source, "no_text_field", f"row {n} has no text {what} (its {what}s: "
                                               f"{', '.join(map(str, row)) or 'none'}; map one with --field text=<{what}>)")
    return RawDocument(rid, source, fmt, codec, text, title=_first(row, columns["title"]),
                       url=_first(row, columns["url"]), published=_first(row, columns["published"]),
                       outlet=_first(row, columns["outlet"]), byline=_first(row, columns["byline"]),
                       warnings=warnings)


# Codecs in which the bytes "\n" and "\r" only ever stand for those characters: an export in
# one of them is read as byte lines, each decoded on its own (UTF-8, or Windows-1258 where a
# line is that: ``_decode_line``), and can be split between rows.
_BYTE_LINE_CODECS = ("utf-8", "utf-8-sig")
_READ_BLOCK = 1 << 16


def _byte_lines(fh: io.BufferedIOBase, stop: int | None = None) -> Iterator[bytes]:
    """Lines of a binary stream as the text reader's universal newlines cut them ("\n", "\r\n"
    and a lone "\r" each end a line: ``bytes.splitlines``), up to byte ``stop`` of the stream
    (a row end). Read in blocks cut after a line end, never between "\r" and "\n"; a line
    longer than a block is gathered and joined once. Splitting blocks in C: 0.46 s for the
    1.45 M lines of a 113 MB CSV, against 1.1 s for iterating the file and looking for a lone
    "\r" in each line."""
    left = stop - fh.tell() if stop is not None else -1
    pending: list[bytes] = []  # the start of a line no block has ended yet
    while left:
        block = fh.read(_READ_BLOCK if left < 0 else min(_READ_BLOCK, left))
        if not block:
            break
        if left > 0:
            left -= len(block)
        # after the last "\n", or the last "\r" that a byte other than "\n" follows
        end = len(block) if left == 0 else max(block.rfind(b"\n"), block.rfind(b"\r", 0, len(block) - 1)) + 1
        if not end:
            pending.append(block)
            continue
        lines = block[:end] if end < len(block) else block
        if pending:
            pending.append(lines)
            lines = b"".join(pending)
            pending = []
        if end < len(block):
            pending.append(block[end:])
        yield from lines.splitlines(keepends=True)
    if pending:
        yield from b"".join(pending).splitlines(keepends=True)


def _is_blank(line: bytes, codec: str) -> bool:
    """Whether a byte line is only whitespace once decoded (as ``str.strip`` sees it); an
    undecodable line is not blank. Decodes only lines that do not start with visible ASCII."""
    if line and 0x21 <= line[0] <= 0x7E:  # "{": every line of a real export, without a copy
        return False
    stripped = line.strip()
    if not stripped:
        return True
    if 0x21 <= stripped[0] <= 0x7E:
        return False
    return not line.decode(codec, "replace").strip()


def split_export(f: InputFile, part_bytes: int, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[InputFile]:
    """A JSONL or CSV export larger than ``part_bytes`` as consecutive parts of about that size,
    each beginning at a row, for several tasks to read at once; any other file as itself. Reads
    the file once (a CSV through the same parser, with the same ``max_bytes``, since a quoted
    field may span lines) to find where rows begin and number them, so the parts give the same
    documents, ids and messages as a whole read. A part is handed out as soon as the next one
    begins."""
    suffix = os.path.splitext(f.path)[1].lower()
    try:
        if suffix not in EXPORT_SUFFIXES or os.path.getsize(f.path) <= part_bytes:
            yield f
            return
        codec = _export_codec(f.path)
    except (OSError, DecodeError):  # the reader reports it
        yield f
        return
    if codec not in _BYTE_LINE_CODECS:
        yield f
        return
    line_codec, skip = _line_codec(codec)
    start = held = None  # held: the last part found, handed out when another follows it
    size = 0
    try:
        with open(f.path, "rb") as fh:
            st = os.fstat(fh.fileno())
            size, state = st.st_size, (st.st_size, st.st_mtime_ns)
            fh.seek(skip)
            cuts = (_jsonl_cuts(fh, line_codec, skip) if suffix == ".jsonl"
                    else _csv_cuts(fh, line_codec, skip, max_bytes))
            for offset, rows in cuts:
                if start is None:
                    start, rows_at_start = offset, rows
                elif offset - start >= part_bytes:
                    if held is not None:
                        yield f._replace(part=held)
                    held = Part(start, offset, rows_at_start, codec, 0 if held is None else held.index + 1,
                                False, state)
                    start, rows_at_start = offset, rows
    except OSError:  # gone or unreadable meanwhile: the part that reads on from here reports it
        pass
    if held is None:
        yield f
        return
    if size > start:  # the rest of the file (to its end, whatever the scan saw) is the last part
        yield f._replace(part=held)
        held = Part(start, None, rows_at_start, codec, held.index + 1, False, state)
    yield f._replace(part=held._replace(stop=None, last=True))


def _line_codec(codec: str) -> tuple[str, int]:
    """The codec to decode each line with, and the bytes to skip at the start of the file."""
    return ("utf-8", len(codecs.BOM_UTF8)) if codec == "utf-8-sig" else (codec, 0)


def _jsonl_cuts(fh, codec: str, offset: int) -> Iterator[tuple[int, int]]:
    """Where a JSONL file may be cut (after any line: ``_byte_lines`` never parts a "\r\n")
    and how many rows come before."""
    rows = 0
    yield offset, rows
    for line in _byte_lines(fh):
        offset += len(line)
        rows += not _is_blank(line, codec)
        yield offset, rows


def _csv_cuts(fh, codec: str, offset: int, max_bytes: int) -> Iterator[tuple[int, int]]:
    """Where a CSV file may be cut (after a row: the parser then starts afresh, as after the
    header) and how many rows come before; none past a line that does not decode, so the
    part holding it runs to the end of the file, as a whole read stops there."""
    def lines() -> Iterator[str]:
        nonlocal offset
        for raw in _byte_lines(fh):
            offset += len(raw)
            yield _line_text(raw, None)

    csv.field_size_limit(max(max_bytes, 1 << 20))
    reader = csv.reader(lines(), strict=True)
    try:
        next(reader)  # the header
        rows = 0
        yield offset, rows
        for _ in _csv_records(reader):
            rows += 1
            yield offset, rows
    except (StopIteration, csv.Error):
        return


def _export_codec(path: str) -> str:
    """An export's codec: a BOM's, else utf-8, each line then decoded on its own
    (``_decode_line``), so that stray bytes cost their row only. From its first 64 KB that
    are not whitespace (a file that starts with many blank lines is not empty); DecodeError
    "empty" if there are none, "binary" if they are more than 1% NUL bytes (a UTF-16 text
    without its BOM, an image renamed)."""
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF)
        while head and not head.strip():  # a BOM or a UTF-16 text is never ASCII whitespace
            head = fh.read(_SNIFF)
    if not head:
        raise DecodeError("empty", "file is empty")
    codec = _bom_codec(head)
    if codec is not None:
        return codec
    if head.count(b"\x00") * 100 > len(head):
        raise DecodeError("binary", "NUL bytes and no UTF-16/32 byte order mark")
    return "utf-8"


def _codec_of(f: InputFile) -> Generator[Reject, None, str | None]:
    """An export's codec (a part's: as the split found it), or a Reject and None."""
    if f.part is not None:
        return f.part.codec
    try:
        return _export_codec(f.path)
    except DecodeError as exc:
        yield Reject(f.source, exc.reason, exc.detail)
        return None


class _RowNotes:
    """What decoding the lines of the CSV row being read found: its codec, the warnings of
    lines with stray bytes, the problem of a line that did not decode."""

    def __init__(self):
        self.take()

    def take(self) -> tuple[str | None, tuple[str, ...], str | None]:
        notes = (getattr(self, "codec", None), tuple(getattr(self, "warnings", ())),
                 getattr(self, "undecodable", None))
        self.codec, self.warnings, self.undecodable = None, [], None
        return notes


def _line_text(raw: bytes, notes: _RowNotes | None) -> str:
    """A line's text (``_decode_line``); what it found goes to ``notes``. A line that does not
    decode is read with its stray bytes replaced, so the row it is in can be told apart from
    the next, and that row is rejected."""
    try:
        decoded = _decode_line(raw, "row")
    except DecodeError as exc:
        if notes is not None and notes.undecodable is None:
            notes.undecodable = exc.detail
        return raw.decode("utf-8", "replace")
    if notes is not None:
        if decoded.codec != "utf-8":
            notes.codec = decoded.codec
        if decoded.warning:
            notes.warnings.append(decoded.warning)
    return decoded.text


def _text_lines(fh, notes: _RowNotes, stop: int | None = None) -> Iterator[str]:
    """``_byte_lines``, each decoded on its own (``_line_text``)."""
    for raw in _byte_lines(fh, stop):
        yield _line_text(raw, notes)


_SNIFF_LINES = 10  # a JSONL export's first lines, whose keys say whether it has a text field


def _first_keys(f: InputFile, codec: str, max_bytes: int) -> tuple[list[str], int]:
    """The keys of the JSON objects among the first _SNIFF_LINES lines of an export (from the
    start of the file, whichever part is read), in the order met, and how many objects there
    were. Lines that are too large, undecodable or not objects are passed over: their rows are
    rejects of their own."""
    keys: dict[str, None] = {}
    objects = 0
    texts = _first_line_texts(f.path, codec, max_bytes)
    try:
        for text in itertools.islice(texts, _SNIFF_LINES):
            try:
                row = json.loads(text) if text else None
            except (ValueError, RecursionError):
                continue
            if isinstance(row, dict):
                objects += 1
                keys.update(dict.fromkeys(row))
    except (OSError, UnicodeError):  # the reading proper reports it
        pass
    finally:
        texts.close()  # and the file with it
    return list(keys), objects


def _first_line_texts(path: str, codec: str, max_bytes: int) -> Iterator[str]:
    """The non-blank lines of an export, decoded; "" for one too large or undecodable."""
    if codec in _BYTE_LINE_CODECS:
        line_codec, skip = _line_codec(codec)
        with open(path, "rb") as fh:
            fh.seek(skip)
            for raw in _byte_lines(fh):
                if _is_blank(raw, line_codec):
                    continue
                try:
                    yield _decode_line(raw, "line").text if len(raw) <= max_bytes else ""
                except DecodeError:
                    yield ""
    else:
        with open(path, encoding=codec, newline="", errors="replace") as fh:
            for line in fh:
                if line.strip():
                    yield line if len(line) <= max_bytes else ""


def _read_jsonl(f: InputFile, max_bytes: int, fields: tuple = ()) -> Iterator[RawDocument | Reject]:
    codec = yield from _codec_of(f)
    if codec is None:
        return
    # An export none of whose first objects has a text field is one reject, naming the keys it
    # has and the option that maps one, not one reject per row (thousands of lines saying the
    # same). A later row without text is still a reject of its own.
    keys, objects = _first_keys(f, codec, max_bytes)
    if objects and not export_columns(tuple(keys), fields)["text"]:
        if f.part is None or f.part.index == 0:  # a file in parts is rejected once
            yield _no_text_column(f, keys, fields, "key", f" in its first {objects} objects" if objects > 1 else
                                  " in its first object")
        return
    if codec not in _BYTE_LINE_CODECS:  # UTF-16/32: the text reader
        yield from _read_jsonl_text(f, codec, max_bytes, fields)
        return
    # Each line decoded on its own: a line in another encoding is reported and the next line
    # read, and a file can be read in parts (split_export) with the same rows and messages.
    line_codec, skip = _line_codec(codec)
    with open(f.path, "rb") as fh:
        start, n = (f.part.start, f.part.rows_before) if f.part is not None else (skip, 0)
        fh.seek(start)
        for raw in _byte_lines(fh, f.part.stop if f.part is not None else None):
            if _is_blank(raw, line_codec):
                continue
            n += 1
            if len(raw) > max_bytes:
                yield Reject(f"{f.source}#{n}", "too_large", f"line {n}: over {max_bytes / 1e6:.1f} MB")
                continue
            try:
                decoded = _decode_line(raw, "line")
            except DecodeError as exc:
                yield Reject(f"{f.source}#{n}", exc.reason, f"line {n}: {exc.detail}")
                continue
            yield from _jsonl_row(f, n, decoded.text, codec if decoded.codec == "utf-8" else decoded.codec,
                                  (decoded.warning,) if decoded.warning else (), fields)


def _read_jsonl_text(f: InputFile, codec: str, max_bytes: int, fields: tuple = ()) -> Iterator[RawDocument | Reject]:
    with open(f.path, encoding=codec, newline="", errors="strict") as fh:
        n = 0
        lines = iter(fh)
        while True:
            try:
                line = next(lines)
            except StopIteration:
                break
            except UnicodeDecodeError as exc:  # bytes past the sniff window are not the codec
                yield Reject(f"{f.source}#{n + 1}", "undecodable", f"after line {n}: {exc.reason}")
                return
            if not line.strip():
                continue
            n += 1
            if len(line) > max_bytes:
                yield Reject(f"{f.source}#{n}", "too_large", f"line {n}: over {max_bytes / 1e6:.1f} MB")
                continue
            yield from _jsonl_row(f, n, line, codec, fields=fields)


def _jsonl_row(f: InputFile, n: int, line: str, codec: str, warnings: tuple[str, ...] = (),
               fields: tuple = ()) -> Iterator[RawDocument | Reject]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        yield Reject(f"{f.source}#{n}", "malformed_jsonl", f"line {n}: {exc}")
        return
    # Valid JSON that Python will not hold: an integer of more than 4 300 digits (ValueError),
    # arrays or objects nested deeper than the interpreter's stack (RecursionError). Caught
    # here, per line: escaping, either had ended the reading of the whole export.
    except ValueError as exc:
        yield Reject(f"{f.source}#{n}", "malformed_jsonl", f"line {n}: {_short(exc)}")
        return
    except RecursionError:
        yield Reject(f"{f.source}#{n}", "malformed_jsonl", f"line {n}: nested too deeply to read")
        return
    if not isinstance(row, dict):
        yield Reject(f"{f.source}#{n}", "malformed_jsonl", f"line {n}: not a JSON object")
        return
    yield _row_document(f, n, row, "jsonl", codec, warnings, export_columns(tuple(row), fields), "key")


def _csv_records(reader) -> Iterator[list[str] | csv.Error]:
    """A csv reader's rows, a malformed one as its error (the reader then starts afresh at the
    next line), rows of blank cells left out. A line that does not decode raises."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield exc
            continue
        if any(c.strip() for c in cells):
            yield cells


def _read_csv(f: InputFile, max_bytes: int, fields: tuple = ()) -> Iterator[RawDocument | Reject]:
    codec = yield from _codec_of(f)
    if codec is None:
        return
    csv.field_size_limit(max(max_bytes, 1 << 20))
    notes = _RowNotes()
    with open(f.path, "rb") as fh:
        if codec in _BYTE_LINE_CODECS:  # lines decoded one by one, as split_export saw them
            _, skip = _line_codec(codec)
            fh.seek(skip)
            reader = csv.reader(_text_lines(fh, notes), strict=True)
        else:  # UTF-16/32 (never split)
            reader = csv.reader(io.TextIOWrapper(fh, encoding=codec, newline="", errors="strict"), strict=True)
        try:
            header = [h.strip() for h in next(reader)]
        except (StopIteration, csv.Error, UnicodeDecodeError) as exc:
            yield Reject(f.source, "malformed_csv", f"no readable header row: {exc}")
            return
        columns = export_columns(tuple(header), fields)
        if not columns["text"]:  # one reject for the file, not one per row
            if f.part is None or f.part.index == 0:  # a file in parts is rejected once
                yield _no_text_column(f, [h for h in header if h], fields, "column")
            return
        n = 0
        if f.part is not None:
            fh.seek(f.part.start)
            n = f.part.rows_before
            reader = csv.reader(_text_lines(fh, notes, f.part.stop), strict=True)
        notes.take()  # the header's
        try:
            for item in _csv_records(reader):
                n += 1
                row_codec, warnings, undecodable = notes.take()
                if undecodable is not None:
                    yield Reject(f"{f.source}#{n}", "undecodable", f"row {n}: {undecodable}")
                elif isinstance(item, csv.Error):
                    # A quote left open reads the lines after it into its field, up to the next
                    # quote: one reject for them all, never records made of fragments of rows.
                    open_quote = "expected after" in str(item) or "unexpected end of data" in str(item)
                    yield Reject(f"{f.source}#{n}", "too_large" if "field larger" in str(item) else "malformed_csv",
                                 f"row {n}: {item}" + (" (a quote left open: the lines up to here are read as "
                                                       "this row)" if open_quote else ""))
                elif len(item) != len(header):
                    yield Reject(f"{f.source}#{n}", "malformed_csv",
                                 f"row {n}: expected {len(header)} fields, got {len(item)}")
                else:
                    yield _row_document(f, n, dict(zip(header, item)), "csv", row_codec or codec, warnings,
                                        columns, "column")
        except UnicodeDecodeError as exc:  # bytes past the sniff window are not the codec
            yield Reject(f"{f.source}#{n + 1}", "undecodable", f"after row {n}: {exc.reason}")
