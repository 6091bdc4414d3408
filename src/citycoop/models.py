"""The small set of types that flow between the pipeline stages.

load → ``RawDocument`` | ``Reject``; clean → ``Article`` | ``Reject``;
extract → record ``dict`` (JSON-ready, the reference form of the output).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class RawDocument:
    """One article as read from disk, decoded but not yet cleaned."""

    id: str  # stable, unique across the corpus (relative path, "#n" for export rows)
    source: str  # path as given on the command line, plus "#n" for export rows
    format: str  # txt | html | jsonl | csv
    encoding: str  # codec actually used to decode the bytes
    text: str  # decoded body (for html: main text extracted by trafilatura)
    # Metadata a structured source already carries (html meta, export fields).
    title: str | None = None
    url: str | None = None
    published: str | None = None
    outlet: str | None = None
    byline: str | None = None
    warnings: tuple[str, ...] = ()  # what reading it found (stray bytes replaced), for the record


@dataclass(frozen=True)
class Reject:
    """An input that produced no record, and why. Nothing is dropped silently."""

    source: str
    reason: str  # short machine code, see REJECT_REASONS
    detail: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


REJECT_REASONS = {
    "empty": "file is empty or whitespace only",
    "binary": "file looks binary (NUL bytes, no text encoding fits)",
    "undecodable": "bytes fit no supported text encoding",
    "too_large": "file is over the size limit",
    "malformed_jsonl": "a JSONL line is not a JSON object",
    "malformed_csv": "a CSV row does not fit the header",
    "no_text_field": "an export (or a row of it) has no text field (--field text=<column> maps one)",
    "unsupported_format": "file extension is not one citycoop reads",
    "unreadable": "the file could not be opened or parsed",
    "not_a_file": "a named pipe, socket or device (never opened: it could block the run)",
    "no_body": "no body text left after cleaning",
    "citycoop_output": "records citycoop wrote (a JSONL or CSV output), not articles",
}


@dataclass
class Article:
    """A cleaned article: normalized body plus metadata. Every later stage reads this."""

    id: str
    source: str
    format: str
    encoding: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    byline: str | None = None
    published: str | None = None
    published_source: str | None = None
    content_hash: str = ""
    n_chars: int = 0
    warnings: list[str] = field(default_factory=list)
