"""What a run hands on and what it counts: ``Chunk`` (rows in input order, with the rejects of
the same files) and ``RunStats``."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..corrections import summary as corrections_summary

if TYPE_CHECKING:
    from ..models import Reject
    from .parts import PartEnd


@dataclass
class Chunk:
    """Consecutive records of the corpus in input order, duplicates flagged, plus the rejects of
    the same files. ``table`` has the flat output columns (``parquet_schema``) or is None."""

    table: object
    rejects: list[Reject]
    part_end: PartEnd | None = None  # set on the marker that closes an output part (OutputParts)


@dataclass
class RunStats:
    """A run's counts: its summary line, and the counts file beside a dataset (``to_dict``)."""

    files: int = 0
    articles: int = 0
    records: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    rejects: int = 0
    ignored: int = 0
    cached_files: int = 0
    reject_reasons: Counter = field(default_factory=Counter)
    corrections: dict = field(default_factory=dict)  # corrections.Corrector.finish: applied, invalid, why
    # (kept, written) parts of a folder output: how this run wrote it, not what it holds (not saved)
    output_parts: tuple[int, int] | None = None

    def summary(self) -> str:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.reject_reasons.items()))
        return (f"files read {self.files}, articles {self.articles}, records {self.records}, "
                f"duplicates {self.duplicates} (near {self.near_duplicates}), "
                f"rejects {self.rejects}" + (f" ({reasons})" if reasons else "")
                + (f", ignored {self.ignored}" if self.ignored else "")
                + (f", {corrections_summary(self.corrections)}" if self.corrections else ""))

    def nothing_extracted(self) -> str | None:
        """Why a run given input files made no record, or None (it made some, or was given
        none): a run that extracts nothing from its inputs is a failure to say so, not a success."""
        if self.records or not self.files:
            return None
        files = f"{self.files} input file{'s' if self.files != 1 else ''}"
        if not self.rejects:
            return f"nothing extracted: no article in the {files}"
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.reject_reasons.items()))
        hint = ("; an export's text column is mapped with --field text=<column>"
                if "no_text_field" in self.reject_reasons else "")
        return (f"nothing extracted: no record from the {files}, {self.rejects} "
                f"reject{'s' if self.rejects != 1 else ''} ({reasons}){hint}")

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        del d["output_parts"]
        d["reject_reasons"] = dict(sorted(self.reject_reasons.items()))
        return d
