"""How a run's work is cut, done and written: the batching rule, the loop from chunks to an
output, and the engines ``--engine`` chooses by name.

``plan_tasks`` is the one rule that cuts input files into worker tasks; ``write_chunks`` the one
loop that writes a run's chunks to its output (aborting it on any error). An engine runs
``citycoop extract``: ``local`` (worker processes on this machine, the record cache, a folder
output's kept parts) or ``dask`` (the same per-file function on a Dask cluster). Engines are
registered by name in ``ENGINES``, as papermill keeps its own, and chosen with ``get_engine``.
"""
from __future__ import annotations

import logging
import os
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .. import load
from ..cache import RecordCache
from ..corrections import corrected_chunks
from ..fsio import file_states, output_lock
from ..models import Reject
from .chunks import Chunk, RunStats
from .parts import (PARTS_MANIFEST, FolderWriter, InputDigest, OutputParts, PartEnd, is_folder_output, output_files,
                    rejects_path_for, write_sidecars)
from .settings import Settings, fingerprint, load_taxonomy, output_fingerprint, with_furniture
from .writers import RecordWriter, read_rejects

if TYPE_CHECKING:
    from ..extract.topics import Taxonomy


# ----------------------------------------------------------------------------- batching
class Tasks:
    """The one rule that cuts input files into worker tasks, in input order: articles' files
    in groups of ``files_per_task``, a group also ending after a file ``ends_part`` names (a
    task never spans two output parts); each export a task of its own, as it may hold thousands
    of articles, and with ``part_bytes`` a large one a task per part (``load.split_export``), so
    that several workers share it. ``add`` and ``flush`` give the tasks as they are complete."""

    def __init__(self, files_per_task: int, *, part_bytes: int | None = None,
                 max_bytes: int = load.DEFAULT_MAX_BYTES, ends_part: Callable | None = None):
        self.files_per_task, self.part_bytes, self.max_bytes = files_per_task, part_bytes, max_bytes
        self.ends_part = ends_part
        self._todo: list[load.InputFile] = []

    def add(self, f: load.InputFile) -> Iterator[list[load.InputFile]]:
        """The tasks ``f`` completes (a large export's parts are found as they are taken)."""
        if load.is_export(f.path):
            yield from self.flush()
            if self.part_bytes is None:
                yield [f]
            else:
                for part in load.split_export(f, self.part_bytes, self.max_bytes):
                    yield [part]
            return
        self._todo.append(f)
        if len(self._todo) >= self.files_per_task or (self.ends_part is not None and self.ends_part(f)):
            yield from self.flush()

    def flush(self) -> Iterator[list[load.InputFile]]:
        """The files added since the last task, as a task (nothing if there are none)."""
        if self._todo:
            task, self._todo = self._todo, []
            yield task


def plan_tasks(files: Iterable[load.InputFile], files_per_task: int, **rule) -> Iterator[list[load.InputFile]]:
    """``files`` as tasks, by the rule of ``Tasks`` (``rule``: its keyword arguments)."""
    tasks = Tasks(files_per_task, **rule)
    for f in files:
        yield from tasks.add(f)
    yield from tasks.flush()


# ----------------------------------------------------------------------------- chunks → output
def write_chunks(chunks: Iterable[Chunk], writer, on_reject: Callable | None = None,
                 on_rows: Callable | None = None) -> list[Reject]:
    """The one loop from a run's chunks to its output: each chunk to ``writer.write_chunk``, its
    rows (an Arrow table or None) to ``on_rows`` and its rejects to ``on_reject`` as they come.
    On any error or Ctrl-C the chunks' source is stopped (its workers, its cache) and
    ``writer.abort()`` leaves the previous output as it was; else ``writer.close()``. Returns
    the rejects in input order, for the caller to write where its output keeps them."""
    rejects: list[Reject] = []
    try:
        for chunk in chunks:
            writer.write_chunk(chunk)
            if on_rows is not None:
                on_rows(chunk.table)
            rejects += chunk.rejects
            if on_reject is not None:
                for r in chunk.rejects:
                    on_reject(r)
    except BaseException:
        stop = getattr(chunks, "close", None)
        if stop is not None:
            stop()
        writer.abort()
        raise
    writer.close()
    return rejects


# ----------------------------------------------------------------------------- engines
class Engine:
    """What ``citycoop extract`` runs: ``extract`` writes the records of ``paths`` to ``out`` as
    ``fmt`` (jsonl, csv or parquet; ``out`` None: standard output), with the rejects and counts
    beside a Parquet output and the meetings beside every output file, and calls
    ``on_reject(reject)`` for each reject as it comes. Returns the run's counts and whether the
    output was up to date (nothing written)."""

    name = ""

    def extract(self, paths: list, settings: Settings, *, out: str | None, fmt: str,
                on_reject: Callable | None = None) -> tuple[RunStats, bool]:
        raise NotImplementedError


class Engines:
    """The engines by name, as papermill registers its own: ``register`` adds one, ``get`` gives
    one to run (``options``: its constructor's)."""

    def __init__(self):
        self._engines: dict[str, type[Engine]] = {}

    def register(self, name: str, engine: type[Engine]) -> None:
        self._engines[name] = engine

    def names(self) -> list[str]:
        return list(self._engines)

    def get(self, name: str, **options) -> Engine:
        if name not in self._engines:
            raise ValueError(f"no engine {name!r}; the engines are {', '.join(self._engines)}")
        return self._engines[name](**options)


class LocalEngine(Engine):
    """Worker processes on this machine (``jobs``: 0 = all cores, 1 = none), with the record
    cache (``cache``: a folder, or None) and a progress bar on stderr (``progress``)."""

    name = "local"

    def __init__(self, jobs: int = 1, cache: str | Path | None = None, progress: bool = False, **_ignored):
        self.jobs, self.cache, self.progress = jobs, cache, progress

    def chunks(self, paths: list, settings: Settings, stats: RunStats | None = None,
               folder: Path | None = None, **walk) -> Iterator[Chunk]:
        """The corpus as chunks in input order (``scheduler.iter_chunks``; ``walk``: its options),
        the analyst's corrections applied (``folder``: a folder output, whose kept parts they
        may need to read: ``corrections.Corrector``)."""
        from . import scheduler  # looked up at each run: tests stand in for it

        stats = stats if stats is not None else RunStats()
        chunks = scheduler.iter_chunks(paths, settings, jobs=self.jobs, cache=self.cache, stats=stats,
                                       progress=self.progress, **walk)
        return corrected_chunks(chunks, settings, stats, folder)

    def extract(self, paths, settings, *, out, fmt, on_reject=None):
        if fmt == "parquet":
            return self.write_dataset(paths, out, settings, on_reject)
        return self.write_records(paths, out, fmt, settings, on_reject), False

    def write_records(self, paths: list, out: str | Path | None, fmt: str, settings: Settings,
                      on_reject: Callable | None = None) -> RunStats:
        """Records as JSONL or CSV to the file ``out`` (None: standard output), the meetings they
        report beside a file."""
        from ..meetings import reports_of_table, write_meetings_beside

        load.require_paths(paths)  # before the output file is made
        writer = RecordWriter(out or sys.stdout, fmt, load_taxonomy(settings.topics_file))
        stats = RunStats()
        reports: list = []  # what grouping into meetings reads of each record (not its text)
        collect = (lambda table: reports.extend(reports_of_table(table))) if out else None
        write_chunks(self.chunks(paths, settings, stats), writer, on_reject, on_rows=collect)
        if out:
            write_meetings_beside(out, fmt, reports)
        return stats

    def write_dataset(self, paths: Iterable[str | Path], out: str | Path, settings: Settings,
                      on_reject: Callable | None = None) -> tuple[RunStats, bool]:
        """``dataset.write_dataset``: the corpus to the Parquet file or folder ``out``."""
        out = Path(out).resolve()  # one output, however it is named on the command line
        paths = list(paths)
        load.require_paths(paths)  # before the lock, which makes its file (and the output's folder)
        with output_lock(out):
            return self._write_dataset(paths, out, settings, on_reject)

    def _write_dataset(self, paths: list, out: Path, settings: Settings, on_reject) -> tuple[RunStats, bool]:
        from . import scheduler

        folder = is_folder_output(out)
        store = None
        expect_new = False  # files were added since the last run, so workers will likely be needed
        workers = prefetch = None
        if self.cache is not None:
            store = RecordCache(self.cache, fingerprint(settings))
            previous = store.output(str(out))
            # Cheap tests first: the output files as written, the input names (a walk of the
            # folders: an added or removed file ends it there); then the inputs' sizes and mtimes.
            if (previous is not None and len(previous[0].split()) == 2
                    and file_states(output_files(out)) == previous[1]):
                names, full = previous[0].split()
                expect_new = InputDigest.of_names(paths, settings) != names
                if not expect_new and InputDigest.of(paths, settings).full == full:
                    counts = previous[2]
                    stats = RunStats(**{**counts, "reject_reasons": Counter(counts["reject_reasons"])})
                    if on_reject is not None:
                        for r in read_rejects(rejects_path_for(out)):
                            on_reject(r)
                    store.close()
                    return stats, True
        try:
            n_workers = scheduler.worker_count(self.jobs)
            # The first pass here, before new files are handed to workers ahead of the walk: they
            # are cleaned with the corpus's furniture.
            settings, furniture = with_furniture(list(load.discover(paths)), settings, store, n_workers)
            if expect_new and n_workers > 1:
                # A worker at once (it starts while the walks below go on), more if the new files
                # are much work beside the walk, and the new files submitted before the walk.
                workers = scheduler.Workers(settings, 1)
                prefetch = scheduler.Prefetch.plan(store, paths, settings.tuning)
                more = prefetch.workers(n_workers) - 1
                if more:
                    workers.add(more)
                prefetch.submit(workers, settings)
            taxonomy = load_taxonomy(settings.topics_file)
            stats = RunStats()
            digest = InputDigest(settings) if store is not None else None
            if folder:
                writer = FolderWriter(out, taxonomy, output_fingerprint(settings))
                parts = OutputParts(writer.old, settings.tuning.files_per_output_part)
            else:
                writer, parts = RecordWriter(out, "parquet", taxonomy), None
            chunks = self.chunks(paths, settings, stats, out if folder else None, digest=digest, parts=parts,
                                 workers=workers, prefetch=prefetch, furniture=furniture)
            rejects = write_chunks(chunks, writer, on_reject)
            if folder:
                stats.output_parts = (writer.kept, writer.written)
            write_sidecars(out, rejects, stats)
            from ..meetings import write_meetings_beside

            # read back from what was written: a folder's kept parts never passed through this run
            write_meetings_beside(out, "parquet")
            if digest is not None and digest.full is not None:
                files = file_states(output_files(out))
                if files is not None:
                    store.set_output(str(out), f"{digest.names} {digest.full}", files, stats.to_dict())
            return stats, False
        finally:
            if workers is not None:  # iter_chunks shuts them down too, unless it never ran
                workers.shutdown(cancel_futures=True)
            if store is not None:
                store.close()


class DaskEngine(Engine):
    """``--engine dask``: the same per-file function on a Dask cluster.

    First the corpus's furniture is found by tasks on the cluster and handed to every task with
    the settings. Workers run ``worker.process_batch`` on tasks of ``Tuning.files_per_task``
    articles' files, an export alone, a large export in parts of ``Tuning.part_bytes`` (so no
    task's result is large, and its parts run on several workers). The client submits a few
    tasks per worker thread ahead of the one it waits for, receives the results in input order,
    flags duplicates (``Deduplicator``: it needs every earlier article, so it is one sequential
    pass) and writes the output: a folder of Parquet parts, one per task (``TaskParts``), or
    JSONL/CSV, which replace the previous output only once the run has succeeded. Input paths
    must be visible to the workers under the same names (a shared filesystem); with no
    ``scheduler`` a ``LocalCluster`` on this machine is started (``n_workers``)."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, n_workers: int | None = None, **_ignored):
        self.scheduler, self.n_workers = scheduler, n_workers

    def extract(self, paths, settings, *, out, fmt="parquet", on_reject=None):
        if out is None:
            raise ValueError("--engine dask writes files: give -o (a folder for parquet, a file otherwise)")
        stats = RunStats()
        discovered: dict = {}
        load.require_paths(paths)  # before a cluster starts or the output is touched, as the default engine
        if fmt == "parquet" and Path(out).exists() and not Path(out).is_dir():
            raise FileExistsError(f"{out} is a file; --engine dask writes Parquet as a folder of parts "
                                  "(name a folder, or -f jsonl for one file)")
        files = list(load.discover(paths, stats=discovered))
        out_path = Path(out)
        with output_lock(out_path.resolve()):  # as the default engine's: one run writes an output
            with self._client() as (client, submit_many):
                # the corpus's furniture first (settings.with_furniture), as the default engine finds it
                settings, _ = with_furniture(files, settings, submit_many=submit_many)
                taxonomy = load_taxonomy(settings.topics_file)
                if fmt == "parquet":
                    out_path.mkdir(parents=True, exist_ok=True)
                    writer = TaskParts(out_path, taxonomy)
                else:
                    writer = RecordWriter(out_path, fmt, taxonomy)
                chunks = corrected_chunks(self._chunks(client, files, settings, stats), settings, stats)
                rejects = write_chunks(chunks, writer, on_reject)
            stats.ignored = discovered.get("ignored", 0)
            if fmt == "parquet":
                write_sidecars(out_path, rejects, stats)
            from ..meetings import write_meetings_beside

            write_meetings_beside(out_path, fmt)  # from the records written, as the local engine's
        return stats, False

    @contextmanager
    def _client(self):
        """A client of the cluster (started here without a ``scheduler``), and a function that
        runs the first pass's tasks on it with their results in order; shut down on leaving."""
        from dask.distributed import Client, LocalCluster

        cluster = None if self.scheduler else LocalCluster(n_workers=self.n_workers, threads_per_worker=1,
                                                           processes=True, dashboard_address=None)
        client = Client(self.scheduler or cluster)

        def submit_many(fn, tasks, *args):
            return client.gather(client.map(fn, tasks, *[[a] * len(tasks) for a in args], pure=False))

        try:
            yield client, submit_many
        finally:
            _shut_down(client, cluster)

    @staticmethod
    def _chunks(client, files: list[load.InputFile], settings: Settings, stats: RunStats) -> Iterator[Chunk]:
        """The tasks' rows as chunks in input order, duplicates flagged; each task's end marked
        (``part_end``: it is an output part of its own)."""
        from .dupcheck import Deduplicator
        from .scheduler import completed_files
        from .worker import process_batch

        tuning = settings.tuning
        tasks = plan_tasks(files, tuning.files_per_task, part_bytes=tuning.part_bytes, max_bytes=settings.max_bytes)
        deduplicator = Deduplicator(tuning=tuning)
        window: deque = deque()
        while True:
            ahead = max(1, sum(client.nthreads().values())) * tuning.tasks_per_thread  # workers may join
            for task in tasks:  # top the window up
                window.append(client.submit(process_batch, task, settings=settings, pure=False))
                if len(window) > ahead:
                    break
            if not window:
                return
            fut = window.popleft()  # in input order, whatever order they finish in
            batch = fut.result()
            fut.release()
            stats.files += completed_files(batch.files)
            yield from deduplicator.computed(batch, stats)
            yield Chunk(None, [], PartEnd("", "", None))


class TaskParts:
    """The folder output of ``--engine dask``: one part per task (``part-00000.parquet`` on, read
    as one dataset by pandas and pyarrow), written under dot names (which readers skip) and
    given the parts' names once the run has succeeded (``close``), when the previous run's parts
    and the default engine's parts list (it would name parts gone) are removed."""

    def __init__(self, folder: Path, taxonomy: Taxonomy):
        self.folder, self.taxonomy = folder, taxonomy
        self.new_parts: list[Path] = []
        self._writer: RecordWriter | None = None

    def write_chunk(self, chunk: Chunk) -> None:
        if self._writer is None:
            self.new_parts.append(self.folder / f".writing-dask-{os.getpid()}-{len(self.new_parts):05d}.parquet")
            self._writer = RecordWriter(self.new_parts[-1], "parquet", self.taxonomy, in_place=True)
        self._writer.write_table(chunk.table)
        if chunk.part_end is not None:  # a task's last chunk: its part is written, even empty
            self._writer.close()
            self._writer = None

    def close(self) -> None:
        (self.folder / PARTS_MANIFEST).unlink(missing_ok=True)
        final = [self.folder / f"part-{n:05d}.parquet" for n in range(len(self.new_parts))]
        for part, name in zip(self.new_parts, final):
            os.replace(part, name)
        # and a killed run's unfinished parts (dot names, which readers skip)
        for old in {*self.folder.glob("part-*.parquet"), *self.folder.glob(".writing-dask-*.parquet")} - set(final):
            old.unlink()

    def abort(self) -> None:
        """A failed run: what it wrote goes; the previous parts stay as they were."""
        if self._writer is not None:
            self._writer.abort()
        for part in self.new_parts:
            part.unlink(missing_ok=True)


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


ENGINES = Engines()
ENGINES.register("local", LocalEngine)
ENGINES.register("dask", DaskEngine)


def get_engine(name: str, **options) -> Engine:
    """The engine registered as ``name``, made with ``options`` (e.g. ``jobs``, ``cache``,
    ``progress`` for ``local``; ``scheduler`` for ``dask``; each ignores the others')."""
    return ENGINES.get(name, **options)
