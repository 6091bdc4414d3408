"""The public API over the pipeline: corpus → records, and the datasets it builds ↔ DataFrames.

``iter_corpus`` gives a corpus's records as Python objects, ``build_dataset`` as a ``Dataset``
in memory or a Parquet output, ``write_dataset`` streams them to a Parquet file or folder of
parts with their rejects and counts beside it (``citycoop extract -f parquet``). All of them
run ``pipeline.scheduler.iter_chunks``: worker processes, Arrow chunks in input order, the
duplicate check, the record cache (see ``citycoop.pipeline``). ``load_dataset``, ``iter_rows``
and ``read_rows`` read a built dataset back; the views at the end are what the notebooks show.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .models import Reject
from .pipeline.chunks import RunStats
from .pipeline.engines import LocalEngine, write_chunks
from .pipeline.parts import rejects_path_for, stats_path_for
from .pipeline.settings import Settings, Tuning, load_taxonomy, read_meta
from .records import HEAVY_COLUMNS, parquet_schema, record_from_row

# report.py reaches these through this module (``ds.write_text_whole`` …); they live in fsio and
# the scheduler, and go to the report package's own imports when it moves.
from .fsio import init_worker_process, output_lock, write_text_whole  # noqa: F401
from .pipeline.scheduler import terminate_pool_processes  # noqa: F401

if TYPE_CHECKING:  # imported where used: a re-run with nothing to do starts in ≈ 0.1 s, not 0.5 s
    import pandas as pd

__all__ = ["Settings", "Tuning", "RunStats", "read_meta", "load_taxonomy", "iter_corpus", "build_dataset",
           "write_dataset", "Dataset", "load_dataset", "is_built_dataset", "dataset_files", "light_columns",
           "iter_rows", "read_rows", "HEAVY_COLUMNS", "select_articles", "meetings", "topic_presence",
           "headline_figures", "NO_KNOWN_DATE", "MEETING_COLUMNS"]


def iter_corpus(paths: Iterable[str | Path], settings: Settings | None = None, *, jobs: int = 1,
                cache: str | Path | None = None, stats: RunStats | None = None,
                progress: bool = False) -> Iterator[dict | Reject]:
    """Records (nested dicts, as ``citycoop extract`` prints them) and rejects, in input order:
    ``iter_chunks`` for callers that want Python objects."""
    settings = settings or Settings()
    topic_ids = load_taxonomy(settings.topics_file).ids
    for chunk in LocalEngine(jobs, cache, progress).chunks(paths, settings, stats):
        if chunk.table is not None:
            for row in chunk.table.to_pylist():
                yield record_from_row(row, topic_ids)
        yield from chunk.rejects


def write_dataset(paths: Iterable[str | Path], out: str | Path, settings: Settings | None = None, *,
                  jobs: int = 1, cache: str | Path | None = None, progress: bool = False,
                  on_reject=None) -> tuple[RunStats, bool]:
    """Stream the corpus to the Parquet file ``out``, with its rejects (JSONL) and counts (JSON)
    beside it; ``on_reject(reject)`` is called for each reject as it comes. An ``out`` without
    a suffix (or a folder) is a folder of parts (``pipeline.parts.FolderWriter``): with a
    ``cache``, a run rewrites only the parts whose files or duplicate decisions changed
    (``settings.tuning.files_per_output_part`` sets how the input is cut; it is the same in
    every run over one output).

    With a ``cache``, a run whose inputs (paths, ids, sizes, mtimes), settings and output files
    are all exactly as the last run that wrote ``out`` left them has nothing to do: it reports
    that run's counts and rejects and writes nothing. Returns (counts, True if nothing was to do).
    """
    return LocalEngine(jobs, cache, progress).write_dataset(paths, out, settings or Settings(), on_reject)


class _Tables:
    """``write_chunks``'s writer for a dataset built in memory: it keeps the chunks' tables."""

    def __init__(self):
        self.tables: list = []

    def write_chunk(self, chunk) -> None:
        if chunk.table is not None:
            self.tables.append(chunk.table)

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


def build_dataset(paths: Iterable[str | Path] | str | Path, settings: Settings | None = None, *,
                  jobs: int = 1, cache: str | Path | None = None, out: str | Path | None = None,
                  progress: bool = False) -> Path | Dataset:
    """Run the pipeline. With ``out`` (a .parquet path) stream to Parquet and return the path
    (rejects and counts are written beside it: ``write_dataset``); without, return the Dataset
    in memory."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    settings = settings or Settings()
    if out is not None:
        write_dataset(paths, out, settings, jobs=jobs, cache=cache, progress=progress)
        return Path(out)
    import pyarrow as pa

    taxonomy = load_taxonomy(settings.topics_file)
    stats = RunStats()
    kept = _Tables()
    rejects = write_chunks(LocalEngine(jobs, cache, progress).chunks(paths, settings, stats), kept)
    schema = parquet_schema(taxonomy)
    table = pa.concat_tables(kept.tables).cast(schema) if kept.tables else schema.empty_table()
    return Dataset(table.to_pandas(), _rejects_frame(rejects), stats.to_dict())


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


def _rejects_frame(rejects: list[Reject]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([r.to_dict() for r in rejects], columns=["source", "reason", "detail"])


def load_dataset(corpus: str | Path | list, *, columns: list[str] | None = None,
                 settings: Settings | None = None, jobs: int = 1,
                 cache: str | Path | None = None) -> Dataset:
    """A Dataset from a built Parquet file or folder (read with pyarrow, only ``columns``), a
    JSONL/CSV record file written by ``citycoop extract``, or raw corpus path(s) (extracted now)."""
    import pandas as pd

    if isinstance(corpus, (list, tuple)):
        return build_dataset(corpus, settings, jobs=jobs, cache=cache)
    p = Path(corpus)
    if is_built_dataset(p):
        # A folder of parts (Dask engine) reads in part order, which is input order.
        frame = pd.read_parquet(p, columns=columns, engine="pyarrow")
        rp, sp = rejects_path_for(p), stats_path_for(p)
        rejects = pd.read_json(rp, lines=True, dtype=str) if rp.exists() and rp.stat().st_size else _rejects_frame([])
        stats = json.loads(sp.read_text()) if sp.exists() else {}
        return Dataset(frame, rejects, stats)
    return build_dataset([p], settings, jobs=jobs, cache=cache)


ROW_BATCH = 4096  # rows decoded at a time when a built dataset is scanned for some of its rows


def is_built_dataset(path: str | Path) -> bool:
    """A Parquet file or folder of parts made by ``citycoop extract -f parquet`` (or Dask)."""
    p = Path(path)
    return p.suffix == ".parquet" or (p.is_dir() and any(p.glob("*.parquet")))


def parquet_files(path: str | Path) -> list[Path]:
    """The Parquet file, or a folder's part files in order (``_parts.json`` and the like are
    not parts; neither are hidden files)."""
    p = Path(path)
    if not p.is_dir():
        return [p]
    return sorted(f for f in p.glob("*.parquet") if not f.name.startswith(("_", ".")))


def dataset_files(path: str | Path) -> list[Path]:
    """What a report reads of a built dataset: its Parquet files and its rejects (not its
    counts, which say how the last run went, e.g. how many files came from the cache)."""
    return [*parquet_files(path), rejects_path_for(path)]


def light_columns(path: str | Path) -> list[str]:
    """The built dataset's columns but the heavy ones."""
    import pyarrow.parquet as pq

    files = parquet_files(path)
    names = pq.read_schema(files[0]).names if files else []
    return [c for c in names if c not in HEAVY_COLUMNS]


def iter_rows(path: str | Path, columns: list[str], ids: Iterable[str] | None = None) -> Iterator[pd.DataFrame]:
    """``id`` and ``columns`` of a built dataset, ROW_BATCH rows decoded at a time, as
    DataFrames in stored order; with ``ids``, only those rows. Memory stays at one batch
    plus what the caller keeps, whatever the corpus size: the texts of 100 000 generated
    articles stream in 0.6 s with +64 MB of peak RSS (a pyarrow dataset scanner with its
    default threads and read-ahead: +220 MB)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    wanted = None if ids is None else set(ids)
    if wanted is not None and not wanted:
        return
    # Looked up from Python, the set built once. pc.is_in hashed its value set at every batch,
    # so asking for most of the ids (a topic explorer's texts) grew with the square of the
    # corpus: 116 s at a million articles against 1.6 s of reading (now 3.0 s); for 16 ids the
    # two take the same time, for 65 536 of a million 0.9 s against 3.9 s.
    names = ["id"] + [c for c in columns if c != "id"]
    for f in parquet_files(path):
        with pq.ParquetFile(f) as parquet:
            for batch in parquet.iter_batches(batch_size=ROW_BATCH, columns=names):
                if wanted is not None:
                    batch = batch.filter(pa.array([i in wanted for i in batch.column("id").to_pylist()],
                                                  pa.bool_()))
                if batch.num_rows:
                    yield batch.to_pandas()


def read_rows(path: str | Path, columns: list[str], ids: Iterable[str]) -> pd.DataFrame:
    """``id`` and ``columns`` of the rows of a built dataset whose id is in ``ids`` (streamed:
    memory grows with the rows asked for, not with the corpus)."""
    import pandas as pd

    names = ["id"] + [c for c in columns if c != "id"]
    parts = list(iter_rows(path, columns, ids))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=names)


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


MEETING_COLUMNS = ["id", "title", "url", "outlet", "event_date", "year_known", "direction", "partner",
                   "partner_vi", "partner_province", "partner_level", "partner_lat", "partner_lon",
                   "vn", "vn_vi", "vn_lat", "vn_lon"]


def meetings(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per article × Chinese partner × Vietnamese side (side may be empty).

    Each distinct JSON string is parsed once (a corpus repeats the same partner sets) into
    numbers of distinct places; the loop over articles only collects row numbers, and every
    column is then taken whole: 100 000 articles in ≈ 0.4 s with 48 MB at peak beyond the
    input, against ≈ 0.8 s and 135 MB making a tuple per row (every report notebook runs it)."""
    import numpy as np
    import pandas as pd

    places: dict[tuple, int] = {}  # (name, name_vi, province, level, lat, lon) → its number
    parsed: dict[str, list[int]] = {}

    def numbers(text, none: list[int]) -> list[int]:
        if not isinstance(text, str) or text in ("", "[]"):
            return none
        found = parsed.get(text)
        if found is None:  # cached as parsed: the same text may come in either column
            found = parsed[text] = [places.setdefault(
                (p["name"], p["name_vi"], p.get("province"), p.get("level"), p["lat"], p["lon"]), len(places))
                for p in json.loads(text)]
        return found or none

    article_at: list[int] = []
    partner_at: list[int] = []
    side_at: list[int] = []  # -1: no Vietnamese side named
    for i, (partners_json, vn_json) in enumerate(zip(articles["partners_json"].tolist(),
                                                     articles["vn_localities_json"].tolist())):
        partners = numbers(partners_json, [])
        if partners:
            sides = numbers(vn_json, [-1])
            for p in partners:
                article_at += [i] * len(sides)
                partner_at += [p] * len(sides)
                side_at += sides
    fields = list(zip(*places)) or [()] * 6

    def take(k: int, at: list[int], dtype):
        # the value after the last place is what index -1 (no side) takes
        values = np.asarray(list(fields[k]) + [None], dtype=object)[np.asarray(at, dtype=np.int64)]
        return pd.Series(values, dtype=dtype)

    rows = articles[["id", "title", "url", "outlet", "event_date", "direction"]].iloc[
        np.asarray(article_at, dtype=np.int64)].reset_index(drop=True)
    dates = rows["event_date"]
    out = {c: rows[c] for c in ("id", "title", "url", "outlet", "event_date")}
    out["year_known"] = dates.fillna("").str[:1].str.isdigit().astype(bool)
    out["direction"] = rows["direction"]
    for name, k, dtype in (("partner", 0, "str"), ("partner_vi", 1, "str"), ("partner_province", 2, "str"),
                           ("partner_level", 3, "str"), ("partner_lat", 4, "float64"),
                           ("partner_lon", 5, "float64")):
        out[name] = take(k, partner_at, dtype)
    for name, k, dtype in (("vn", 0, "str"), ("vn_vi", 1, "str"), ("vn_lat", 4, "float64"),
                           ("vn_lon", 5, "float64")):
        out[name] = take(k, side_at, dtype)
    return pd.DataFrame(out, columns=MEETING_COLUMNS)


def topic_presence(articles: pd.DataFrame, topic_ids: Iterable[str]) -> pd.DataFrame:
    """Boolean frame: does article i mention topic t at least once."""
    import pandas as pd

    return pd.DataFrame({t: articles[f"topic_{t}"].fillna(0).astype(int) > 0 for t in topic_ids},
                        index=articles.index)


NO_KNOWN_DATE = "–"  # the first and last event of a selection with no event of known year


def headline_figures(articles: pd.DataFrame, all_articles: pd.DataFrame | None = None,
                     rejects: pd.DataFrame | None = None, meeting_rows: pd.DataFrame | None = None) -> dict:
    """The numbers at the top of the overview (``meeting_rows``: ``meetings(articles)`` if known)."""
    m = meetings(articles) if meeting_rows is None else meeting_rows
    dates = articles["event_date"].dropna()
    known = dates[dates.str.match(r"^\d{4}-")]
    n_events = int(dates.size)
    return {
        "articles": int(len(all_articles) if all_articles is not None else len(articles)),
        "stories (duplicates counted once)": int(len(articles)),
        "meetings with a Chinese partner": int(m["id"].nunique()) if len(m) else 0,
        "Chinese partners": int(m["partner"].nunique()) if len(m) else 0,
        "Vietnamese localities": int(m["vn"].dropna().nunique()) if len(m) else 0,
        "first event": known.min() if len(known) else NO_KNOWN_DATE,
        "last event": known.max() if len(known) else NO_KNOWN_DATE,
        "events with unknown year": f"{n_events - len(known):,} of {n_events:,}" if n_events else "0",
        "rejected inputs": int(len(rejects)) if rejects is not None else 0,
    }
