"""Paths → raw documents (or rejects): discovery, formats, encodings.

A PATH is a file or a folder (read recursively, in sorted order). Formats: ``.txt`` scrapes,
``.html``/``.htm`` pages (main text and metadata by trafilatura), ``.jsonl`` and ``.csv``
exports (one article per line/row, streamed). Every problem becomes a ``Reject`` naming the
source and the reason; reading goes on.
"""
from __future__ import annotations

import codecs
import csv
import fnmatch
import functools
import io
import itertools
import json
import os
import re
import stat
import unicodedata
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from .models import RawDocument, Reject

DEFAULT_MAX_BYTES = 20_000_000
SUPPORTED_SUFFIXES = {".txt", ".html", ".htm", ".jsonl", ".csv"}
EXPORT_SUFFIXES = (".jsonl", ".csv")  # files of many articles each
IGNORE_FILE = ".citycoopignore"
# An article's fields, as an export's columns (CSV) or keys (JSONL) may hold them; which names
# stand for each is data (``data/export_fields.yml``), and ``--field FIELD=COLUMN`` adds others.
FIELDS = ("text", "title", "url", "published", "outlet", "byline")
_SNIFF = 65536
# What citycoop writes beside an output (its rejects and counts, a Parquet dataset's files):
# never an input, wherever the output was put (``-o corpus/out.parquet``).
OUTPUT_SUFFIXES = (".rejects.jsonl", ".stats.json", ".meetings.jsonl", ".meetings.csv", ".parquet")
OUTPUT_NAMES = {"_rejects.jsonl", "_stats.json", "_parts.json", "_meetings.parquet"}
_RUN_OUTPUTS: set[str] = set()  # this run's own output files, whatever their names (``skip_outputs``)
# An analyst's corrections beside the corpus (corrections.py): read by the run, never an article.
CORRECTIONS_NAME = "corrections.yml"


def skip_outputs(paths: Iterable[str | Path | None]) -> None:
    """Files this run writes (``-o``, ``--rejects``), or reads as its settings (``--corrections``):
    never read as inputs by its walk, even when named like an input (``-o corpus/out.jsonl``
    under ``corpus``)."""
    _RUN_OUTPUTS.update(os.path.realpath(p) for p in paths if p)


class DecodeError(ValueError):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class Part(NamedTuple):
    """Consecutive rows of a large export (see ``split_export``)."""

    start: int  # byte offset of its first line
    stop: int | None  # byte offset past its last line; None: to the end of the file
    rows_before: int  # non-blank lines before it: its rows are numbered from rows_before + 1
    codec: str  # the file's, as sniffed from its first bytes
    index: int  # 0 for the file's first part
    last: bool
    state: tuple[int, int]  # the file's size and mtime (ns) when it was split


class InputFile(NamedTuple):  # a small tuple: made once per file, so kept cheap
    path: str  # absolute
    id: str  # relative to the common ancestor of the PATHs given
    source: str  # as the user knows it (relative to the working folder when under it)
    part: Part | None = None  # only these lines of the file (a large export read by several tasks)
    # Why this input cannot be read, known from the walk (it is a reject): a folder that cannot
    # be listed, or a name that is not UTF-8 (``path``, ``id`` and ``source`` then show its other
    # bytes as \xNN: the cache, the output and the run's hashes all need names they can encode).
    unreadable: str | None = None


def _encodable(name: str) -> bool:
    """Whether a name from the file system is UTF-8 (os.fsdecode keeps other bytes as lone
    surrogates, which pyarrow, SQLite, hashes and stderr refuse)."""
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _escaped(name: str) -> str:
    """A name with the bytes that are not UTF-8 written as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _input_file(path: str, id: str, source: str) -> InputFile:
    if _encodable(path):
        return InputFile(path, id, source)
    return InputFile(_escaped(path), _escaped(id), _escaped(source),
                     unreadable="name not UTF-8 (its other bytes shown as \\xNN); rename the file to read it")


# ----------------------------------------------------------------------------- discovery
def _source(path: Path, cwd: str) -> str:
    """The path relative to the working folder when under it (string ops: called per file)."""
    p = str(path)
    return p[len(cwd) + 1:] if p.startswith(cwd + os.sep) else p


def _ignore_patterns(folder: Path) -> list[str]:
    f = folder / IGNORE_FILE
    if not f.is_file():
        return []
    try:
        # Bytes that are not UTF-8 kept as the file system's names keep them, so such a
        # pattern matches such a name.
        lines = f.read_bytes().decode("utf-8", "surrogateescape").splitlines()
    except OSError:  # unreadable: its folder's files are read, as without it
        return []
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def _walk(top: str) -> Iterator[tuple[str, list[str], list[str], str | None]]:
    """``os.walk(top, followlinks=True)`` without recursion (a folder nested 1 100 deep had
    raised RecursionError) and without walking a folder twice (a link back up would loop):
    ``(folder, dirs, files, None)`` top down, in the order ``dirs`` holds once the caller has
    sorted or pruned it; ``(folder, [], [], why)`` for a folder that cannot be read or was
    already walked (a link to it), so the caller can say so."""
    stack = [top]
    walked: set[tuple[int, int]] = set()
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in walked:
                yield folder, [], [], "a link to a folder already read (a loop, or a second name for it)"
                continue
            walked.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as entries:
                dirs, files = [], []
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()  # a link to a folder is followed
                    except OSError:
                        is_dir = False
                    (dirs if is_dir else files).append(entry.name)
        except OSError as exc:
            yield folder, [], [], f"folder cannot be read: {(exc.strerror or str(exc)).lower()}"
            continue
        yield folder, dirs, files, None
        stack.extend(os.path.join(folder, d) for d in reversed(dirs))


def require_paths(paths: Iterable[str | Path]) -> None:
    """FileNotFoundError naming every path that does not exist."""
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(missing)}")


def _is_output_folder(folder: str) -> bool:
    """A folder of Parquet parts (``_parts.json``) or a record cache (``index.sqlite`` and
    ``segments/``) that citycoop wrote."""
    return (os.path.exists(os.path.join(folder, "_parts.json"))
            or (os.path.exists(os.path.join(folder, "index.sqlite"))
                and os.path.isdir(os.path.join(folder, "segments"))))


def discover(paths: Iterable[str | Path], stats: dict | None = None) -> Iterator[InputFile]:
    """Every input file under ``paths``, in a stable order, each once.

    Dotfiles and dot-folders are skipped; so are files matching a pattern of a
    ``.citycoopignore`` in a folder being walked, and what citycoop writes (rejects and
    counts beside an output, Parquet files, a folder of parts, a record cache) and an analyst's
    ``corrections.yml`` — counted in ``stats["ignored"]``. A file named explicitly is always read.
    """
    paths = list(paths)
    require_paths(paths)
    roots = [Path(p).resolve() for p in paths]
    bases = [r if r.is_dir() else r.parent for r in roots]
    common = os.path.commonpath([str(b) for b in bases]) if bases else os.getcwd()
    cwd = os.getcwd()
    # Only several PATHs can name a file twice; one folder walked once cannot.
    seen: set[str] | None = set() if len(roots) > 1 else None

    def ignore(n: int = 1) -> None:
        if stats is not None:
            stats["ignored"] = stats.get("ignored", 0) + n

    def relative(path: str, base: str) -> str:
        rel = path[len(base):].lstrip(os.sep)
        return rel if os.sep == "/" else rel.replace(os.sep, "/")

    for root in roots:
        if not root.is_dir():  # a file, or a named pipe or device, which read_file rejects
            if seen is None or str(root) not in seen:
                if seen is not None:
                    seen.add(str(root))
                yield _input_file(str(root), relative(str(root), common), _source(root, cwd))
            continue
        # String paths inside the walk: a Path per file cost more than the walk itself.
        for folder, dirs, files, unreadable in _walk(str(root)):
            if unreadable:
                f = _input_file(folder, relative(folder, common), _source(Path(folder), cwd))
                yield f._replace(unreadable=f.unreadable or unreadable)
                continue
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            outputs = [d for d in dirs if _is_output_folder(os.path.join(folder, d))]
            if outputs:
                ignore(len(outputs))
                dirs[:] = [d for d in dirs if d not in outputs]
            patterns = _ignore_patterns(Path(folder)) if IGNORE_FILE in files else []
            prefix = folder + os.sep
            folder_encodable = _encodable(folder)
            id_prefix = relative(prefix, common)
            source_prefix = _source(Path(prefix), cwd) + os.sep if prefix != cwd + os.sep else ""
            for name in sorted(files):
                if name.startswith("."):
                    continue
                if name.endswith(OUTPUT_SUFFIXES) or name in OUTPUT_NAMES or name == CORRECTIONS_NAME or (
                        _RUN_OUTPUTS and prefix + name in _RUN_OUTPUTS):
                    ignore()
                    continue
                path = prefix + name
                if seen is not None:
                    if path in seen:
                        continue
                    seen.add(path)
                # a .citycoopignore applies to the files of its own folder
                if patterns and any(fnmatch.fnmatch(name, p) for p in patterns):
                    ignore()
                    continue
                yield (InputFile(path, id_prefix + name, source_prefix + name) if folder_encodable and _encodable(name)
                       else _input_file(path, id_prefix + name, source_prefix + name))


# ----------------------------------------------------------------------------- encodings
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Letters only Vietnamese uses, and the combining tone marks Windows-1258 text decodes to.
_VIETNAMESE = set("ăâđêôơưĂÂĐÊÔƠƯ\u0300\u0301\u0303\u0309\u0323")


class Decoded(NamedTuple):
    text: str
    codec: str  # the codec used: a BOM's, utf-8, or cp1258
    warning: str | None = None  # bytes that were not UTF-8 and were replaced (for the record)


def _bom_codec(head: bytes) -> str | None:
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    return None


def _legacy_vietnamese(data: bytes) -> str | None:
    """``data`` decoded as Windows-1258 if it reads as Vietnamese (letters only Vietnamese uses
    or its tone marks, almost no control characters), else None."""
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        return None
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\r\n\t")
    if controls > len(text) / 100 or not (_VIETNAMESE & set(text)):
        return None
    return text


def decode_mixed(data: bytes, where: str = "file") -> Decoded:
    """Bytes without a BOM that are not all UTF-8 (``where``: file, line or row, for messages).

    UTF-8 with its stray bytes replaced by U+FFFD (and a warning saying how many and where)
    whenever the UTF-8 characters outnumber the stray bytes: a wrong codec for the whole text
    garbles every letter to save two quotes. Windows-1258 only when the bytes are mostly not
    UTF-8 and decode to plausible Vietnamese; a few stray bytes in ASCII text are replaced too.
    Anything else is undecodable (DecodeError)."""
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first = exc.start
    text = data.decode("utf-8", "replace")
    replaced = text.count("\ufffd")
    stray = replaced - data.count("\ufffd".encode())
    utf8_letters = len(text) - len(text.encode("ascii", "ignore")) - replaced
    warning = f"bytes not UTF-8 replaced by U+FFFD: '{stray} from byte {first} of the {where}'"
    if utf8_letters >= stray:
        return Decoded(text, "utf-8", warning)
    legacy = _legacy_vietnamese(data)
    if legacy is not None:
        return Decoded(legacy, "cp1258")
    if stray * 100 <= len(data):
        return Decoded(text, "utf-8", warning)
    raise DecodeError("undecodable", f"not UTF-8 from byte {first} on, and not plausible "
                                     "Vietnamese Windows-1258")


def decode_bytes(data: bytes) -> Decoded:
    """A whole file's text. Raises DecodeError(reason in binary | undecodable | empty)."""
    if not data.strip():
        raise DecodeError("empty", "file is empty")
    codec = _bom_codec(data)
    if codec is not None:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise DecodeError("undecodable", f"invalid {codec} at byte {exc.start}") from None
        decoded = Decoded(text, codec)
    elif b"\x00" in data:
        raise DecodeError("binary", "NUL bytes and no UTF-16/32 byte order mark")
    else:
        decoded = decode_mixed(data)
    if not decoded.text.strip():
        raise DecodeError("empty", "no text after decoding")
    return decoded


def _decode_line(raw: bytes, where: str) -> Decoded:
    """One line of an export (a row of its own: ``decode_mixed``); DecodeError if undecodable."""
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return decode_mixed(raw, where)


# ----------------------------------------------------------------------------- export fields
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

    from .yamlfile import safe_load

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


# ----------------------------------------------------------------------------- formats
def is_export(path: str) -> bool:
    """A file of many articles (JSONL, CSV), read row by row."""
    return os.path.splitext(path)[1].lower() in EXPORT_SUFFIXES


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


_HTML_OPTIONS = None


def _html_options():
    """trafilatura's options, built once per process (not per page).

    - The fallback extractors (readability, justext) stay on (``fast=False``): ``fast=True``
      saves ~0.45 ms a page and changed nothing on the benchmark's generated pages, but those
      are tidy; on real pages whose main block trafilatura misses, the fallbacks are what
      recovers the text.
    - Passing a ready ``Extractor`` saves re-reading its settings from the ConfigParser on
      every call (~0.2 ms per page). trafilatura never mutates it (it copies before changing
      the focus, and copies ``date_params`` before adding the URL).
    """
    global _HTML_OPTIONS
    if _HTML_OPTIONS is None:
        from trafilatura.settings import Extractor

        _HTML_OPTIONS = Extractor(
            output_format="python", fast=False, precision=True, comments=False, tables=False,
            with_metadata=True,
            # only dates the page states (meta, visible date lines), never a guess
            date_params={"extensive_search": False, "original_date": True})
    return _HTML_OPTIONS


def _html_tree(html: str):
    """The page parsed as trafilatura parses it (``load_html``: its parser, its repairs), or
    None, and whether the parse stopped at libxml2's depth limit: past 255 nested elements it
    drops the rest of the page without an error anyone sees."""
    from trafilatura.utils import HTML_PARSER, load_html

    tree = load_html(html, _html_options().max_file_size)
    last = HTML_PARSER.error_log.last_error  # the depth limit ends the parse: its error is the last
    return tree, last is not None and last.type_name == "ERR_RESOURCE_LIMIT" and "depth" in last.message


def _read_html(f: InputFile, html: str, codec: str, warnings: tuple[str, ...] = ()) -> RawDocument | Reject:
    import trafilatura

    tree, too_deep = _html_tree(html)
    if too_deep:  # 10 000 nested <div>s had lost the body and been rejected as "no body"
        html = flatten_deep_html(html)
        tree, too_deep = _html_tree(html)
        if too_deep:
            return Reject(f.source, "unreadable", f"HTML nested more than {_LIBXML_MAX_DEPTH} elements deep, "
                                                  "past what the HTML parser reads")
    # the tree, not the text: parsed once (trafilatura takes a copy of a tree it is given)
    doc = trafilatura.bare_extraction(tree, options=_html_options()) if tree is not None else None
    text = (doc.text if doc is not None else None) or ""
    if not text.strip():
        return Reject(f.source, "empty", "no main text in the HTML page")
    text = _with_summary(text, summary_box(html) or doc.description)
    title = doc.title
    if title and doc.sitename:  # "Headline - Báo X" → "Headline"
        for sep in (" - ", " | ", " – "):
            if title.endswith(sep + doc.sitename):
                title = title[: -len(sep + doc.sitename)]
    return RawDocument(f.id, f.source, "html", codec, text, title=title or None, url=doc.url,
                       published=doc.date or date_line_near_headline(html),
                       outlet=doc.sitename or doc.hostname, byline=doc.author, warnings=warnings)


_LIBXML_MAX_DEPTH = 255  # elements libxml2's HTML parser nests before it stops reading a page
# Nesting kept by flatten_deep_html: under the limit, with room for the html and body elements
# the parser adds and for the end tags the flattener cannot see are implied.
_FLAT_DEPTH = 200
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_BLOCK_TAGS = frozenset("address article aside blockquote dd details div dl dt figcaption figure footer form "
                        "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul".split())
_IMPLIED_END = frozenset("p li dt dd option tr td th".split())  # a second one ends the first


def flatten_deep_html(html: str) -> str:
    """The page with the tags of elements nested deeper than _FLAT_DEPTH left out and their
    content kept (a block's tags become line breaks, so its paragraphs stay apart), so that the
    HTML parser reads it to the end. Only for pages the parser found too deep: the nesting of a
    real page is kept as it is."""
    from html.parser import HTMLParser

    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # open elements: (tag, its tags kept)
    kept = 0  # open elements whose tags are kept

    class Flattener(HTMLParser):
        def handle_starttag(self, tag, attrs):
            nonlocal kept
            raw = self.get_starttag_text()
            if tag in _VOID_TAGS:
                out.append(raw)
                return
            if tag in _IMPLIED_END and stack and stack[-1][0] == tag:
                self.handle_endtag(tag)
            keep = kept < _FLAT_DEPTH
            kept += keep
            stack.append((tag, keep))
            out.append(raw if keep else "<br>" if tag in _BLOCK_TAGS else "")

        def handle_startendtag(self, tag, attrs):
            out.append(self.get_starttag_text())

        def handle_endtag(self, tag):
            nonlocal kept
            at = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == tag), None)
            if at is None:  # an end tag nothing opened: the parser ignores it too
                return
            for _, keep in stack[at:]:
                kept -= keep
            keep = stack[at][1]
            del stack[at:]
            out.append(f"</{tag}>" if keep else "<br>" if tag in _BLOCK_TAGS else "")

        def handle_data(self, data):
            out.append(data)

        def handle_entityref(self, name):
            out.append(f"&{name};")

        def handle_charref(self, name):
            out.append(f"&#{name};")

        def handle_decl(self, decl):
            out.append(f"<!{decl}>")

        def unknown_decl(self, data):
            out.append(f"<![{data}]>")

    parser = Flattener(convert_charrefs=False)
    parser.feed(html)
    parser.close()
    return "".join(out)


# The box outlets print the lead in: "sapo" on most Vietnamese sites, the English words
# elsewhere. Found with a pattern on the raw page (a few µs) rather than a second parse (ms).
_SUMMARY_BOX = re.compile(
    r"<(div|p|h2|strong)\b[^>]*\bclass\s*=\s*[\"'][^\"']*\b(?:sapo|summary|lead|excerpt|chapeau|"
    r"intro|description)\b[^\"']*[\"'][^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def summary_box(html: str) -> str | None:
    """The text of the page's first summary box (``<div class="sapo">…</div>``) after its
    headline, if any: before the <h1> such boxes belong to other articles' teasers."""
    h1 = html.find("<h1")
    m = _SUMMARY_BOX.search(html, max(h1, 0))
    if not m:
        return None
    import html as html_lib

    text = " ".join(html_lib.unescape(_TAG.sub(" ", m[2])).split())
    return text or None


# A summary shorter than this is a tagline, not the article's lead.
_SUMMARY_MIN_WORDS = 14


def _with_summary(text: str, description: str | None) -> str:
    """The text with the page's summary as its first paragraph. Vietnamese outlets print the
    lead (the "sapo": who met whom, when, where) in a box of its own above the body and repeat
    it as the meta description; trafilatura often leaves that box out, or puts it after the
    body, and the article then starts at its second paragraph."""
    if not description or len(description.split()) < _SUMMARY_MIN_WORDS:
        return text
    head = " ".join(description.split()).rstrip(".… ")[:80]
    lines = text.split("\n")
    at = next((i for i, line in enumerate(lines) if head in " ".join(line.split())), None)
    if at == 0:
        return text
    lead = description.strip() if at is None else lines.pop(at)
    return "\n".join([lead, *lines])


_DATE_SCAN = 40  # elements after the headline searched for a date line
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def date_line_near_headline(html: str) -> str | None:
    """The publication date that Vietnamese outlets print as a line of its own by the headline
    ("Thứ Sáu, 17/05/2024 10:00 (GMT+7)"), often with no <meta> date. trafilatura, asked not to
    guess, does not report it (and mostly drops the line from the text). Only an element that is
    a timestamp and nothing else, among the first elements after the <h1> and outside header,
    nav, aside and footer, counts: never a date from a sidebar, a related link or the body."""
    from lxml import html as lxml_html

    from .metadata import timestamp_line_date
    from .normalize import normalize_text

    try:
        tree = lxml_html.document_fromstring(_XML_DECLARATION.sub("", html))
    except (ValueError, lxml_html.etree.ParserError):
        return None
    h1 = next(tree.iter("h1"), None)
    if h1 is None:
        return None
    for el in h1.xpath(f"following::*[position() <= {_DATE_SCAN}]"):
        if el.xpath("ancestor-or-self::*[self::header or self::footer or self::nav or self::aside]"):
            continue
        text = " ".join(el.text_content().split())
        if text and len(text) <= 60:
            date = timestamp_line_date(normalize_text(text))
            if date:
                return date
    return None


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


def iter_documents(paths, max_bytes: int = DEFAULT_MAX_BYTES, fields: tuple = ()) -> Iterator[RawDocument | Reject]:
    for f in discover(paths):
        yield from read_file(f, max_bytes, fields)
