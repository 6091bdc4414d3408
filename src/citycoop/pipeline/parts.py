"""A Parquet output's files: a folder's parts and manifest, the sidecars beside it, and what
tells a re-run which parts it may keep.

A folder output (``-o corpus/``) is cut into parts after the files ``OutputParts`` names, in
input order; ``FolderWriter`` writes them and ``_parts.json``, the manifest that lets the next
run keep a part whose files and duplicate decisions are unchanged (``PartEnd``, ``OldPart``):
whole, without a cache look-up per file, when its files' names, sizes and mtimes are as the
last run met them (``KeptPartCandidate``, ``InputDigest``).
"""
from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .. import load
from ..fsio import write_text_whole
from ..models import Reject
from .settings import Settings, Tuning, output_fingerprint
from .writers import RecordWriter, write_rejects

if TYPE_CHECKING:
    from ..cache import RecordCache
    from ..extract.topics import Taxonomy
    from .chunks import Chunk, RunStats


class OldPart(NamedTuple):
    """An output part a run wrote: its file, the chains before its first and after its last
    input file, its rows, and what a later run needs to keep it without looking at its files
    one by one (``PartEnd.summary``, with the part's rejects; None if the run could not tell)."""

    file: str
    start: str
    end: str
    rows: int
    summary: dict | None = None


class PartEnd(NamedTuple):
    """The end of an output part: its chains, and the earlier run's part file when that holds
    exactly these rows (``kept``; none of them were handed on). ``summary`` (None unless every
    file of the part is in the cache): its input ``files`` and the digest of their names, sizes
    and mtimes (``inputs``), where its rows are in the cache with its duplicate rows (``runs``),
    and its ``duplicates`` and ``near_duplicates``."""

    start: str
    end: str
    kept: OldPart | None
    summary: dict | None = None


def suffix_bytes(key_suffix, f: load.InputFile) -> bytes:
    """The file's furniture digest (``furniture.CorpusFurniture.suffix``) for a part's inputs
    digest: a part whose files hold other furniture lines than when it was written is not kept."""
    return key_suffix(f.path).encode() if key_suffix is not None else b""


class KeptPartCandidate:
    """The files met so far of an output part that the last run wrote from the chain reached,
    while they may still be exactly the files it met (names, sizes, mtimes): then the part is
    kept whole with no cache look-up, and its files are not read (``Deduplicator.kept_part``)."""

    def __init__(self, old: OldPart, key_suffix=None):
        self.old = old
        self._key_suffix = key_suffix  # the file's furniture digest (Deduplicator._part_file)
        self.files: list[load.InputFile] = []
        self.records: list[tuple[bytes, bytes]] = []  # per file: its name and state, as digested
        self.n_bytes = 0
        self._inputs = hashlib.blake2b(digest_size=16)

    def add(self, f: load.InputFile) -> bool:
        """Note the part's next file; False once the part cannot be the old one."""
        self.files.append(f)
        if len(self.files) > self.old.summary["files"]:
            return False
        try:
            st = os.stat(f.path)
        except OSError:
            return False
        name, state = InputDigest.name_and_state(f, st.st_size, st.st_mtime_ns)
        self.records.append((name, state))
        self._inputs.update(name + state + suffix_bytes(self._key_suffix, f))
        self.n_bytes += st.st_size
        return True

    def holds(self, store: RecordCache) -> bool:
        """At the part's last file: are these the old part's files, and its cached rows still there?"""
        summary = self.old.summary
        return (len(self.files) == summary["files"] and self._inputs.hexdigest() == summary["inputs"]
                and all(store.has_segment(run[0]) for run in summary["runs"]))


class KeptPart(NamedTuple):
    """A window item: an output part kept whole (``KeptPartCandidate.holds``)."""

    old: OldPart
    n_files: int
    n_bytes: int


class OutputParts:
    """Where a folder output's parts end (``Tuning.files_per_output_part``), and the parts its
    last run wrote (by starting chain)."""

    def __init__(self, old: Iterable[OldPart] = (), files_per_part: int = Tuning.files_per_output_part):
        self.files_per_part = files_per_part
        self.old = {p.start: p for p in old}

    def ends_part(self, f: load.InputFile) -> bool:
        """Does an output part end after this file (after its last part, for a split export)?"""
        return ((f.part is None or f.part.last)
                and zlib.crc32(f.id.encode("utf-8", "surrogateescape")) % self.files_per_part == 0)


def rejects_path_for(dataset_path: str | Path) -> Path:
    """``corpus.parquet`` → ``corpus.rejects.jsonl``; a folder of parts → ``folder/_rejects.jsonl``
    (a leading "_" keeps pyarrow from reading it as a part)."""
    p = Path(dataset_path)
    return p / "_rejects.jsonl" if not p.suffix else p.with_name(p.name.split(".")[0] + ".rejects.jsonl")


def stats_path_for(dataset_path: str | Path) -> Path:
    p = Path(dataset_path)
    return p / "_stats.json" if not p.suffix else p.with_name(p.name.split(".")[0] + ".stats.json")


def write_sidecars(out: Path, rejects: list[Reject], stats: RunStats) -> None:
    """A Parquet output's rejects (JSONL) and counts (JSON) beside it, each written whole."""
    write_rejects(rejects, rejects_path_for(out))
    write_text_whole(stats_path_for(out), json.dumps(stats.to_dict(), indent=1))


class InputDigest:
    """What a run reads, as two hashes in input order under the settings' fingerprint: ``names``
    (every input file's path, id and source, and how many files were ignored) and ``full``
    (the same with each file's size and mtime). An equal ``full`` digest means a run reads what
    an earlier one read, as ``make`` judges it; ``full`` is None if a file could not be stat'ed."""

    def __init__(self, settings: Settings):
        seed = output_fingerprint(settings).encode()
        self._names = hashlib.blake2b(seed, digest_size=16)
        self._full = hashlib.blake2b(seed, digest_size=16)
        self._complete = True
        self.names: str | None = None
        self.full: str | None = None

    @staticmethod
    def _name(f: load.InputFile) -> bytes:
        return f"{f.path}\0{f.id}\0{f.source}\n".encode()

    @staticmethod
    def _ignored(n: int) -> bytes:
        return b"ignored %d" % n

    @classmethod
    def name_and_state(cls, f: load.InputFile, size: int, mtime_ns: int) -> tuple[bytes, bytes]:
        """What the digests take in of one file: its name (both), then its state (``full``)."""
        return cls._name(f), b"%d:%d\n" % (size, mtime_ns)

    def add_digested(self, name: bytes, state: bytes) -> None:
        """One file, as ``name_and_state`` gave it."""
        self._names.update(name)
        self._full.update(name + state)

    def add(self, f: load.InputFile, entry=None) -> None:
        """One file, in input order; ``entry`` (its cache entry) already knows its size and mtime."""
        if entry is not None:
            size, mtime = entry.size, entry.mtime_ns
        else:
            try:
                st = os.stat(f.path)
            except OSError:
                self._names.update(self._name(f))
                self._complete = False
                return
            size, mtime = st.st_size, st.st_mtime_ns
        self.add_digested(*self.name_and_state(f, size, mtime))

    def finish(self, ignored: int) -> InputDigest:
        tail = self._ignored(ignored)
        self._names.update(tail)
        self._full.update(tail)
        self.names = self._names.hexdigest()
        self.full = self._full.hexdigest() if self._complete else None
        return self

    @classmethod
    def of_names(cls, paths: Iterable[str | Path], settings: Settings) -> str:
        """The ``names`` digest alone: a walk of the folders, no ``stat``."""
        digest, found = cls(settings), {}
        for f in load.discover(paths, stats=found):
            digest._names.update(cls._name(f))
        digest._names.update(cls._ignored(found.get("ignored", 0)))
        return digest._names.hexdigest()

    @classmethod
    def of(cls, paths: Iterable[str | Path], settings: Settings) -> InputDigest:
        digest, found = cls(settings), {}
        for f in load.discover(paths, stats=found):
            digest.add(f)
        return digest.finish(found.get("ignored", 0))


PARTS_MANIFEST = "_parts.json"  # in a folder output: its parts, for the next run to keep


def is_folder_output(out: str | Path) -> bool:
    """A Parquet output is a folder of parts when it has no suffix or is a folder already
    (as ``--engine dask`` writes it); ``corpus.parquet`` is one file."""
    p = Path(out)
    return p.suffix == "" or p.is_dir()


def _manifest(folder: Path) -> dict:
    """A folder output's ``_parts.json``, or {} if it is missing or unreadable."""
    try:
        manifest = json.loads((folder / PARTS_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _old_parts(folder: Path, fingerprint: str) -> list[OldPart]:
    """The parts a run with these settings wrote to ``folder`` and that are still as it left
    them (a part file changed or removed since is not reused)."""
    manifest = _manifest(folder)
    if manifest.get("fingerprint") != fingerprint:
        return []
    parts = []
    for p in manifest.get("parts", []):
        try:
            st = os.stat(folder / p["file"])
            if [st.st_size, st.st_mtime_ns] == [p["size"], p["mtime_ns"]]:
                parts.append(OldPart(p["file"], p["start"], p["end"], p["rows"], _part_summary(p)))
        except (OSError, KeyError, TypeError):
            continue
    return parts


def _part_summary(listed: dict) -> dict | None:
    """A manifest entry's ``PartEnd.summary`` with its rejects, or None if it has none or it is
    not well formed (a part is then kept only after its files are looked up)."""
    try:
        summary = {key: listed[key] for key in ("files", "inputs", "runs", "duplicates", "near_duplicates")}
        summary["runs"] = [[str(seg), int(start), int(n), [int(r) for r in dup_rows]]
                           for seg, start, n, dup_rows in summary["runs"]]
        summary["rejects"] = [Reject(**r).to_dict() for r in listed["rejects"]]
        if not (isinstance(summary["inputs"], str) and all(
                isinstance(summary[k], int) for k in ("files", "duplicates", "near_duplicates"))):
            return None
        return summary
    except (KeyError, TypeError, ValueError):
        return None


def meetings_path(out: Path) -> Path:
    from ..meetings import meetings_path_for

    return meetings_path_for(out, "parquet")


def output_files(out: Path) -> list[Path]:
    """The files an output consists of, for the up-to-date check: a Parquet file and its two
    sidecars; a folder's manifest, sidecars and the part files its manifest names."""
    files = [out, rejects_path_for(out), stats_path_for(out), meetings_path(out)]
    if not is_folder_output(out):
        return files
    try:
        names = [p["file"] for p in _manifest(out).get("parts", [])]
    except (KeyError, TypeError):
        names = []
    return [out / PARTS_MANIFEST, *files[1:], *(out / n for n in names)]


class FolderWriter:
    """A folder output: ``part-NNNNN-<chain>.parquet`` files in input order (read as one dataset
    by pandas and pyarrow) and ``_parts.json``, which tells the next run which parts it may keep.
    New parts are written under dot names (which readers skip) and named when the run ends;
    kept parts are renamed if their number moved; part files no longer listed are removed."""

    def __init__(self, folder: Path, taxonomy: Taxonomy, fingerprint: str):
        self.folder, self.taxonomy, self.fingerprint = folder, taxonomy, fingerprint
        if folder.exists() and not folder.is_dir():
            raise FileExistsError(f"{folder} is a file; a Parquet output named without a suffix is a "
                                  "folder of parts (name it .parquet for one file)")
        folder.mkdir(parents=True, exist_ok=True)
        self.old = _old_parts(folder, fingerprint)
        self.parts: list[tuple[str, PartEnd, int, list[dict]]] = []  # (file now, part, rows, rejects) in order
        self._writer: RecordWriter | None = None
        self._rows = 0
        self._rejects: list[dict] = []  # of the part being written
        self.kept = self.written = 0  # parts, for the run's summary

    def write_chunk(self, chunk: Chunk) -> None:
        if chunk.table is not None and chunk.table.num_rows:
            if self._writer is None:
                self._tmp = f".writing-{os.getpid()}-{len(self.parts)}.parquet"
                self._writer = RecordWriter(self.folder / self._tmp, "parquet", self.taxonomy,
                                            in_place=True)
            self._writer.write_table(chunk.table)
            self._rows += chunk.table.num_rows
        self._rejects += [r.to_dict() for r in chunk.rejects]
        end = chunk.part_end
        if end is None:
            return
        if end.kept is not None:
            self.parts.append((end.kept.file, end, end.kept.rows, self._rejects))
            self.kept += 1
        elif self._writer is not None:  # a part without rows has no file
            self._writer.close()
            self.parts.append((self._tmp, end, self._rows, self._rejects))
            self.written += 1
        self._writer, self._rows, self._rejects = None, 0, []

    def close(self) -> None:
        """Name the parts in order, write the manifest, remove what is no longer listed."""
        if self._writer is not None:  # rows after the last part's end: not from iter_chunks
            raise RuntimeError("rows after the last output part")
        listed = []
        for n, (name, end, rows, rejects) in enumerate(self.parts):
            final = f"part-{n:05d}-{end.end[:16] or 'start'}.parquet"
            if name != final:  # names carry the end chain: a kept part never lands on another
                os.replace(self.folder / name, self.folder / final)
            st = os.stat(self.folder / final)
            listed.append({"file": final, "start": end.start, "end": end.end, "rows": rows,
                           "size": st.st_size, "mtime_ns": st.st_mtime_ns})
            if end.summary is not None:  # lets the next run keep the part without a look-up per file
                listed[-1].update({**end.summary, "rejects": rejects})
        head = json.dumps({"version": 1, "fingerprint": self.fingerprint})[:-1]
        # one line per part: a part's duplicate rows would take a line each with indent
        body = ",\n".join(json.dumps(p, ensure_ascii=False) for p in listed)
        write_text_whole(self.folder / PARTS_MANIFEST, f'{head}, "parts": [\n{body}\n]}}\n')
        keep = {p["file"] for p in listed}
        for old in [*self.folder.glob("part-*.parquet"), *self.folder.glob(".writing-*.parquet")]:
            if old.name not in keep:
                old.unlink(missing_ok=True)

    def abort(self) -> None:
        """A failed run: its new part files go; the old parts and manifest stay as they were."""
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # the run's own error is the one to report
                pass
        for name in [p[0] for p in self.parts] + ([self._tmp] if self._writer is not None else []):
            if name.startswith(".writing-"):
                (self.folder / name).unlink(missing_ok=True)


