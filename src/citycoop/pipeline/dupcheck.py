"""The duplicate check, in input order (first seen wins), reusing the cache's decisions.

``Deduplicator`` takes a run's batches (extracted now) and cached files' entries in input
order and hands on their rows as ``Chunk``s with ``duplicate_of`` set, counting them; for a
folder output it also closes each output part, keeping a part the last run wrote when its
files and decisions are unchanged.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from .. import load
from ..models import Reject
from .chunks import Chunk, RunStats
from .parts import InputDigest, OldPart, OutputParts, PartEnd, suffix_bytes
from .settings import Tuning

if TYPE_CHECKING:
    from ..cache import RecordCache
    from .worker import Batch


def next_chain(chain: str, f: load.InputFile, key: str) -> str:
    """The duplicate check's chain hash after file ``f`` (``key``: the hash of its bytes)."""
    return hashlib.blake2b(f"{chain}\0{f.path}\0{f.id}\0{key}".encode(), digest_size=12).hexdigest()


def _append_run(runs: list[list], segment: str, start: int, n: int, dup_rows: Iterable[int]) -> None:
    """Add cached rows [start, start + n) of a segment (``dup_rows``: those that are duplicates)
    to a list of such runs, joined to the last one when they follow it."""
    last = runs[-1] if runs else None
    if last and last[0] == segment and last[1] + last[2] == start:
        last[2] += n
        last[3].extend(dup_rows)
    else:
        runs.append([segment, start, n, list(dup_rows)])


class _PartsSoFar(NamedTuple):
    """What the parts of one export handed on so far gave: their rows, rejects and duplicates
    (row numbers counted over the file), and whether each found the file as it was split."""

    n_rows: int
    rejects: list[dict]
    dups: list[list]
    unchanged: bool


class Deduplicator:
    """The run's duplicate check, in input order (first seen wins), reusing cached decisions.

    A file's stored decisions still hold when everything before it in this run is what was
    before it when they were made; a chain hash over (path, id, bytes) of every earlier file
    proves that. So a re-run over an unchanged corpus verifies nothing and builds no index;
    at the first file that needs checking, the cached rows before it go into the index in bulk
    (``DuplicateIndex.replay``) and checking goes on as in a cold run.

    With ``parts`` (a folder output) it also closes each output part (``PartEnd``). A part
    whose chains before and after are those of a part the last run wrote holds the same files
    with the same decisions, so the same rows: while a part may turn out so, its cached files'
    rows are not read; they are read after all if it does not (a file not cached, a decision
    checked again, or another end).
    """

    def __init__(self, store: RecordCache | None = None, parts: OutputParts | None = None, key_suffix=None,
                 tuning: Tuning = Tuning()):
        self._key_suffix = key_suffix  # path → its furniture digest, added to its cache key
        self.tuning = tuning
        self._index = None  # made at the first check: a pure re-run never needs it (nor numpy)
        self.store = store
        self.chain = ""
        # cached rows not in the index yet, as (segment, first row, rows, duplicate rows) runs
        self._not_indexed: list[list] = []
        self._export: _PartsSoFar | None = None  # the parts of an export handed on so far
        self.parts = parts
        self._part_start = ""  # the chain where the current output part began
        self._in_part = False  # a file since then
        self._may_keep = self._old_part_from("")
        self._unread: list[list] = []  # cached files' entries whose rows wait on _may_keep
        self._unread_rows = 0
        self._new_part_summary()

    def _new_part_summary(self) -> None:
        """Start collecting the current output part's ``PartEnd.summary``."""
        self._part_files = 0
        self._part_inputs = hashlib.blake2b(digest_size=16)
        self._part_runs: list[list] | None = [] if self.store is not None and self.parts is not None else None
        self._part_dups = self._part_near = 0

    def _part_file(self, f: load.InputFile, size: int, mtime_ns: int) -> None:
        if self._part_runs is not None:
            self._part_files += 1
            self._part_inputs.update(b"".join(InputDigest.name_and_state(f, size, mtime_ns))
                                     + suffix_bytes(self._key_suffix, f))

    def _count_duplicates(self, stats: RunStats, n: int, near: int) -> None:
        """``n`` duplicates (``near`` of them near copies): in the run's counts and the part's."""
        stats.duplicates += n
        stats.near_duplicates += near
        self._part_dups += n
        self._part_near += near

    def _part_rows(self, segment: str, start: int, n_rows: int, dups: Iterable) -> None:
        """The part's next rows, where they are in the cache; ``dups``: (row in file, …) each."""
        if self._part_runs is not None and n_rows:
            _append_run(self._part_runs, segment, start, n_rows, [start + d[0] for d in dups])

    @property
    def index(self):
        if self._index is None:
            from ..dedup import DuplicateIndex

            self._index = DuplicateIndex()
        return self._index

    def _advance(self, f: load.InputFile, key: str | None) -> str:
        before = self.chain
        if key is None:  # bytes unknown: nothing after this file can be proven unchanged
            import uuid

            key = uuid.uuid4().hex
        self.chain = next_chain(before, f, key)
        return before

    def computed(self, batch: Batch, stats: RunStats) -> Iterator[Chunk]:
        """A worker's batch checked and cached, as chunks of at most ``chunk_rows`` rows. The parts
        of a large export (``load.split_export``) come as consecutive batches: the file is
        recorded in the cache, as one file, with its last part."""
        yield from self._read_unread(stats)
        self._may_keep = None  # extracted rows are handed on: the old part is rewritten
        rows = _FileRows(batch.n_rows)

        def check_and_cache(table) -> list[str | None]:
            dup_of = self._check(table, rows, stats)
            if self.store is not None:
                self.store.add_rows(table)
            return dup_of

        yield from _chunks(batch.tables(self.tuning.chunk_rows), batch.rejects, check_and_cache, stats)
        files, n_rows, rejects, dups = batch.files, batch.n_rows, batch.rejects, rows.dups
        part = files[0].part
        keys = batch.keys
        if part is not None:  # a task has one part and nothing else
            before = self._export if part.index else _PartsSoFar(0, [], [], True)
            so_far = self._export = _PartsSoFar(
                before.n_rows + n_rows[0], before.rejects + rejects[0],
                before.dups + [[i + before.n_rows, first, near] for i, first, near in dups[0]],
                before.unchanged and keys[0] is not None)
            if not part.last:
                self._in_part = True
                return
            self._export = None
            files = [files[0]._replace(part=None)]
            n_rows, rejects, dups = [so_far.n_rows], [so_far.rejects], [so_far.dups]
            keys = keys if so_far.unchanged else [None]  # changed while read: not cached
        if self._key_suffix is not None:  # the records hold for these bytes and this furniture
            keys = [k if k is None else k + self._key_suffix(f.path) for f, k in zip(files, keys)]
        chains = [self._advance(f, k) for f, k in zip(files, keys)]
        if self.store is not None:
            where = self.store.add_files(files, n_rows, keys, rejects, chains, dups)
            for f, rows_at, file_dups in zip(files, where, dups):
                if rows_at is None:  # not cached: the part cannot be kept without reading it
                    self._part_runs = None
                else:
                    self._part_file(f, rows_at.size, rows_at.mtime_ns)
                    self._part_rows(rows_at.segment, rows_at.start, rows_at.n_rows, file_dups)
        yield from self._after(files[-1], stats)

    def cached(self, files: list[load.InputFile], entries: list, stats: RunStats) -> Iterator[Chunk]:
        """Cached files' rows as chunks of at most ``chunk_rows`` rows, with their stored duplicate
        decisions while everything before them is unchanged, checked again otherwise."""
        chains = [self._advance(f, e.key) for f, e in zip(files, entries)]
        rejects = [list(e.rejects) for e in entries]
        for f, e in zip(files, entries):
            self._part_file(f, e.size, e.mtime_ns)
        if any(e.chain != c for e, c in zip(entries, chains)):
            yield from self._read_unread(stats)
            self._may_keep = None  # decisions checked again: the part is written anew
            rows = _FileRows([e.n_rows for e in entries])
            yield from _chunks(self.store.iter_rows(entries, self.tuning.chunk_rows), rejects,
                               lambda table: self._check(table, rows, stats), stats)
            self.store.set_decisions([(f, c, d) for f, e, c, d in zip(files, entries, chains, rows.dups)
                                      if (e.chain, list(map(list, e.dups))) != (c, d)])
            for e, file_dups in zip(entries, rows.dups):
                self._part_rows(e.segment, e.start, e.n_rows, file_dups)
            yield from self._after(files[-1], stats)
            return
        for e in entries:
            for _, _, near in e.dups:
                self._count_duplicates(stats, 1, near)
        for e in entries:  # indexed only if a later file needs checking (a pure re-run: never)
            if e.n_rows:
                _append_run(self._not_indexed, e.segment, e.start, e.n_rows, [e.start + i for i, _, _ in e.dups])
                self._part_rows(e.segment, e.start, e.n_rows, e.dups)
        if self._may_keep is not None:  # rows read only if the part is not kept after all
            self._unread.append(entries)
            self._unread_rows += sum(e.n_rows for e in entries)
            yield _chunk(None, rejects, [], stats)
        else:
            yield from self._stored_rows(entries, rejects, stats)
        yield from self._after(files[-1], stats)

    def _stored_rows(self, entries: list, rejects: list[list[dict]], stats: RunStats) -> Iterator[Chunk]:
        """Cached files' rows with their stored duplicate decisions."""
        first_copy: dict[int, str] = {}  # row (counted over these files) → id of the earlier copy
        offset = 0
        for e in entries:
            for i, first, _ in e.dups:
                first_copy[offset + i] = first
            offset += e.n_rows
        done = 0  # rows of earlier tables

        def stored_decisions(table) -> list[str | None]:
            nonlocal done
            start, done = done, done + table.num_rows
            return [first_copy.get(start + i) for i in range(table.num_rows)]

        yield from _chunks(self.store.iter_rows(entries, self.tuning.chunk_rows), rejects, stored_decisions, stats)

    def _read_unread(self, stats: RunStats) -> Iterator[Chunk]:
        """The rows held back for a part that is not kept after all (their rejects went on)."""
        for entries in self._unread:
            for chunk in self._stored_rows(entries, [], stats):
                if chunk.table is not None:
                    yield chunk
        self._unread.clear()
        self._unread_rows = 0

    def _after(self, f: load.InputFile, stats: RunStats) -> Iterator[Chunk]:
        """After a task's or cached run's files (``f`` the last): close the output part if
        it ends here."""
        self._in_part = True
        if self.parts is not None and self.parts.ends_part(f):
            yield from self._end_part(stats)

    def finish(self, stats: RunStats) -> Iterator[Chunk]:
        """At the end of the input: close the last output part."""
        if self.parts is not None and self._in_part:
            yield from self._end_part(stats)

    def _end_part(self, stats: RunStats) -> Iterator[Chunk]:
        kept = self._may_keep
        if kept is not None and kept.end == self.chain:
            stats.records += self._unread_rows  # counted here, as they are not handed on
            stats.articles += self._unread_rows
            self._unread.clear()
            self._unread_rows = 0
        else:
            kept = None
            yield from self._read_unread(stats)
        summary = None
        if self._part_runs is not None:
            summary = {"files": self._part_files, "inputs": self._part_inputs.hexdigest(), "runs": self._part_runs,
                       "duplicates": self._part_dups, "near_duplicates": self._part_near}
        yield Chunk(None, [], PartEnd(self._part_start, self.chain, kept, summary))
        self._next_part()

    def _next_part(self) -> None:
        self._part_start, self._in_part = self.chain, False
        self._may_keep = self._old_part_from(self.chain)
        self._new_part_summary()

    def kept_part(self, old: OldPart, stats: RunStats) -> Iterator[Chunk]:
        """An output part kept whole (``KeptPartCandidate``): its files and everything before
        them are as the last run met them, so its rows, decisions and rejects are the ones it
        recorded. Nothing of it is looked up or read; its rows join the duplicate index only if
        a later file needs checking."""
        if self.chain != old.start or self._in_part:
            raise RuntimeError("a kept output part must start where the duplicate check stands")
        summary = old.summary
        for segment, start, n_rows, dup_rows in summary["runs"]:
            _append_run(self._not_indexed, segment, start, n_rows, dup_rows)
        stats.duplicates += summary["duplicates"]
        stats.near_duplicates += summary["near_duplicates"]
        stats.records += old.rows
        stats.articles += old.rows
        chunk = _chunk(None, [summary["rejects"]], [], stats)
        self.chain = old.end
        chunk.part_end = PartEnd(old.start, old.end, old, summary)
        yield chunk
        self._next_part()

    def _old_part_from(self, chain: str) -> OldPart | None:
        """The part the last run wrote from this chain on: kept if the run reaches its end
        with cached files only (without a cache, nothing is)."""
        return self.parts.old.get(chain) if self.parts is not None and self.store is not None else None

    def index_cached_rows(self) -> None:
        """Put the rows whose decisions came from the cache into the index, in bulk (in blocks
        of up to ``replay_rows``: each block is one merge into the index's sorted arrays). Only the
        three columns the index needs are read back. Done at the first check, or earlier while
        the parent waits for a worker's rows (which will be checked)."""
        if not self._not_indexed:
            return
        import numpy as np

        from ..dedup import NUM_PERM

        replay_rows = self.tuning.replay_rows
        ids, hashes, sigs, is_dup = [], [], [], []
        rows = 0
        for segment, start, n, dup_rows in self._not_indexed:
            is_dup_row = np.zeros(n, bool)
            is_dup_row[np.asarray(dup_rows, np.int64) - start] = True
            for piece_start in range(start, start + n, replay_rows):  # a large export: in pieces
                piece = min(replay_rows, start + n - piece_start)
                table = self.store.segment_rows(segment, piece_start, piece, ["id", "content_hash", "_sig"])
                ids += table.column("id").to_pylist()
                hashes += table.column("content_hash").to_pylist()
                sig = table.column("_sig").combine_chunks()  # fixed-size binary: one data buffer
                data = np.frombuffer(sig.buffers()[1], np.uint32)
                sigs.append(data[sig.offset * NUM_PERM:(sig.offset + len(sig)) * NUM_PERM].reshape(-1, NUM_PERM))
                is_dup.append(is_dup_row[piece_start - start:piece_start - start + piece])
                rows += piece
                if rows >= replay_rows:
                    self.index.replay(ids, hashes, np.concatenate(sigs), np.concatenate(is_dup))
                    ids, hashes, sigs, is_dup, rows = [], [], [], [], 0
        if ids:
            self.index.replay(ids, hashes, np.concatenate(sigs), np.concatenate(is_dup))
        self._not_indexed.clear()

    def _check(self, table, rows: "_FileRows", stats: RunStats) -> list[str | None]:
        """Check every row of ``table`` (the next rows of ``rows``' files); returns per row the
        id of the earlier copy or None, and notes the duplicates in ``rows.dups``."""
        if self._not_indexed:
            self.index_cached_rows()
        if table is None or not table.num_rows:
            return []
        ids = table.column("id").to_pylist()
        hashes = table.column("content_hash").to_pylist()
        sigs = table.column("_sig").to_pylist()
        dup_of: list[str | None] = [None] * len(ids)
        for i, (first, near) in enumerate(self.index.check_many(ids, hashes, sigs)):
            if first is not None:
                dup_of[i] = first
                rows.note(i, first, near)
                self._count_duplicates(stats, 1, near)
        rows.advance(len(ids))
        return dup_of


class _FileRows:
    """Which of a batch's files each row belongs to, as the rows come in pieces; collects per
    file its duplicates as [row in file, id of the earlier copy, near?]."""

    def __init__(self, n_rows: list[int]):
        self.n_rows = n_rows
        self.dups: list[list] = [[] for _ in n_rows]
        self.done = 0  # rows of earlier pieces
        self.file_no = 0
        self.file_start = 0  # first row of file file_no

    def note(self, i: int, first: str, near: bool) -> None:
        row = self.done + i
        while row >= self.file_start + self.n_rows[self.file_no]:
            self.file_start += self.n_rows[self.file_no]
            self.file_no += 1
        self.dups[self.file_no].append([row - self.file_start, first, int(near)])

    def advance(self, n: int) -> None:
        self.done += n


def _chunks(tables: Iterable, rejects: list[list[dict]], dup_of, stats: RunStats) -> Iterator[Chunk]:
    """Consecutive files' rows as one chunk per table, ``dup_of(table)`` giving its
    duplicate_of column; the files' rejects go with the first chunk (alone if there are no rows)."""
    no_rows = True
    for table in tables:
        yield _chunk(table, rejects if no_rows else [], dup_of(table), stats)
        no_rows = False
    if no_rows:
        yield _chunk(None, rejects, [], stats)


def _chunk(table, rejects: list[list[dict]], dup_of: list[str | None], stats: RunStats) -> Chunk:
    """Rows of consecutive files with their duplicate_of column, counted; signatures dropped."""
    flat_rejects = [Reject(**r) for file_rejects in rejects for r in file_rejects]
    stats.rejects += len(flat_rejects)
    stats.articles += len(flat_rejects)
    for r in flat_rejects:
        stats.reject_reasons[r.reason] += 1
    if table is None or not table.num_rows:
        return Chunk(None, flat_rejects)
    import pyarrow as pa  # here: a run that keeps every part needs no pyarrow

    stats.records += table.num_rows
    stats.articles += table.num_rows
    col = table.schema.get_field_index("duplicate_of")
    table = table.set_column(col, "duplicate_of", pa.array(dup_of, pa.string()))
    return Chunk(table.drop_columns(["_sig"]), flat_rejects)


