"""``citycoop extract --engine dask``: the same per-file function on a Dask cluster.

Workers run ``dataset.process_batch`` (load → clean → extract, returned as an Arrow table) on
batches of input files; the client receives the batches in input order, flags duplicates
(``dataset.Deduplicator``: it needs every earlier article, so it is one sequential pass) and
writes the output: partitioned Parquet
(``OUT/part-00000.parquet``, one part per batch, readable as one dataset by pandas/pyarrow)
or JSONL/CSV. Input paths must be visible to the workers under the same names (a shared
filesystem); with no ``--scheduler`` a ``LocalCluster`` on this machine is started.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import load
from .dataset import (Deduplicator, RecordWriter, RunStats, Settings, process_batch,
                      rejects_path_for, stats_path_for, write_rejects)
from .extract.topics import load_taxonomy
from .models import Reject

FILES_PER_TASK = 200


def extract_with_dask(paths, settings: Settings, *, out: str | None, scheduler: str | None = None,
                      rejects_file: str | None = None, fmt: str = "parquet", n_workers: int | None = None,
                      files_per_task: int = FILES_PER_TASK) -> RunStats:
    from dask.distributed import Client, LocalCluster

    if out is None:
        raise ValueError("--engine dask writes files: give -o (a folder for parquet, a file otherwise)")
    stats = RunStats()
    discovered: dict = {}
    files = list(load.discover(paths, stats=discovered))
    stats.ignored = discovered.get("ignored", 0)
    batches = [files[i:i + files_per_task] for i in range(0, len(files), files_per_task)]
    cluster = None if scheduler else LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    client = Client(scheduler or cluster)
    taxonomy = load_taxonomy(settings.topics_file)
    deduplicator = Deduplicator()
    rejects: list[Reject] = []
    out_path = Path(out)
    if fmt == "parquet":
        out_path.mkdir(parents=True, exist_ok=True)
        for old in out_path.glob("part-*.parquet"):
            old.unlink()
    else:
        writer = RecordWriter(out_path, fmt, taxonomy)
    try:
        futures = client.map(process_batch, batches, settings=settings, pure=False)
        for n, fut in enumerate(futures):  # in input order, whatever order they finish in
            if fmt == "parquet":
                writer = RecordWriter(out_path / f"part-{n:05d}.parquet", "parquet", taxonomy)
            batch = fut.result()
            stats.files += len(batch.files)
            for chunk in deduplicator.computed(batch, stats):
                writer.write_table(chunk.table)
                rejects += chunk.rejects
            fut.release()
            if fmt == "parquet":
                writer.close()
    finally:
        if fmt != "parquet":
            writer.close()
        client.close()
        if cluster is not None:
            cluster.close()
    if rejects_file:
        write_rejects(rejects, rejects_file)
    if fmt == "parquet":
        write_rejects(rejects, rejects_path_for(out_path))
        stats_path_for(out_path).write_text(json.dumps(stats.to_dict(), indent=1),
                                                               encoding="utf-8")
    return stats
