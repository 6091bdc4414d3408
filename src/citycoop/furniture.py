"""Corpus-level boilerplate: lines that recur across many stories of a corpus are site furniture.

Rules (``data/boilerplate.yml``) always trail a new site's masthead, menus, hotlines, "Theo dõi
… trên" lines and footers, but a scraped corpus holds many pages per site and that furniture
repeats, while a body sentence almost never repeats across different stories. So a first pass
over the corpus (``scan_corpus``) reads every document's short lines as 8-byte hashes of their
normalized form (case folded, digits as 0, spaces collapsed: ``line_hash``), counts in how many
distinct STORIES each line appears, and the lines at or over the threshold of the rules file
(``furniture:`` in boilerplate.yml) form the furniture set, which cleaning then removes
(``clean.clean_document(..., furniture=...)``).

Why stories and not documents: syndicated copies of one wire story on six sites would make its
body look like furniture. A document's story is the hash of its longest line (a body
paragraph in practice), shared by copies whose mastheads, menus and footers differ —
a content hash of the whole page would differ exactly there. Two pages of one site whose longest
line is furniture count as one story: the error makes furniture rarer, never body.

Never removed by repetition, whatever its count: a line that reads like running text (160
characters or more, or 12 words or more ending like a sentence) — a wire story's stock sentence
may repeat in many stories, and losing body text costs more than keeping a footer.

The counts are a pure function of the corpus (a set of (story, line) pairs), so the furniture
set is the same whatever the number of jobs, the engine or the order files are met in. Memory:
two 8-byte numbers per short line of the corpus, never the texts. Per file the scan is cached
(``cache.RecordCache.line_sets``): a second or incremental run reads only new or changed files.
A file's cached records depend on the furniture only through the furniture lines it contains:
``CorpusFurniture.suffix`` is a digest of those, added to the file's key in the cache, so a
corpus that grows re-extracts only the files whose furniture changed.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from . import load, yamlfile
from .models import RawDocument, Reject
from .normalize import normalize_text

if TYPE_CHECKING:
    import numpy as np

    from .cache import RecordCache

# Bump when line_hash, story_key or which lines are candidates change: cached scans are redone.
SCAN_VERSION = "3"


def scan_version(fields: tuple[tuple[str, str], ...] = ()) -> str:
    """What a cached scan of a file holds for: SCAN_VERSION, and which export columns are read
    as the text (the usual names of data/export_fields.yml and the user's ``--field``)."""
    if not fields:
        return f"{SCAN_VERSION}:{_usual_names_digest()}"
    mapped = hashlib.blake2b(repr(fields).encode(), digest_size=6).hexdigest()
    return f"{SCAN_VERSION}:{_usual_names_digest()}:{mapped}"


@functools.lru_cache(maxsize=1)
def _usual_names_digest() -> str:
    return hashlib.blake2b(repr(sorted(load.usual_names().items())).encode(), digest_size=6).hexdigest()
# a regex, not str.translate: translate took 0.65 ms per benchmark article (Vietnamese text is
# not ASCII, so it goes character by character through a dict), the regex 0.02 ms
_DIGIT = re.compile("[0-9]")
_SENTENCE_END = (".", "!", "?", "…")
SCAN_TASK_FILES = 64  # files per worker task of the first pass
PARALLEL_SCAN_FILES = 256  # fewer files to scan than this: scanned in this process


@dataclass(frozen=True)
class Threshold:
    """When a repeated line is furniture (``furniture:`` in the rules file)."""

    min_stories: int = 5  # distinct stories a line must appear in
    min_corpus_stories: int = 10  # a smaller corpus is cleaned by the rules alone


def load_threshold(rules_file: str | Path | None = None) -> Threshold:
    """The ``furniture:`` key of the rules file (default: the packaged boilerplate.yml); a
    missing or malformed key gives the defaults rather than failing the run."""
    try:
        if rules_file is None:
            text = resources.files("citycoop.data").joinpath("boilerplate.yml").read_text(encoding="utf-8")
        else:
            text = Path(rules_file).read_text(encoding="utf-8")
        spec = (yamlfile.safe_load(text) or {}).get("furniture") or {}
        default = Threshold()
        return Threshold(min_stories=max(2, int(spec.get("min_stories", default.min_stories))),
                         min_corpus_stories=max(1, int(spec.get("min_corpus_stories",
                                                                default.min_corpus_stories))))
    except (OSError, ValueError, TypeError, AttributeError):
        return Threshold()


def reads_like_running_text(line: str) -> bool:
    """A body sentence: never furniture, however often it repeats (clean._reads_like_body)."""
    return len(line) >= 160 or (line.endswith(_SENTENCE_END) and len(line.split()) >= 12)


def _hash64(key: str) -> int:
    # signed: numpy's int64 and SQLite's integer
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little", signed=True)


def line_hash(line: str) -> int:
    """8-byte hash of a line with case, digits and spacing folded ("Hotline: 0912 345 678" and
    "HOTLINE: 0987 654 321" are one line)."""
    return _hash64(" ".join(_DIGIT.sub("0", line.casefold()).split()))


def _story_hash(line: str) -> int:
    """A story's key line as it is, digits kept: two reports that differ only in their dates and
    figures are two stories (the syndicated copies of one carry the same figures). Not folded:
    folding a long line was a fifth of the pass's cost, and copies carry the same bytes."""
    return _hash64(line)


def document_lines(text: str) -> list[str]:
    """A raw document's lines as cleaning sees them: normalized, stripped, none empty."""
    return [s for s in (ln.strip() for ln in normalize_text(text).split("\n")) if s]


def scan_document(raw: RawDocument) -> tuple[int, list[int]]:
    """(story key, hashes of the lines that could be furniture) of one document. The story key
    is the hash of its longest line (ties: the smallest hash, so the key never depends on order).
    Normalization works line by line, so only the lines hashed are normalized (as cleaning sees
    them): normalizing whole texts had made this pass cost half as much as cleaning."""
    text = raw.text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [s for s in (ln.strip() for ln in text.split("\n")) if s]
    if not lines:
        return 0, []
    longest = max(len(ln) for ln in lines)
    # not normalized either: copies in two Unicode forms would count as two stories, which
    # matters only for the short lines they share
    story = min(_story_hash(ln) for ln in lines if len(ln) == longest)
    return story, [line_hash(normalize_text(ln).strip()) for ln in lines if not reads_like_running_text(ln)]


def is_html(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in (".html", ".htm")


def scan_file(f: load.InputFile, max_bytes: int = load.DEFAULT_MAX_BYTES,
              fields: tuple[tuple[str, str], ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """(story, line) pairs of one file as two int64 arrays, each pair once. A file that cannot be
    read gives none (the second pass reports why)."""
    import numpy as np

    stories: list[int] = []
    lines: list[int] = []
    if is_html(f.path):
        # trafilatura keeps a page's main text, its template gone: a second read of every page
        # (a third of a corpus run's time on HTML) would find little to repeat.
        return np.empty(0, np.int64), np.empty(0, np.int64)
    try:
        for item in load.read_file(f, max_bytes, fields):
            if isinstance(item, Reject):
                continue
            story, hashes = scan_document(item)
            stories += [story] * len(hashes)
            lines += hashes
    except Exception:  # bad input never stops a run: this file just adds no evidence
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if not lines:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pairs = np.unique(np.array([stories, lines], np.int64), axis=1)
    return pairs[0].copy(), pairs[1].copy()


def scan_files(files: list[load.InputFile], max_bytes: int,
               fields: tuple[tuple[str, str], ...] = ()) -> list[tuple[np.ndarray, np.ndarray, str | None]]:
    """One worker task of the first pass: ``scan_file`` of each file, with its content key."""
    from .cache import content_key

    out = []
    for f in files:
        stories, lines = scan_file(f, max_bytes, fields)
        try:
            key = content_key(f.path)
        except OSError:
            key = None
        out.append((stories, lines, key))
    return out


def furniture_set(stories: np.ndarray, lines: np.ndarray, threshold: Threshold) -> np.ndarray:
    """The sorted line hashes found in at least ``threshold.min_stories`` distinct stories, or
    none when the corpus has fewer than ``threshold.min_corpus_stories`` stories."""
    import numpy as np

    if not len(lines) or len(np.unique(stories)) < threshold.min_corpus_stories:
        return np.empty(0, np.int64)
    # A pair may come from two files (syndicated copies): count it once.
    pairs = np.unique(np.stack([lines, stories]), axis=1)
    hashes, counts = np.unique(pairs[0], return_counts=True)
    return hashes[counts >= threshold.min_stories]


@dataclass
class CorpusFurniture:
    """The furniture set of a corpus (sorted int64 hashes) and, per input file path, the hashes
    of its lines (to tell which furniture lines each file holds)."""

    hashes: np.ndarray
    file_lines: dict[str, np.ndarray]

    def as_bytes(self) -> bytes:
        """The set as ``Settings.furniture`` carries it to workers (compact, hashable)."""
        return self.hashes.astype("<i8").tobytes()

    def suffix(self, path: str) -> str:
        """What the furniture changes in this file's records, as a suffix of its cache key:
        "" when it holds no furniture line, else a digest of the furniture lines it holds."""
        import numpy as np

        lines = self.file_lines.get(path)
        if lines is None or not len(self.hashes) or not len(lines):
            return ""
        held = np.intersect1d(lines, self.hashes)
        if not len(held):
            return ""
        return ":" + hashlib.blake2b(held.astype("<i8").tobytes(), digest_size=8).hexdigest()


def hashes_from_bytes(data: bytes) -> frozenset[int]:
    """``CorpusFurniture.as_bytes`` back as a set for cleaning's per-line look-up."""
    import numpy as np

    return frozenset(np.frombuffer(data, "<i8").tolist()) if data else frozenset()


def scan_corpus(files: list[load.InputFile], *, threshold: Threshold, max_bytes: int = load.DEFAULT_MAX_BYTES,
                fields: tuple[tuple[str, str], ...] = (), store: RecordCache | None = None, jobs: int = 1,
                submit_many=None) -> CorpusFurniture:
    """The first pass: every file's (story, line) pairs — from ``store`` when it has them for the
    file's bytes, else read (in ``jobs`` processes, or through ``submit_many(fn, tasks)``, which
    returns the tasks' results in order: a Dask client) — and the corpus's furniture set."""
    import numpy as np

    # One entry per file; split export parts are not met here (the walk gives whole files).
    by_file: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    version = scan_version(fields)
    cached = store.line_sets(files, version) if store is not None else [None] * len(files)
    todo = [f for f, c in zip(files, cached) if c is None]
    for f, c in zip(files, cached):
        if c is not None:
            by_file[f.path] = c
    if todo:
        tasks = [todo[i:i + SCAN_TASK_FILES] for i in range(0, len(todo), SCAN_TASK_FILES)]
        if submit_many is not None:
            results = submit_many(scan_files, tasks, max_bytes, fields)
        elif jobs > 1 and len(todo) >= PARALLEL_SCAN_FILES:
            results = _scan_in_processes(tasks, max_bytes, fields, jobs)
        else:
            results = [scan_files(t, max_bytes, fields) for t in tasks]
        scanned = []
        for task, result in zip(tasks, results):
            for f, (stories, lines, key) in zip(task, result):
                by_file[f.path] = (stories, lines)
                scanned.append((f, stories, lines, key))
        if store is not None:
            store.add_line_sets(scanned, version)
    if by_file:
        stories = np.concatenate([s for s, _ in by_file.values()])
        lines = np.concatenate([ln for _, ln in by_file.values()])
    else:
        stories = lines = np.empty(0, np.int64)
    hashes = furniture_set(stories, lines, threshold)
    file_lines = {path: np.unique(ln) for path, (_, ln) in by_file.items()} if len(hashes) else {}
    return CorpusFurniture(hashes, file_lines)


def _scan_in_processes(tasks: list[list[load.InputFile]], max_bytes: int, fields: tuple, jobs: int) -> list:
    import os
    from concurrent.futures import ProcessPoolExecutor

    from .fsio import init_worker_process

    # workers end with the run and leave Ctrl-C to it, as the extraction's do
    with ProcessPoolExecutor(max_workers=jobs, initializer=init_worker_process, initargs=(os.getpid(),)) as pool:
        return list(pool.map(scan_files, tasks, [max_bytes] * len(tasks), [fields] * len(tasks)))


def explain(raw: RawDocument | str, furniture: frozenset[int] = frozenset(), rules=None) -> list[tuple[str, str]]:
    """Each line of a document with what cleaning did to it: "kept" (in the text), "title",
    "repetition" (removed as corpus furniture: in ``furniture``, the set ``scan_corpus`` found,
    e.g. ``pipeline.worker._worker_furniture(settings)``) or "rules" (removed by the rules of
    boilerplate.yml, or moved to metadata: a date, source or byline line). For an analyst
    checking why a line went; cleaning itself records only the repetition removals (the
    record's ``furniture_removed``)."""
    from .clean import clean_document

    if isinstance(raw, str):
        raw = RawDocument(id="explain", source="explain", format="txt", encoding="utf-8", text=raw)
    removed: list[str] = []
    article = clean_document(raw, rules, furniture, removed)
    kept = set() if isinstance(article, Reject) else set(article.text.split("\n\n"))
    title = None if isinstance(article, Reject) else article.title
    repeated = set(removed)
    out = []
    for line in document_lines(raw.text):
        if line in kept:
            out.append((line, "kept"))
        elif line == title:
            out.append((line, "title"))
        elif line in repeated:
            out.append((line, "repetition"))
        else:
            out.append((line, "rules"))
    return out
