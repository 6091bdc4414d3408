"""Corpus → records (streaming, parallel, cached) and records ↔ DataFrame / JSONL / CSV / Parquet.

``iter_corpus`` is the one pipeline every entry point uses (CLI, notebooks, benchmark): it
walks the input files, and for each file loads, cleans and extracts its articles — in worker
processes when ``jobs > 1`` — yielding records and rejects in input order. Memory stays flat:
nothing but the duplicate index (a few bytes per article) outlives the article it describes.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import sqlite3
import sys
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import dedup, load
from .clean import BoilerplateRules, clean_document, load_rules
from .extract import Extractor
from .extract.topics import Taxonomy, load_taxonomy
from .models import Article, Reject



BATCH_FILES = 16  # files per worker task

# ----------------------------------------------------------------------------- config
@dataclass(frozen=True)
class Settings:
    """What a run needs besides the input paths; picklable so worker processes get it."""

    topics_file: str | None = None
    rules_file: str | None = None
    max_bytes: int = load.DEFAULT_MAX_BYTES
    meta: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # sidecar overrides by id


@dataclass
class RunStats:
    files: int = 0
    articles: int = 0
    records: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    rejects: int = 0
    ignored: int = 0
    cached_files: int = 0
    reject_reasons: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.reject_reasons.items()))
        return (f"files read {self.files}, articles {self.articles}, records {self.records}, "
                f"duplicates {self.duplicates} (near {self.near_duplicates}), "
                f"rejects {self.rejects}" + (f" ({reasons})" if reasons else "")
                + (f", ignored {self.ignored}" if self.ignored else ""))

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["reject_reasons"] = dict(sorted(self.reject_reasons.items()))
        return d


def read_meta(path: str | Path) -> tuple:
    """A user's sidecar CSV (``id`` plus any of published, title, url, outlet) as Settings.meta."""
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            rid = (row.pop("id", "") or "").strip()
            if rid:
                rows.append((rid, tuple(sorted((k, v.strip()) for k, v in row.items() if v and v.strip()))))
    return tuple(rows)


# ----------------------------------------------------------------------------- worker
_WORKER: dict = {}


def _worker_state(settings: Settings) -> tuple[Extractor, BoilerplateRules, dict]:
    key = settings
    if _WORKER.get("key") != key:
        taxonomy = load_taxonomy(settings.topics_file)
        _WORKER.update(key=key, extractor=Extractor(taxonomy=taxonomy),
                       rules=load_rules(settings.rules_file), meta=dict(settings.meta))
    return _WORKER["extractor"], _WORKER["rules"], _WORKER["meta"]


def _apply_meta(article: Article, meta: dict) -> Article:
    from .metadata import parse_published, url_date

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


def process_file(f: load.InputFile, settings: Settings) -> list[dict | Reject]:
    """Load, clean and extract every article of one input file (runs in a worker)."""
    extractor, rules, meta = _worker_state(settings)
    out: list[dict | Reject] = []
    for item in load.read_file(f, settings.max_bytes):
        if isinstance(item, Reject):
            out.append(item)
            continue
        try:
            article = clean_document(item, rules)
            if isinstance(article, Reject):
                out.append(article)
                continue
            record = extractor.extract(_apply_meta(article, meta))
            record["_signature"] = dedup.signature(record["text"])
            out.append(record)
        except Exception as exc:  # one bad article never stops the run
            out.append(Reject(item.source, "unreadable", f"extraction failed: {type(exc).__name__}: {exc}"))
    return out


# ----------------------------------------------------------------------------- cache
class RecordCache:
    """Results per input file, keyed by the file's bytes and the extractor's fingerprint.

    One SQLite file (stdlib, one writer), values gzip'd JSON. A second table remembers each
    path's size and mtime with its content key, so an unchanged file is found without reading
    it; a touched file is re-hashed, and only a changed one is extracted again.
    """

    def __init__(self, path: str | Path, fingerprint: str):
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value BLOB)")
        self._db.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, "
                         "mtime_ns INTEGER, key TEXT)")
        self._pending: list[tuple[str, bytes]] = []
        self._pending_files: list[tuple[str, int, int, str]] = []

    def key(self, data: bytes, source_id: str) -> str:
        h = hashlib.blake2b(data, digest_size=16)
        h.update(f"\0{self.fingerprint}\0{source_id}".encode())
        return h.hexdigest()

    def _file_row(self, f: load.InputFile) -> tuple[str, int, int]:
        st = f.path.stat()
        return f"{f.path}\0{self.fingerprint}", st.st_size, st.st_mtime_ns

    def lookup(self, f: load.InputFile) -> list[dict | Reject] | None:
        """Cached results of a file, or None (not seen with this extractor, or changed)."""
        try:
            path, size, mtime = self._file_row(f)
        except OSError:
            return None
        row = self._db.execute("SELECT size, mtime_ns, key FROM files WHERE path = ?", (path,)).fetchone()
        if row is None:
            return None  # never seen: extract it (the worker reads it anyway)
        if (row[0], row[1]) != (size, mtime):  # touched: same bytes?
            key = self.key(f.path.read_bytes(), f.id)
            if key != row[2]:
                return None
            self._pending_files.append((path, size, mtime, key))
        else:
            key = row[2]
        found = self._db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
        if found is None:
            return None
        items = json.loads(gzip.decompress(found[0]))
        return [Reject(**i["reject"]) if "reject" in i else i for i in items]

    def put(self, f: load.InputFile, items: list[dict | Reject]) -> None:
        try:
            path, size, mtime = self._file_row(f)
            key = self.key(f.path.read_bytes(), f.id)
        except OSError:
            return
        payload = [{"reject": i.to_dict()} if isinstance(i, Reject) else i for i in items]
        self._pending.append((key, gzip.compress(json.dumps(payload, ensure_ascii=False).encode(), 3)))
        self._pending_files.append((path, size, mtime, key))
        if len(self._pending) >= 500:
            self.flush()

    def flush(self) -> None:
        if self._pending or self._pending_files:
            self._db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)", self._pending)
            self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", self._pending_files)
            self._db.commit()
            self._pending.clear()
            self._pending_files.clear()

    def close(self) -> None:
        self.flush()
        self._db.close()


def process_files(files: list[load.InputFile], settings: Settings) -> list[list[dict | Reject]]:
    """A batch of files for one worker task (fewer round trips than one task per file)."""
    return [process_file(f, settings) for f in files]


# ----------------------------------------------------------------------------- pipeline
def iter_corpus(paths: Iterable[str | Path], settings: Settings | None = None, *, jobs: int = 1,
                cache: str | Path | None = None, stats: RunStats | None = None,
                progress: bool = False) -> Iterator[dict | Reject]:
    """Records (dicts) and rejects of a corpus, in input order.

    ``jobs`` worker processes (0 = all cores) share the per-file work; ``cache`` is a SQLite file
    that lets an unchanged file skip cleaning and extraction on the next run.
    """
    settings = settings or Settings()
    stats = stats if stats is not None else RunStats()
    jobs = (os.cpu_count() or 1) if jobs == 0 else max(1, jobs)
    discover_stats: dict = {}
    files = list(load.discover(paths, stats=discover_stats))
    stats.ignored = discover_stats.get("ignored", 0)
    fingerprint = _fingerprint(settings)
    store = RecordCache(cache, fingerprint) if cache else None
    duplicates = dedup.DuplicateIndex()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", file=sys.stderr, desc="extract", leave=False)

    def results() -> Iterator[tuple[load.InputFile, list, bool]]:
        """(file, its results, computed now?) in input order. Cached files come straight from
        the cache; the others go to the workers in small batches, with a bounded number of
        batches in flight, so neither results nor tasks pile up in memory."""
        pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
        window: deque = deque()  # entries: (files, results or None, future or None, computed)
        batch: list[load.InputFile] = []
        max_in_flight = jobs * 4

        def submit(batch_files: list[load.InputFile]) -> None:
            if pool is None:
                window.append((batch_files, process_files(batch_files, settings), None, True))
            else:
                window.append((batch_files, None, pool.submit(process_files, batch_files, settings), True))

        def drain(block: bool) -> Iterator[tuple[load.InputFile, list, bool]]:
            while window and (window[0][2] is None or block or window[0][2].done()
                              or sum(1 for w in window if w[2] is not None) > max_in_flight):
                batch_files, res, fut, computed = window.popleft()
                res = res if fut is None else fut.result()
                yield from zip(batch_files, res, [computed] * len(batch_files))

        try:
            for f in files:
                hit = store.lookup(f) if store is not None else None
                if hit is not None:
                    if batch:
                        submit(batch)
                        batch = []
                    stats.cached_files += 1
                    window.append(([f], [hit], None, False))
                else:
                    batch.append(f)
                    if len(batch) >= BATCH_FILES:
                        submit(batch)
                        batch = []
                yield from drain(block=False)
            if batch:
                submit(batch)
            yield from drain(block=True)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)

    try:
        for f, items, computed in results():
            stats.files += 1
            if bar is not None:
                bar.update(1)
            if store is not None and computed:
                store.put(f, items)
            yield from finish_items(items, stats, duplicates)
    finally:
        if bar is not None:
            bar.close()
        if store is not None:
            store.close()


def finish_items(items: list, stats: RunStats, duplicates: dedup.DuplicateIndex) -> Iterator[dict | Reject]:
    """One file's worker results, in order: counted, duplicates flagged (first seen wins).
    Runs in the one process that sees every article (the parent, or the Dask client)."""
    for item in items:
        stats.articles += 1
        if isinstance(item, Reject):
            stats.rejects += 1
            stats.reject_reasons[item.reason] += 1
            yield item
            continue
        record = dict(item)
        dup_of, near = duplicates.check(record["id"], record["content_hash"], record.pop("_signature"))
        if dup_of:
            record["duplicate_of"] = dup_of
            stats.duplicates += 1
            stats.near_duplicates += int(near)
        stats.records += 1
        yield record


def _fingerprint(settings: Settings) -> str:
    taxonomy = load_taxonomy(settings.topics_file)
    rules = load_rules(settings.rules_file)
    from .extract import EXTRACTOR_VERSION
    from .gazetteer import data_version

    parts = [EXTRACTOR_VERSION, taxonomy.version, rules.version, data_version(), repr(settings.meta)]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


# ----------------------------------------------------------------------------- tables
def flat_row(record: dict, topic_ids: Iterable[str]) -> dict:
    """One record as a flat row: lists joined for reading, JSON kept for analysis."""
    row = {k: record.get(k) for k in (
        "id", "source", "format", "title", "url", "outlet", "byline", "published",
        "published_source", "encoding", "n_chars", "content_hash", "duplicate_of", "event_date",
        "event_date_source", "direction")}
    row["vn_localities"] = "; ".join(v["name"] for v in record["vn_localities"])
    row["partners"] = "; ".join(p["name"] for p in record["partners"])
    row["partner_provinces"] = "; ".join(sorted({p["province"] for p in record["partners"]}))
    row["officials"] = "; ".join(f"{o['name']} ({o['side'] or '?'})" for o in record["officials"])
    row["warnings"] = "; ".join(record["warnings"])
    for tid in topic_ids:
        row[f"topic_{tid}"] = int(record["topics"].get(tid, 0))
    for key in ("vn_localities", "partners", "mentions", "officials", "evidence"):
        row[f"{key}_json"] = json.dumps(record[key], ensure_ascii=False)
    row["text"] = record["text"]
    return row


FLAT_COLUMNS_FIRST = ["id", "event_date", "direction", "vn_localities", "partners", "title"]


def records_to_frame(records: Iterable[dict], taxonomy: Taxonomy | None = None) -> pd.DataFrame:
    taxonomy = taxonomy or load_taxonomy()
    rows = [flat_row(r, taxonomy.ids) for r in records]
    return pd.DataFrame(rows, columns=flat_columns(taxonomy) if not rows else None)


def flat_columns(taxonomy: Taxonomy) -> list[str]:
    sample = flat_row({"vn_localities": [], "partners": [], "officials": [], "warnings": [],
                       "topics": {}, "mentions": [], "evidence": {}, "text": ""}, taxonomy.ids)
    return list(sample)


class RecordWriter:
    """Streams records to JSONL, CSV or Parquet (row groups), so output never sits in memory."""

    def __init__(self, out: io.TextIOBase | str | Path, fmt: str, taxonomy: Taxonomy,
                 row_group: int = 5000):
        self.fmt, self.taxonomy, self.row_group = fmt, taxonomy, row_group
        self._buffer: list[dict] = []
        self._parquet = None
        self._own = None
        if fmt == "parquet":
            if not isinstance(out, (str, Path)):
                raise ValueError("Parquet output needs a file path (-o FILE)")
            self._path = Path(out)
        else:
            if isinstance(out, (str, Path)):
                self._own = open(out, "w", encoding="utf-8", newline="")
                out = self._own
            self._fh = out
            if fmt == "csv":
                self._csv = csv.DictWriter(out, fieldnames=flat_columns(taxonomy))
                self._csv.writeheader()

    def write(self, record: dict) -> None:
        if self.fmt == "jsonl":
            self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif self.fmt == "csv":
            self._csv.writerow(flat_row(record, self.taxonomy.ids))
        else:
            self._buffer.append(flat_row(record, self.taxonomy.ids))
            if len(self._buffer) >= self.row_group:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = parquet_schema(self.taxonomy)
        if self._parquet is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._parquet = pq.ParquetWriter(self._path, schema, compression="zstd")
        if self._buffer:
            self._parquet.write_table(pa.Table.from_pylist(self._buffer, schema=schema))
        self._buffer.clear()

    def close(self) -> None:
        if self.fmt == "parquet":
            self._flush_parquet()
            self._parquet.close()
        elif self._own:
            self._own.close()
        else:
            self._fh.flush()


def parquet_schema(taxonomy: Taxonomy):
    import pyarrow as pa

    fields = []
    for name in flat_columns(taxonomy):
        if name.startswith("topic_"):
            fields.append(pa.field(name, pa.int32()))
        elif name == "n_chars":
            fields.append(pa.field(name, pa.int64()))
        else:
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields)


def write_rejects(rejects: Iterable[Reject], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in rejects:
            fh.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")


# ----------------------------------------------------------------------------- datasets
@dataclass
class Dataset:
    """What the notebooks work with: one row per article, the rejects, and the run's counts."""

    articles: pd.DataFrame
    rejects: pd.DataFrame
    stats: dict

    @property
    def topic_ids(self) -> list[str]:
        return [c.removeprefix("topic_") for c in self.articles.columns if c.startswith("topic_")]


def rejects_path_for(dataset_path: str | Path) -> Path:
    """``corpus.parquet`` → ``corpus.rejects.jsonl``; a folder of parts → ``folder/_rejects.jsonl``
    (a leading "_" keeps pyarrow from reading it as a part)."""
    p = Path(dataset_path)
    return p / "_rejects.jsonl" if not p.suffix else p.with_name(p.name.split(".")[0] + ".rejects.jsonl")


def stats_path_for(dataset_path: str | Path) -> Path:
    p = Path(dataset_path)
    return p / "_stats.json" if not p.suffix else p.with_name(p.name.split(".")[0] + ".stats.json")


def build_dataset(paths: Iterable[str | Path] | str | Path, settings: Settings | None = None, *,
                  jobs: int = 1, cache: str | Path | None = None, out: str | Path | None = None,
                  progress: bool = False) -> Path | Dataset:
    """Run the pipeline. With ``out`` (a .parquet path) stream to Parquet and return the path
    (rejects and counts are written beside it); without, return the Dataset in memory."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    settings = settings or Settings()
    taxonomy = load_taxonomy(settings.topics_file)
    stats = RunStats()
    rejects: list[Reject] = []
    if out is not None:
        writer = RecordWriter(out, "parquet", taxonomy)
        for item in iter_corpus(paths, settings, jobs=jobs, cache=cache, stats=stats, progress=progress):
            if isinstance(item, Reject):
                rejects.append(item)
            else:
                writer.write(item)
        writer.close()
        write_rejects(rejects, rejects_path_for(out))
        stats_path_for(out).write_text(json.dumps(stats.to_dict(), indent=1), encoding="utf-8")
        return Path(out)
    records = []
    for item in iter_corpus(paths, settings, jobs=jobs, cache=cache, stats=stats, progress=progress):
        (rejects if isinstance(item, Reject) else records).append(item)
    return Dataset(records_to_frame(records, taxonomy), _rejects_frame(rejects), stats.to_dict())


def _rejects_frame(rejects: list[Reject]) -> pd.DataFrame:
    return pd.DataFrame([r.to_dict() for r in rejects], columns=["source", "reason", "detail"])


def load_dataset(corpus: str | Path | list, *, columns: list[str] | None = None,
                 settings: Settings | None = None, jobs: int = 1,
                 cache: str | Path | None = None) -> Dataset:
    """A Dataset from a built Parquet file or folder (read with pyarrow, only ``columns``), a
    JSONL/CSV record file written by ``citycoop extract``, or raw corpus path(s) (extracted now)."""
    if isinstance(corpus, (list, tuple)):
        return build_dataset(corpus, settings, jobs=jobs, cache=cache)
    p = Path(corpus)
    if p.suffix == ".parquet" or (p.is_dir() and any(p.glob("*.parquet"))):
        # A folder of parts (Dask engine) reads in part order, which is input order.
        frame = pd.read_parquet(p, columns=columns, engine="pyarrow")
        rp, sp = rejects_path_for(p), stats_path_for(p)
        rejects = pd.read_json(rp, lines=True, dtype=str) if rp.exists() and rp.stat().st_size else _rejects_frame([])
        stats = json.loads(sp.read_text()) if sp.exists() else {}
        return Dataset(frame, rejects, stats)
    return build_dataset([p], settings, jobs=jobs, cache=cache)


# ----------------------------------------------------------------------------- views
def select_articles(articles: pd.DataFrame, *, date_from: str | None = None,
                    date_to: str | None = None, include_duplicates: bool = False) -> pd.DataFrame:
    """Articles to count: duplicates out (each story once) unless asked, and a date range on the
    event date. Events of unknown year cannot be placed in a range: with a range they are left
    out, and the overview says how many."""
    df = articles
    if not include_duplicates and "duplicate_of" in df:
        df = df[df["duplicate_of"].isna() | (df["duplicate_of"] == "")]
    if date_from or date_to:
        known = df["event_date"].fillna("").str.match(r"^\d{4}-")
        dates = df["event_date"].where(known)
        keep = known.copy()
        if date_from:
            keep &= dates >= date_from
        if date_to:
            keep &= dates <= date_to
        df = df[keep]
    return df.reset_index(drop=True)


def meetings(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per article × Chinese partner × Vietnamese side (side may be empty)."""
    rows = []
    for a in articles.itertuples(index=False):
        partners = json.loads(a.partners_json or "[]")
        vns = json.loads(a.vn_localities_json or "[]") or [None]
        date = a.event_date or ""
        for p in partners:
            for v in vns:
                rows.append({
                    "id": a.id, "title": a.title, "url": a.url, "outlet": a.outlet,
                    "event_date": a.event_date, "year_known": bool(date[:1].isdigit()),
                    "direction": a.direction,
                    "partner": p["name"], "partner_vi": p["name_vi"], "partner_province": p["province"],
                    "partner_level": p["level"], "partner_lat": p["lat"], "partner_lon": p["lon"],
                    "vn": v["name"] if v else None, "vn_vi": v["name_vi"] if v else None,
                    "vn_lat": v["lat"] if v else None, "vn_lon": v["lon"] if v else None,
                })
    cols = ["id", "title", "url", "outlet", "event_date", "year_known", "direction", "partner",
            "partner_vi", "partner_province", "partner_level", "partner_lat", "partner_lon",
            "vn", "vn_vi", "vn_lat", "vn_lon"]
    return pd.DataFrame(rows, columns=cols)


def topic_presence(articles: pd.DataFrame, topic_ids: Iterable[str]) -> pd.DataFrame:
    """Boolean frame: does article i mention topic t at least once."""
    return pd.DataFrame({t: articles[f"topic_{t}"].fillna(0).astype(int) > 0 for t in topic_ids},
                        index=articles.index)


def headline_figures(articles: pd.DataFrame, all_articles: pd.DataFrame | None = None,
                     rejects: pd.DataFrame | None = None) -> dict:
    """The numbers at the top of the overview."""
    m = meetings(articles)
    dates = articles["event_date"].dropna()
    known = dates[dates.str.match(r"^\d{4}-")]
    n_events = int(dates.size)
    return {
        "articles": int(len(all_articles) if all_articles is not None else len(articles)),
        "stories (duplicates counted once)": int(len(articles)),
        "meetings with a Chinese partner": int(m["id"].nunique()) if len(m) else 0,
        "Chinese partners": int(m["partner"].nunique()) if len(m) else 0,
        "Vietnamese localities": int(m["vn"].dropna().nunique()) if len(m) else 0,
        "first event": known.min() if len(known) else "–",
        "last event": known.max() if len(known) else "–",
        "events with unknown year": f"{n_events - len(known)} of {n_events}" if n_events else "0",
        "rejected inputs": int(len(rejects)) if rejects is not None else 0,
    }
