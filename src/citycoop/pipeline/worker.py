"""Per-file work, done in a worker process (or in the run's own with one job): each input file
loaded, cleaned and extracted (``iter_file``), a task's files handed back as one columnar
``Batch`` of flat rows (``process_batch``), large ones through a spill file. A worker builds its
extractor, rules and metadata once (``worker_state``) and ends with its parent."""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .. import load
from ..cache import content_key as cache_content_key
from ..fsio import init_worker_process
from ..models import Article, Reject
from ..records import cache_schema, flat_row
from .settings import Settings, load_taxonomy

if TYPE_CHECKING:
    from ..clean import BoilerplateRules
    from ..extract import Extractor

_WORKER: dict = {}  # this process's state, by the settings it was built for


def worker_state(settings: Settings, html: bool = False) -> tuple[Extractor, BoilerplateRules, dict]:
    """This process's extractor, rules and metadata for ``settings`` (built once); ``html``:
    import the HTML reader too (a worker pool's initializer)."""
    from ..clean import load_rules
    from ..extract import Extractor

    if html:
        import trafilatura  # noqa: F401

    key = replace(settings, furniture=b"")  # a new furniture set needs no new extractor
    if _WORKER.get("key") != key:
        taxonomy = load_taxonomy(settings.topics_file)
        _WORKER.update(key=key, extractor=Extractor(taxonomy=taxonomy),
                       rules=load_rules(settings.rules_file), meta=dict(settings.meta))
    return _WORKER["extractor"], _WORKER["rules"], _WORKER["meta"]


def _worker_furniture(settings: Settings) -> frozenset[int]:
    """The furniture set of ``settings`` as a set (made once per process and set)."""
    from ..furniture import hashes_from_bytes

    if _WORKER.get("furniture_bytes") != settings.furniture:
        _WORKER.update(furniture_bytes=settings.furniture, furniture=hashes_from_bytes(settings.furniture))
    return _WORKER["furniture"]


def start_worker(settings: Settings, parent_pid: int) -> None:
    """A worker process's initializer: it ends with its parent, and builds its state now."""
    init_worker_process(parent_pid)
    worker_state(settings, html=True)


def _apply_meta(article: Article, meta: dict) -> Article:
    from ..metadata import parse_published, url_date

    extra = dict(meta.get(article.id, ()))
    if not extra:
        return article
    if extra.get("published"):
        article.published = parse_published(extra["published"])
        article.published_source = "sidecar"
    for key in ("title", "url", "outlet"):
        if extra.get(key):
            setattr(article, key, extra[key])
    if not article.published and article.url:
        article.published = url_date(article.url)
        article.published_source = "url" if article.published else None
    return article


def iter_file(f: load.InputFile, settings: Settings) -> Iterator[dict | Reject]:
    """Load, clean and extract every article of one input file (runs in a worker), one at a
    time: an export of many articles is never all in memory as records. Each record carries
    its MinHash signature under ``_signature`` for the duplicate check."""
    from .. import furniture as furniture_mod
    from ..clean import clean_document
    from ..dedup import signature

    extractor, rules, meta = worker_state(settings)
    # An HTML page's template is already gone (trafilatura keeps the main text): it is neither
    # scanned nor cleaned by repetition (see furniture.scan_file).
    furniture = frozenset() if furniture_mod.is_html(f.path) else _worker_furniture(settings)
    for item in load.read_file(f, settings.max_bytes, settings.fields):
        if isinstance(item, Reject):
            yield item
            continue
        try:
            removed: list[str] = []
            article = clean_document(item, rules, furniture, removed)
            if isinstance(article, Reject):
                yield article
                continue
            article.warnings[:0] = item.warnings  # the reading's (stray bytes) come first
            record = extractor.extract(_apply_meta(article, meta))
            record["furniture_removed"] = removed
            record["_signature"] = signature(record["text"])
        except Exception as exc:  # one bad article never stops the run
            yield Reject(item.source, "unreadable", f"extraction failed: {type(exc).__name__}: {exc}")
            continue
        yield record


def process_file(f: load.InputFile, settings: Settings) -> list[dict | Reject]:
    """``iter_file`` as a list."""
    return list(iter_file(f, settings))


@dataclass
class Batch:
    """What a worker hands back for consecutive input files: their records as one Arrow table
    (flat columns + ``_sig``; the rows of file i follow those of file i-1), and per file the
    number of rows, its rejects and the hash of its bytes (for the cache). A large batch comes
    back as ``spilled``, the path of an Arrow file holding the table (``table`` is then None)."""

    files: list[load.InputFile]
    table: object  # pyarrow.Table or None
    n_rows: list[int]
    rejects: list[list[dict]]
    keys: list[str | None]
    spilled: str | None = None

    def tables(self, chunk_rows: int) -> Iterator:
        """The rows in tables of at most ``chunk_rows``, in order. A spill file is read a record
        batch at a time (plain reads, not a memory map: the mapped pages of a large export
        counted in the parent's memory until the last row was handled) and then removed."""
        if self.spilled is None:
            if self.table is not None:
                for offset in range(0, self.table.num_rows, chunk_rows):
                    yield self.table.slice(offset, chunk_rows)
            return
        import pyarrow as pa

        try:
            with pa.OSFile(self.spilled) as source:
                reader = pa.ipc.open_file(source)
                batches, held = [], 0
                for i in range(reader.num_record_batches):
                    batch = reader.get_batch(i)
                    if held and held + batch.num_rows > chunk_rows:
                        yield pa.Table.from_batches(batches)
                        batches, held = [], 0
                    batches.append(batch)
                    held += batch.num_rows
                if batches:
                    yield pa.Table.from_batches(batches)
        finally:
            try:
                os.unlink(self.spilled)
            except OSError:  # the spill folder goes at the end of the run anyway
                pass


def process_batch(files: list[load.InputFile], settings: Settings, spill_dir: str | None = None) -> Batch:
    """One worker task: a few files through load → clean → extract, returned columnar (an Arrow
    table pickles as a few buffers, so results cross processes cheaply). Past ``spill_rows`` rows,
    with a ``spill_dir`` on this machine, the rows go to an Arrow file there as they come."""
    import pyarrow as pa

    extractor, _, _ = worker_state(settings)
    arrow_block, spill_rows = settings.tuning.arrow_block, settings.tuning.spill_rows
    topic_ids = extractor.taxonomy.ids
    schema = cache_schema(extractor.taxonomy)
    rows: list[dict] = []  # flat rows not yet columnar: at most arrow_block of them
    tables = []
    held = 0  # rows in tables
    spill_path, spill = None, None
    n_rows, rejects, keys = [], [], []

    def spill_held() -> None:
        nonlocal held, spill_path, spill
        if spill is None:
            import tempfile

            fd, spill_path = tempfile.mkstemp(suffix=".arrow", dir=spill_dir)
            os.close(fd)
            spill = pa.ipc.new_file(spill_path, schema)
        for t in tables:
            spill.write_table(t)
        tables.clear()
        held = 0

    def hold(table) -> None:
        nonlocal held
        tables.append(table)
        held += table.num_rows
        if spill_dir is not None and held > spill_rows:
            spill_held()

    try:
        for f in files:
            n, file_rejects = 0, []
            for item in iter_file(f, settings):
                if isinstance(item, Reject):
                    file_rejects.append(item.to_dict())
                    continue
                row = flat_row(item, topic_ids)
                row["_sig"] = item["_signature"]
                rows.append(row)
                n += 1
                if len(rows) >= arrow_block:
                    hold(pa.Table.from_pylist(rows, schema=schema))
                    rows.clear()
            n_rows.append(n)
            rejects.append(file_rejects)
            keys.append(_content_key(f))
        if rows:
            hold(pa.Table.from_pylist(rows, schema=schema))
        if spill is not None:
            spill_held()
            spill.close()
            return Batch(files, None, n_rows, rejects, keys, spilled=spill_path)
    except BaseException:
        if spill_path is not None:
            if spill is not None:
                spill.close()
            os.unlink(spill_path)
        raise
    table = (tables[0] if len(tables) == 1 else pa.concat_tables(tables)) if tables else None
    return Batch(files, table, n_rows, rejects, keys)


def _content_key(f: load.InputFile) -> str | None:
    """The hash of a file's bytes for the cache, or None (unreadable, or changed since it was
    split: its parts may then hold rows of two versions). A part's file is hashed whole by the
    task of its last part only; the other parts answer "" when the file is as it was split."""
    try:
        if f.part is not None:
            st = os.stat(f.path)
            if (st.st_size, st.st_mtime_ns) != f.part.state:
                return None
            if not f.part.last:
                return ""
        return cache_content_key(f.path)
    except OSError:
        return None


