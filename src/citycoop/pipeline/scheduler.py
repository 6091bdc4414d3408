"""The walk over a run's input: the pipeline every entry point uses (``iter_chunks``).

Files are looked up in the cache a group at a time; those to extract go to worker processes
(``Workers``) in tasks (``engines.plan_tasks``'s rule), with a bounded number in flight; a
window hands the results on in input order, each through the duplicate check. An incremental
run starts its workers and submits the files the cache has never seen before the walk reaches
them (``Prefetch``); an output part whose files are as the last run met them is kept whole.
"""
from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .. import load
from ..cache import RecordCache, remove_stale
from .chunks import Chunk, RunStats
from .dupcheck import Deduplicator, next_chain
from .engines import Tasks, plan_tasks
from .parts import InputDigest, KeptPart, KeptPartCandidate, OutputParts
from .settings import Settings, Tuning, fingerprint, with_furniture
from .worker import Batch, process_batch, start_worker

if TYPE_CHECKING:
    from ..furniture import CorpusFurniture


class Prefetch:
    """Files the cache has never seen, extracted ahead of the walk. When files were added since
    the last run (the new ones often come last, in a folder of their own), the walk through
    the unchanged files before them took about as long as extracting them: a +1% run at
    20 000 met them 0.36 s in, and its workers then took 0.2 s more. Submitted when the run
    starts, they are extracted meanwhile; when the walk meets them, ``take`` hands on their
    rows from those tasks, file by file, whatever tasks the walk would have made. With
    ``workers`` this took the +1% run from 0.68 to 0.625 s at 20 000 (four alternating pairs
    of four runs) and from 1.78–2.18 to 1.66–1.82 s at 100 000."""

    def __init__(self, files: list[load.InputFile], n_new: int, n_known: int, tuning: Tuning = Tuning()):
        self.files = files  # to extract ahead: the first ``tuning.prefetch_files`` new files
        self.n_new, self.n_known = n_new, n_known
        self.tuning = tuning
        self._at: dict[str, tuple] = {}  # path → (future, index of the file in its task)

    @classmethod
    def plan(cls, store: RecordCache, paths: list, tuning: Tuning) -> Prefetch:
        """Walk ``paths`` for the files ``store`` has no entry for (an export larger than
        ``tuning.part_bytes`` is left to the walk, which splits it)."""
        roots = [Path(p).resolve() for p in paths]
        known = store.known_under([str(r if r.is_dir() else r.parent) for r in roots])
        files: list[load.InputFile] = []
        n_new = n_known = 0
        for f in load.discover(paths):
            if store.is_known(f, known):
                n_known += 1
                continue
            n_new += 1
            if len(files) < tuning.prefetch_files and not (load.is_export(f.path)
                                                           and file_size(f.path) > tuning.part_bytes):
                files.append(f)
        return cls(files, n_new, n_known, tuning)

    def workers(self, jobs: int) -> int:
        """As many workers as keep up with the walk, at most ``jobs``: each one started costs
        about 0.17 s of a core (trafilatura's import and the extractor) that the walk needs
        too on a 2-core machine. A +1% run at 20 000 (200 new files) took 0.63–0.68 s with
        one worker against 0.68–0.78 s with two; at 100 000 (1 000), 1.66–1.88 s against
        2.0–2.25 s."""
        return max(1, min(jobs, -(-self.n_new * self.tuning.extract_vs_walk // max(1, self.n_known))))

    def submit(self, pool, settings: Settings) -> None:
        """Submit the files in tasks as the walk makes them (``engines.plan_tasks``; an export
        here is small enough to be one task)."""
        for task in plan_tasks(self.files, settings.tuning.batch_files):
            self._submit(pool, task, settings)
        self.files = []

    def _submit(self, pool, files: list[load.InputFile], settings: Settings) -> None:
        # No spill folder: these tasks are small (one small export at most), and their rows
        # are sliced per file when taken.
        future = pool.submit(process_batch, files, settings, None)
        for i, f in enumerate(files):
            self._at[f.path] = (future, i)

    def take(self, files: list[load.InputFile]) -> list[tuple[list[load.InputFile], object]]:
        """``files`` (consecutive) as runs in order, each with a future-like of its Batch made
        from prefetched rows, or None (not prefetched: to submit as usual)."""
        runs: list[tuple[list[load.InputFile], list | None]] = []
        for f in files:
            at = self._at.pop(f.path, None) if f.part is None else None
            if runs and (runs[-1][1] is None) == (at is None):
                runs[-1][0].append(f)
                if at is not None:
                    runs[-1][1].append(at)
            else:
                runs.append(([f], None if at is None else [at]))
        return [(run, None if at is None else PrefetchedBatch(run, at)) for run, at in runs]


class PrefetchedBatch:
    """The Batch of some prefetched files, as a future: done when their tasks are, its rows
    sliced from those tasks' tables in the files' order."""

    def __init__(self, files: list[load.InputFile], at: list[tuple]):
        self.files, self._at = files, at

    def done(self) -> bool:
        return all(future.done() for future, _ in self._at)

    def result(self) -> Batch:
        import pyarrow as pa

        tables, n_rows, rejects, keys = [], [], [], []
        for future, i in self._at:
            batch = future.result()
            start = sum(batch.n_rows[:i])
            if batch.n_rows[i]:
                tables.append(batch.table.slice(start, batch.n_rows[i]))
            n_rows.append(batch.n_rows[i])
            rejects.append(batch.rejects[i])
            keys.append(batch.keys[i])
        return Batch(self.files, pa.concat_tables(tables) if tables else None, n_rows, rejects, keys)


def worker_count(jobs: int) -> int:
    """Worker processes for ``jobs`` (0 = all cores; 1 = none: the work runs in this process)."""
    return (os.cpu_count() or 1) if jobs == 0 else max(1, jobs)


class Workers:
    """Worker processes: ``n`` forked now, more with ``add``. Each imports trafilatura and builds
    its extractor (≈ 0.17 s of a core) while the caller goes on, so a run that expects files to
    extract (added since the last run) starts a worker as soon as it knows, not when it meets
    the first such file, and more once it knows how many files are new. A ProcessPoolExecutor
    forks all its processes at once, hence a pool per start; a task goes to the pool with the
    fewest tasks waiting per process."""

    def __init__(self, settings: Settings, n: int):
        self.settings = settings
        self._pools: list[list] = []  # [executor, processes, futures maybe not done]
        self.add(n)

    def add(self, n: int) -> None:
        from concurrent.futures import ProcessPoolExecutor

        import numpy  # noqa: F401  (the workers need them too: imported once, before the fork)
        import pyarrow  # noqa: F401

        pool = ProcessPoolExecutor(max_workers=n, initializer=start_worker, initargs=(self.settings, os.getpid()))
        pool.submit(int)  # a forked pool starts its processes at its first task
        self._pools.append([pool, n, []])

    def submit(self, fn, *args):
        for entry in self._pools:
            entry[2] = [f for f in entry[2] if not f.done()]
        entry = min(self._pools, key=lambda e: len(e[2]) / e[1])
        future = entry[0].submit(fn, *args)
        entry[2].append(future)
        return future

    def shutdown(self, cancel_futures: bool = True) -> None:
        for entry in self._pools:
            entry[0].shutdown(cancel_futures=cancel_futures)

    def terminate(self) -> None:
        """End the workers now, their tasks unfinished (the run is stopped: Ctrl-C)."""
        terminate_pool_processes([entry[0] for entry in self._pools])
        self._pools = []


def terminate_pool_processes(pools) -> None:
    """End ProcessPoolExecutors' processes at once, not after their running tasks."""
    for pool in pools:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)


def iter_chunks(paths: Iterable[str | Path], settings: Settings | None = None, *, jobs: int = 1,
                cache: str | Path | None = None, stats: RunStats | None = None,
                progress: bool = False, digest: InputDigest | None = None,
                parts: OutputParts | None = None, workers=None, prefetch: Prefetch | None = None,
                furniture: CorpusFurniture | None = None) -> Iterator[Chunk]:
    """The corpus as Arrow chunks in input order: the pipeline every entry point uses.

    ``jobs`` worker processes (0 = all cores) share the per-file work in tasks of a few files,
    with a bounded number in flight, so neither tasks nor results pile up; ``cache`` (a folder)
    lets an unchanged file skip reading, cleaning and extraction. The duplicate check runs here,
    in the one process that sees every article, in input order (first seen wins).
    ``digest`` is fed every input file's name, size and mtime as the run meets them (before
    they are read). ``workers``: ``Workers`` the caller started before the first file to
    extract is met (a run that expects new files, which may come last), and ``prefetch`` the
    new files they were given ahead of the walk; they are shut down when the run ends. With
    ``parts`` (a folder output), a chunk with ``part_end`` set closes each output part; the
    rows of a part the last run wrote as it is now are not read (``kept``). A part whose files all have the names,
    sizes and mtimes the last run met, after the same files before it, is kept without a cache
    look-up per file (``KeptPartCandidate``): an incremental run's cost is then mostly the walk
    and a ``stat`` per unchanged file.

    First a pass over the corpus finds its furniture, lines repeated across many stories
    (``furniture.scan_corpus``; a file's scan is cached), unless the caller did (``furniture``,
    with ``settings.furniture`` set from it). A file's cache key is its bytes' hash plus a digest
    of the furniture lines it holds: when the corpus grows, only the files whose furniture
    changed are extracted again.
    """
    settings = settings or Settings()
    tuning = settings.tuning
    stats = stats if stats is not None else RunStats()
    jobs = worker_count(jobs)
    paths = list(paths)
    discover_stats: dict = {}
    files = list(load.discover(paths, stats=discover_stats))
    store = RecordCache(cache, fingerprint(settings)) if cache else None
    if furniture is None:
        settings, furniture = with_furniture(files, settings, store, jobs)
    key_suffix = furniture.suffix if len(furniture.hashes) else None
    deduplicator = Deduplicator(store, parts, key_suffix, tuning)
    ends_part = parts.ends_part if parts is not None else None
    # Whole parts can be kept only with a cache (which holds their rows for the duplicate index)
    # and a manifest that says what the parts held.
    skippable = store is not None and parts is not None and any(p.summary for p in parts.old.values())
    predicted: str | None = ""  # the chain after the files scheduled so far; None: not known yet
    bar = None
    if progress:
        from tqdm import tqdm

        # In bytes, not files: one large export is most of some corpora, and its parts show.
        total = sum(file_size(f.path) for f in load.discover(paths))
        bar = tqdm(total=total, unit="B", unit_scale=True, file=sys.stderr, desc="extract", leave=False)
    pool = workers  # else started at the first file to extract: a cached run needs no workers
    window: deque = deque()  # (files, Batch | None, future | None, cache entries | None)
    max_in_flight = jobs * 4

    spill_dir = None  # a folder for large tasks' rows (see Tuning.spill_rows), made when first needed

    def spill_folder() -> str:
        nonlocal spill_dir
        if spill_dir is None:
            import tempfile

            # Beside the cache when there is one: on disk, where /tmp may be memory (tmpfs).
            if cache:
                remove_stale(Path(cache), "spill-*/")  # a killed run's spill folder
            spill_dir = tempfile.TemporaryDirectory(prefix="spill-" if cache else "citycoop-spill-",
                                                    dir=cache if cache else None)
        return spill_dir.name

    def submit(batch_files: list[load.InputFile]) -> None:
        nonlocal pool, queued, futures
        queued += len(batch_files)
        if jobs == 1:
            window.append((batch_files, process_batch(batch_files, settings, spill_folder()), None, None))
            return
        if pool is None:
            import trafilatura  # noqa: F401  (once here, not once per worker: measured no slower)

            pool = Workers(settings, jobs)
        for run, ready in prefetch.take(batch_files) if prefetch is not None else [(batch_files, None)]:
            task = ready if ready is not None else pool.submit(process_batch, run, settings, spill_folder())
            window.append((run, None, task, None))
            futures += 1

    queued = 0  # files in the window
    futures = 0  # worker tasks in the window

    def drain(final: bool = False) -> Iterator[Chunk]:
        """Hand on the window's head while it is ready. A cached head also waits until
        ``lookahead_files`` are queued behind it, so new files further on are already being
        extracted while the parent copies cached rows (incremental runs)."""
        nonlocal queued, futures
        while window:
            head_batch, fut, head_entries = window[0][1], window[0][2], window[0][3]
            if not (final or futures > max_in_flight  # bounded: wait for the head
                    or head_batch is not None  # extracted in this process (jobs=1): ready
                    or (fut is not None and fut.done()) or (fut is None and queued > tuning.lookahead_files)
                    or isinstance(head_entries, KeptPart)):
                return
            batch_files, batch, fut, entries = window.popleft()
            if isinstance(entries, KeptPart):
                stats.cached_files += entries.n_files
                yield from deduplicator.kept_part(entries.old, stats)
                stats.files += entries.n_files
                if bar is not None:
                    bar.update(entries.n_bytes)
                continue
            queued -= len(batch_files)
            futures -= fut is not None
            if entries is not None:  # from the cache
                stats.cached_files += len(batch_files)
                yield from deduplicator.cached(batch_files, entries, stats)
            else:
                if fut is not None and not fut.done():  # to be checked: index cached rows meanwhile
                    deduplicator.index_cached_rows()
                yield from deduplicator.computed(batch if fut is None else fut.result(), stats)
            stats.files += completed_files(batch_files)
            if bar is not None:
                bar.update(_bytes_covered(batch_files))

    def queue_cached(hits: list[tuple[load.InputFile, object]]) -> None:
        window.append(([h[0] for h in hits], None, None, [h[1] for h in hits]))

    def queue_kept(candidate: KeptPartCandidate) -> None:
        if digest is not None:
            for name, state in candidate.records:
                digest.add_digested(name, state)
        store.mark_seen(candidate.files)
        window.append(([], None, None, KeptPart(candidate.old, len(candidate.files), candidate.n_bytes)))

    def schedule(group: list[load.InputFile]) -> Iterator[Chunk]:
        nonlocal queued, predicted
        entries = store.lookup(group) if store is not None else [None] * len(group)
        if key_suffix is not None:  # cached with other furniture lines: extracted again
            entries = [None if e is None or e.key != e.key.partition(":")[0] + key_suffix(f.path) else e
                       for f, e in zip(group, entries)]
        elif store is not None:
            entries = [None if e is None or ":" in e.key else e for e in entries]
        queued += sum(e is not None for e in entries)
        # A task or cached run never spans two output parts. An export is a task of its own, or
        # several (one per part of a large one, when there are workers to share them): it may
        # hold thousands of articles, and batched with others it would keep them all on one
        # core (12 exports of 5 000 articles had run on one worker while the other idled).
        tasks = Tasks(tuning.batch_files, part_bytes=tuning.part_bytes if jobs > 1 else None,
                      max_bytes=settings.max_bytes, ends_part=ends_part)
        hits: list[tuple[load.InputFile, object]] = []
        for f, entry in zip(group, entries):
            if digest is not None:
                digest.add(f, entry)
            if skippable and predicted is not None:  # as the duplicate check will advance it
                predicted = None if entry is None else next_chain(predicted, f, entry.key)
            if entry is None:
                if hits:
                    queue_cached(hits)
                    hits = []
                for task in tasks.add(f):  # a large export's parts are found as they are submitted
                    submit(task)
                    yield from drain()
            else:
                for task in tasks.flush():
                    submit(task)
                hits.append((f, entry))
                if ends_part is not None and ends_part(f):
                    queue_cached(hits)
                    hits = []
            yield from drain()
        if hits:
            queue_cached(hits)
        for task in tasks.flush():
            submit(task)
        yield from drain()

    try:
        group: list[load.InputFile] = []
        candidate: KeptPartCandidate | None = None
        part_starts = True  # the next file begins an output part
        for f in files:
            if part_starts and skippable and predicted is not None:
                if group:  # scheduled first: ``predicted`` is then the chain this part starts at
                    yield from schedule(group)
                    group = []
                old = parts.old.get(predicted) if predicted is not None else None
                candidate = KeptPartCandidate(old, key_suffix) if old is not None and old.summary else None
            part_starts = ends_part is not None and ends_part(f)
            if candidate is not None:
                as_before = candidate.add(f)
                if as_before and not part_starts:
                    continue
                if as_before and candidate.holds(store):
                    queue_kept(candidate)
                    predicted = candidate.old.end
                    candidate = None
                    yield from drain()
                    continue
                group += candidate.files  # not the old part: its files go the usual way
                candidate = None
            else:
                group.append(f)
            if len(group) >= tuning.lookup_files or (part_starts and skippable and predicted is not None):
                yield from schedule(group)
                group = []
        if candidate is not None:  # the input ended inside it: it is not the old part
            group += candidate.files
        if group:
            yield from schedule(group)
        yield from drain(final=True)
        yield from deduplicator.finish(stats)
        stats.ignored = discover_stats.get("ignored", 0)
        if store is not None:  # the run is complete: what it did not meet under its folders is gone
            store.forget_unseen([str(Path(p).resolve()) for p in paths if Path(p).is_dir()])
        if digest is not None:
            digest.finish(stats.ignored)
    except KeyboardInterrupt:  # the run is stopped: its workers' tasks are not waited for
        if pool is not None:
            pool.terminate()
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if bar is not None:
            bar.close()
        if store is not None:
            store.close()
        if spill_dir is not None:
            spill_dir.cleanup()


def completed_files(files: list[load.InputFile]) -> int:
    """How many files a task's list completes: a part counts with the last of its file."""
    return sum(f.part is None or f.part.last for f in files)


def file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _bytes_covered(files: list[load.InputFile]) -> int:
    """The input bytes a task's files span (a part: from its start, or the file's start for
    the first part, to its stop or the file's end), for the progress bar."""
    covered = 0
    for f in files:
        part = f.part
        start = part.start if part is not None and part.index else 0
        stop = part.stop if part is not None and part.stop is not None else file_size(f.path)
        covered += stop - start
    return covered


