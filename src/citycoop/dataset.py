"""The public API over the pipeline: corpus → records, and the datasets it builds ↔ DataFrames.

``iter_corpus`` gives a corpus's records as Python objects, ``build_dataset`` as a ``Dataset``
in memory or a Parquet output, ``write_dataset`` streams them to a Parquet file or folder of
parts with their rejects and counts beside it (``citycoop extract -f parquet``). All of them
run ``pipeline.scheduler.iter_chunks`` (worker processes, Arrow chunks in input order, the
duplicate check, the record cache: see ``citycoop.pipeline``), the analyst's corrections
applied. ``load_dataset``, ``iter_rows`` and ``read_rows`` read a built dataset back.
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

# The report package reaches these through this module (``ds.write_text_whole`` …); they live in
# fsio and the scheduler.
from .fsio import init_worker_process, output_lock, write_text_whole  # noqa: F401
from .pipeline.scheduler import terminate_pool_processes  # noqa: F401

if TYPE_CHECKING:  # imported where used: a re-run with nothing to do starts in ≈ 0.1 s, not 0.5 s
    import pandas as pd

__all__ = ["Settings", "Tuning", "RunStats", "read_meta", "load_taxonomy", "iter_corpus", "build_dataset",
           "write_dataset", "Dataset", "load_dataset", "is_built_dataset", "dataset_files", "light_columns",
           "iter_rows", "read_rows", "HEAVY_COLUMNS"]


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
