"""Records to JSONL, CSV or Parquet files (or a stream), written whole or not at all.

``RecordWriter`` takes flat rows a chunk at a time (or one nested record), so an output never
sits in memory, and replaces the output's file only once it is complete; ``write_rejects``
and ``read_rejects`` are the rejects file's two sides.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import os
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..fsio import make_parent, whole_file, writing_path
from ..models import Reject
from ..records import flat_columns, flat_row, parquet_schema, record_from_row

if TYPE_CHECKING:
    from ..extract.topics import Taxonomy


class RecordWriter:
    """Streams records to JSONL, CSV or Parquet (row groups), so output never sits in memory.
    ``write_table`` takes a chunk of flat rows (Arrow), ``write`` one nested record.

    A file output is written beside its name, under a dot name (dataset readers skip it), and
    renamed over it by ``close``; ``abort`` removes it. So a run that fails or is stopped (a
    mistyped input, Ctrl-C an hour in) leaves the previous output whole, never an empty or
    truncated file in its place. ``in_place``: the caller names its own temporary file."""

    def __init__(self, out: io.TextIOBase | str | Path, fmt: str, taxonomy: Taxonomy,
                 row_group: int = 8192, *, in_place: bool = False):
        self.fmt, self.taxonomy, self.row_group = fmt, taxonomy, row_group
        self._tables: list = []
        self._rows = 0
        self._parquet = None
        self._own = None
        self._target = self._path = None
        if isinstance(out, (str, Path)):
            self._target = Path(out)
            make_parent(self._target)
            self._path = self._target if in_place else writing_path(self._target)
        if fmt == "parquet":
            if self._path is None:
                raise ValueError("Parquet output needs a file path (-o FILE)")
        else:
            if self._path is not None:
                self._own = open(self._path, "w", encoding="utf-8", newline="")
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
            import pyarrow as pa

            self.write_table(pa.Table.from_pylist([flat_row(record, self.taxonomy.ids)],
                                                  schema=parquet_schema(self.taxonomy)))

    def write_chunk(self, chunk) -> None:
        """A pipeline ``Chunk``'s rows (its rejects are the caller's; a part end means nothing
        to one file)."""
        self.write_table(chunk.table)

    def write_table(self, table) -> None:
        if table is None:
            return
        if self.fmt == "jsonl":
            ids = self.taxonomy.ids
            self._fh.writelines(json.dumps(record_from_row(row, ids), ensure_ascii=False) + "\n"
                                for row in table.to_pylist())
        elif self.fmt == "csv":
            self._csv.writerows(table.to_pylist())
        else:
            self._tables.append(table)
            self._rows += table.num_rows
            if self._rows >= self.row_group:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        """Hand the buffered rows to a writer thread as one row group. Encoding and zstd run in
        Arrow's C++ without the GIL, so the pipeline goes on meanwhile (≈ 0.15 s per 20 000
        articles taken off the serial path); one row group at most waits, so memory stays bounded."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._parquet is None:
            from concurrent.futures import ThreadPoolExecutor

            self._parquet = pq.ParquetWriter(self._path, parquet_schema(self.taxonomy), compression="zstd")
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet")
            self._pending = None
            # Worker processes are forked: never while this thread is inside Arrow's writer.
            os.register_at_fork(before=functools.partial(_wait_for_pending, weakref.ref(self)))
        if self._tables:
            table, rows = pa.concat_tables(self._tables), max(self.row_group, self._rows)
            if self._pending is not None:
                self._pending.result()  # raises what the writer raised
            self._pending = self._thread.submit(self._parquet.write_table, table, row_group_size=rows)
        self._tables.clear()
        self._rows = 0

    def close(self) -> None:
        try:
            if self.fmt == "parquet":
                self._flush_parquet()
                try:
                    if self._pending is not None:
                        self._pending.result()
                finally:
                    self._thread.shutdown()
                    self._parquet.close()
            elif self._own:
                self._own.close()
            else:
                self._fh.flush()
            if self._path != self._target:
                os.replace(self._path, self._target)
        except BaseException:  # a full disk at the last row group: the half-written file goes too
            self.abort()
            raise

    def abort(self) -> None:
        """A failed run: what was written goes; the output's previous file stays as it was."""
        try:
            if self.fmt == "parquet" and self._parquet is not None:
                self._thread.shutdown(cancel_futures=True)
                self._parquet.close()
            elif self._own:
                self._own.close()
        except Exception:  # the run's own error is the one to report
            pass
        if self._path is not None and self._path != self._target:
            self._path.unlink(missing_ok=True)


def _wait_for_pending(writer_ref) -> None:
    from concurrent.futures import wait

    writer = writer_ref()
    if writer is not None and writer._pending is not None:
        wait([writer._pending])


def write_rejects(rejects: Iterable[Reject], path: str | Path) -> None:
    """JSONL, one reject a line; written whole or not at all (as ``RecordWriter``'s files)."""
    path = Path(path)
    make_parent(path)
    with whole_file(path) as fh:
        for r in rejects:
            fh.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")


def read_rejects(path: str | Path) -> list[Reject]:
    with open(path, encoding="utf-8") as fh:
        return [Reject(**json.loads(line)) for line in fh if line.strip()]


