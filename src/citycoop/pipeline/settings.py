"""What a run is given besides its input paths: ``Settings`` and the ``Tuning`` it carries.

Settings are picklable (every worker task gets them) and frozen. ``fingerprint`` is what of them
decides a file's records (the cache's key besides the file's bytes), ``output_fingerprint`` what
decides an output's (the corrections too); ``with_furniture`` adds the
corpus's furniture lines that the first pass finds; ``read_meta`` reads a user's sidecar CSV.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import load

if TYPE_CHECKING:
    from ..cache import RecordCache
    from ..extract.topics import Taxonomy
    from ..furniture import CorpusFurniture


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """``extract.topics.load_taxonomy``, imported on first use."""
    from ..extract.topics import load_taxonomy as load

    return load(path)


@dataclass(frozen=True)
class Tuning:
    """How a run cuts its work and holds its rows: sizes that trade memory and time, never what
    the run outputs (except ``files_per_output_part``, which cuts a folder output into parts; a
    folder's re-runs must keep it). Tests pass small ones to cross every boundary."""

    batch_files: int = 16  # files per worker task
    arrow_block: int = 1024  # rows a worker holds as Python dicts before making them columnar (compact)
    # A task with more rows than this (a large JSONL/CSV export) streams them to an Arrow file in a
    # spill folder instead of holding them: one 105 MB export of 58 830 articles had taken its
    # worker to 970 MB and, once pickled across, the parent to 734 MB.
    spill_rows: int = 8 * 1024
    # With workers, a JSONL or CSV export larger than this is read by several tasks, one part of
    # about this size each (load.split_export), so that all cores share it: one 116 MB export of
    # 60 000 articles had kept one of 2 cores busy for 73 s (47 s in parts). A part (≈ 4 000
    # articles) stays under spill_rows.
    part_bytes: int = 8 << 20
    # The parent handles a task's rows (duplicate check, cache, output) this many at a time, so a
    # large export is never whole in its memory either (it had held all 58 830 rows: 612 MB).
    chunk_rows: int = 8 * 1024
    lookup_files: int = 512  # files looked up in the cache at a time (and most files in one cached chunk)
    prefetch_files: int = 4096  # new files at most extracted ahead of the walk (their rows wait here)
    # A worker extracts a new file in about the time the walk takes over this many unchanged files
    # (≈ 1 ms against ≈ 20 µs for a stat, the digests and the part checks, at 20 000 and 100 000).
    extract_vs_walk: int = 50
    replay_rows: int = 100_000  # cached rows put into the duplicate index at a time
    lookahead_files: int = 50_000  # cached files queued at most before their rows are handed on (≈ 25 MB)
    # A folder output is cut into parts after the input files whose id (path under the folders
    # given) hashes to 0 modulo this: on average this many files per part, wherever the file
    # sits in the corpus, so adding or changing files rewrites only the parts they fall in (and
    # the parts after a changed duplicate decision), not the ones before or after.
    files_per_output_part: int = 1024
    files_per_task: int = 200  # --engine dask: articles' files per task (an export is a task alone)
    tasks_per_thread: int = 2  # --engine dask: tasks submitted ahead of the result the client waits for


@dataclass(frozen=True)
class Settings:
    """What a run needs besides the input paths; picklable so worker processes get it."""

    topics_file: str | None = None
    rules_file: str | None = None
    max_bytes: int = load.DEFAULT_MAX_BYTES
    meta: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # sidecar overrides by id
    # Export columns the user mapped to fields, as (field, column) pairs (``--field text=body``,
    # ``load.parse_field_options``), read before the usual names of data/export_fields.yml.
    fields: tuple[tuple[str, str], ...] = ()
    # Analyst corrections files (corrections.py), applied to the records after extraction: not in
    # the fingerprint (the cache holds uncorrected records), in the outputs' (``output_fingerprint``).
    corrections: tuple[str, ...] = ()
    # The corpus's furniture lines (``furniture.CorpusFurniture.as_bytes``), set by the run once
    # its first pass is done; not in the fingerprint: each file's cache key carries its share.
    furniture: bytes = b""
    tuning: Tuning = Tuning()  # not in the fingerprint either: it never changes a record


def read_meta(path: str | Path) -> tuple:
    """A user's sidecar CSV (``id`` plus any of published, title, url, outlet) as Settings.meta;
    ValueError saying what is wrong with it (no ``id`` column, a row that does not fit the
    header, not UTF-8 or not CSV), so the command can say so in a line."""
    rows = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = [h.strip().lower() for h in next(reader, [])]
            if "id" not in header:
                raise ValueError(f"no 'id' column (its first row names {', '.join(map(repr, header)) or 'nothing'}); "
                                 "the first row names the columns: id and any of published, title, url, outlet")
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    raise ValueError(f"line {reader.line_num}: {len(cells)} fields where the header names {len(header)}")
                row = dict(zip(header, cells))
                rid = row.pop("id").strip()
                if rid:
                    rows.append((rid, tuple(sorted((k, v.strip()) for k, v in row.items() if v and v.strip()))))
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 (byte {exc.start})") from None
    except csv.Error as exc:
        raise ValueError(f"not a CSV file ({exc})") from None
    return tuple(rows)


def with_furniture(files: list[load.InputFile], settings: Settings, store: RecordCache | None = None,
                   jobs: int = 1, submit_many=None) -> tuple[Settings, CorpusFurniture]:
    """The first pass over the corpus's ``files`` (``furniture.scan_corpus``, with the threshold
    of the rules file): ``settings`` carrying the furniture set, and the set with each file's lines."""
    from ..furniture import load_threshold, scan_corpus

    found = scan_corpus(files, threshold=load_threshold(settings.rules_file), max_bytes=settings.max_bytes,
                        fields=settings.fields, store=store, jobs=jobs, submit_many=submit_many)
    return replace(settings, furniture=found.as_bytes()), found


def fingerprint(settings: Settings) -> str:
    """What besides a file's bytes decides its records: the extractor's version, the packaged data
    files (gazetteers, lexicon, taxonomy, boilerplate rules) or the user's replacements, the
    sidecar metadata, the size limit and the export columns mapped. Hashes the files' bytes rather than loading them."""
    from importlib import resources

    from ..extract.version import EXTRACTOR_VERSION

    h = hashlib.sha1(EXTRACTOR_VERSION.encode())
    replaced = {"topics.yml": settings.topics_file, "boilerplate.yml": settings.rules_file}
    data = resources.files("citycoop.data")
    for item in sorted(data.iterdir(), key=lambda p: p.name):
        if item.is_file() and item.name.endswith((".csv", ".yml")):
            user = replaced.get(item.name)
            h.update(f"\0{item.name}\0".encode())
            h.update(Path(user).read_bytes() if user else item.read_bytes())
    h.update(repr((settings.meta, settings.max_bytes, settings.fields)).encode())
    h.update(b"\0furniture_removed column")  # cached rows of earlier versions lack it
    h.update(b"\0correction columns")  # (corrected, correction_note, not_a_meeting, meeting_move)
    return h.hexdigest()[:12]


def output_fingerprint(settings: Settings) -> str:
    """``fingerprint`` and the corrections files' digest: an output holds corrected records."""
    from ..corrections import files_digest

    return fingerprint(settings) + files_digest(settings.corrections)


