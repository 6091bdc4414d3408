"""Paths → input files: what an input is (``InputFile``, a ``Part`` of a large export, the
suffixes read, the size limit) and the walk that finds them, in a stable order, each once.

Dotfiles, a ``.citycoopignore``'s patterns, what citycoop writes (rejects and counts beside an
output, Parquet parts, a record cache, this run's ``-o``) and ``corrections.yml`` are passed
over and counted; a file named explicitly is always read.
"""
from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

DEFAULT_MAX_BYTES = 20_000_000
SUPPORTED_SUFFIXES = {".txt", ".html", ".htm", ".jsonl", ".csv"}
EXPORT_SUFFIXES = (".jsonl", ".csv")  # files of many articles each
IGNORE_FILE = ".citycoopignore"
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


def is_export(path: str) -> bool:
    """A file of many articles (JSONL, CSV), read row by row."""
    return os.path.splitext(path)[1].lower() in EXPORT_SUFFIXES
