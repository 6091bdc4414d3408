"""``citycoop extract --engine dask``: the same per-file function on a Dask cluster.

First the corpus's furniture (lines repeated across many stories, ``furniture.scan_corpus``)
is found by tasks on the cluster and handed to every task with the settings. Workers run
``dataset.process_batch`` (load → clean → extract, returned as an Arrow table) on
tasks of input files: up to ``files_per_task`` articles' files, an export alone, a large export
in parts of ``PART_BYTES`` (so no task's result is large, and its parts run on several
workers). The client submits a few tasks per worker thread ahead of the one it waits for,
receives the results in input order, flags duplicates (``dataset.Deduplicator``: it needs every
earlier article, so it is one sequential pass) and writes the output: partitioned Parquet
(``OUT/part-00000.parquet``, one part per task, readable as one dataset by pandas/pyarrow)
or JSONL/CSV, which replace the previous output only once the run has succeeded. Input paths
must be visible to the workers under the same names (a shared filesystem); with no
``--scheduler`` a ``LocalCluster`` on this machine is started.
"""
from __future__ import annotations

import json
import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import load
from .corrections import Corrector
from .dataset import (PART_BYTES, PARTS_MANIFEST, Deduplicator, RecordWriter, RunStats, Settings, completed_files,
                      output_lock, process_batch, rejects_path_for, stats_path_for, with_furniture,
                      write_rejects, write_text_whole)
from .extract.topics import load_taxonomy
from .models import Reject

FILES_PER_TASK = 200
TASKS_PER_THREAD = 2  # submitted ahead of the result the client waits for


def plan_tasks(files: Iterable[load.InputFile], settings: Settings, files_per_task: int = FILES_PER_TASK,
               part_bytes: int = PART_BYTES) -> Iterator[list[load.InputFile]]:
    """The input files as tasks, in order: single-article files in groups, each export alone
    (a large one: one task per part)."""
    todo: list[load.InputFile] = []
    for f in files:
        if load.is_export(f.path):
            if todo:
                yield todo
                todo = []
            for part in load.split_export(f, part_bytes, settings.max_bytes):
                yield [part]
        else:
            todo.append(f)
            if len(todo) >= files_per_task:
                yield todo
                todo = []
    if todo:
        yield todo


def _replace_parts(folder: Path, new_parts: list[Path]) -> None:
    """The run's parts take the output's part names; the previous run's parts and the default
    engine's parts list (it would name parts gone) are removed."""
    (folder / PARTS_MANIFEST).unlink(missing_ok=True)
    final = [folder / f"part-{n:05d}.parquet" for n in range(len(new_parts))]
    for part, name in zip(new_parts, final):
        os.replace(part, name)
    # and a killed run's unfinished parts (dot names, which readers skip)
    for old in {*folder.glob("part-*.parquet"), *folder.glob(".writing-dask-*.parquet")} - set(final):
        old.unlink()


def extract_with_dask(paths, settings: Settings, *, out: str | None, scheduler: str | None = None,
                      rejects_file: str | None = None, fmt: str = "parquet", n_workers: int | None = None,
                      files_per_task: int = FILES_PER_TASK, part_bytes: int = PART_BYTES,
                      on_reject=None) -> RunStats:
    """Extract ``paths`` on a Dask cluster into ``out``; ``on_reject(reject)`` is called for each
    reject as the task that found it is handed on (in input order), as the local engine does."""
    if out is None:
        raise ValueError("--engine dask writes files: give -o (a folder for parquet, a file otherwise)")
    stats = RunStats()
    discovered: dict = {}
    load.require_paths(paths)  # before a cluster starts or the output is touched, as the default engine
    if fmt == "parquet" and Path(out).exists() and not Path(out).is_dir():
        raise FileExistsError(f"{out} is a file; --engine dask writes Parquet as a folder of parts "
                              "(name a folder, or -f jsonl for one file)")
    files = list(load.discover(paths, stats=discovered))
    with output_lock(Path(out).resolve()):  # as the default engine's: one run writes an output
        return _run_on_dask(files, settings, stats, discovered, out, scheduler, rejects_file, fmt, n_workers,
                            files_per_task, part_bytes, on_reject)


def _quiet_distributed(level: int = logging.CRITICAL) -> int:
    """Set the level of distributed's loggers in this process; return the previous one."""
    logger = logging.getLogger("distributed")
    previous = logger.level
    logger.setLevel(level)
    return previous


def _shut_down(client, cluster) -> None:
    """Close the client and the cluster this run started, without distributed's shutdown noise.

    While a local cluster closes, a worker's heartbeat can meet the scheduler's closed socket and
    distributed logs it as an error with a traceback (more often on a loaded machine). The run is
    over and its results are in by then, so that noise only frightens users: the cluster's own
    processes are silenced for the shutdown. A cluster the user named with --scheduler is theirs,
    and its logging is left alone.
    """
    if cluster is None:
        client.close()
        return
    try:
        client.run(_quiet_distributed)  # the workers
    except Exception:  # a worker already gone has nothing left to say
        pass
    previous = _quiet_distributed()  # the scheduler and nannies live in this process
    try:
        client.close()
        cluster.close()
    finally:
        logging.getLogger("distributed").setLevel(previous)


def _run_on_dask(files, settings: Settings, stats: RunStats, discovered: dict, out: str,
                 scheduler: str | None, rejects_file: str | None, fmt: str, n_workers: int | None,
                 files_per_task: int, part_bytes: int, on_reject=None) -> RunStats:
    from dask.distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                                  processes=True, dashboard_address=None)
    client = Client(scheduler or cluster)

    def submit_many(fn, tasks, *args):  # the first pass's tasks on the cluster, results in order
        return client.gather(client.map(fn, tasks, *[[a] * len(tasks) for a in args], pure=False))

    try:  # the corpus's furniture first (dataset.with_furniture), as the default engine finds it
        settings, _ = with_furniture(files, settings, submit_many=submit_many)
    except BaseException:
        _shut_down(client, cluster)
        raise
    tasks = plan_tasks(files, settings, files_per_task, part_bytes)
    taxonomy = load_taxonomy(settings.topics_file)
    deduplicator = Deduplicator()
    corrector = Corrector(settings)  # the analyst's corrections, applied as the local engine does
    rejects: list[Reject] = []
    out_path = Path(out)
    writer = None
    new_parts: list[Path] = []  # a folder's parts, under dot names until the run has succeeded
    if fmt == "parquet":
        out_path.mkdir(parents=True, exist_ok=True)
    else:
        writer = RecordWriter(out_path, fmt, taxonomy)
    try:
        window: deque = deque()
        while True:
            ahead = max(1, sum(client.nthreads().values())) * TASKS_PER_THREAD  # workers may join
            for task in tasks:  # top the window up
                window.append(client.submit(process_batch, task, settings=settings, pure=False))
                if len(window) > ahead:
                    break
            if not window:
                break
            fut = window.popleft()  # in input order, whatever order they finish in
            if fmt == "parquet":
                new_parts.append(out_path / f".writing-dask-{os.getpid()}-{len(new_parts):05d}.parquet")
                writer = RecordWriter(new_parts[-1], "parquet", taxonomy, in_place=True)
            batch = fut.result()
            fut.release()
            stats.files += completed_files(batch.files)
            for chunk in corrector.corrected(deduplicator.computed(batch, stats)):
                writer.write_table(chunk.table)
                rejects += chunk.rejects
                if on_reject is not None:
                    for r in chunk.rejects:
                        on_reject(r)
            if fmt == "parquet":
                writer.close()
                writer = None
    except BaseException:  # what this run wrote goes; the previous output stays as it was
        if writer is not None:
            writer.abort()
        for part in new_parts:
            part.unlink(missing_ok=True)
        raise
    else:
        if writer is not None:
            writer.close()
    finally:
        _shut_down(client, cluster)
    if fmt == "parquet":
        _replace_parts(out_path, new_parts)
    stats.ignored = discovered.get("ignored", 0)
    corrector.finish(stats)
    if rejects_file:
        write_rejects(rejects, rejects_file)
    if fmt == "parquet":
        write_rejects(rejects, rejects_path_for(out_path))
        write_text_whole(stats_path_for(out_path), json.dumps(stats.to_dict(), indent=1))
    from .meetings import write_meetings_beside

    write_meetings_beside(out_path, fmt)  # from the records written, as the local engine's
    return stats
