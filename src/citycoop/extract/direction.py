"""Direction of the visit: ``inbound`` (a Chinese delegation received in Vietnam), ``outbound``
(a Vietnamese delegation in China), ``none`` (no Chinese partner), ``unknown`` (both sides take
part but the lead does not say who travelled, e.g. an online meeting).

Votes are read from the title and the first paragraphs:
- a delegation ("đoàn đại biểu ...") is the visitor: the country of the first place (or
  "Trung Quốc"/"Việt Nam") named after it;
- after a verb of receiving ("tiếp", "đón") the party named is the visitor;
- after a visit frame ("thăm và làm việc tại", "sang thăm") the place named is the host.
"""
from __future__ import annotations

import bisect
import re

from ..matching import compile_words
from .lead import Lead
from .places import ResolvedMention

_COUNTRY = compile_words(["Trung Quốc", "Việt Nam"])  # = (?<![\w])(?:Trung Quốc|Việt Nam)(?![\w])


class DirectionReader:
    def __init__(self, lexicon: dict):
        longest_first = lambda xs: sorted(xs, key=len, reverse=True)  # noqa: E731
        # compile_words: the same matches as "(?<![\w])(?:w1|w2|…)(?![\w])", found ~3x faster
        # (0.085 → 0.028 ms per article for the three patterns, see matching.compile_words).
        self._delegation = compile_words(longest_first(lexicon["delegation_words"]), re.IGNORECASE)
        # "buổi tiếp" is the noun "reception", not the verb.
        self._receive = compile_words(longest_first(lexicon["receive_verbs"]), not_after="buổi ")
        self._visit = compile_words(longest_first(lexicon["visit_frames"]))

    @staticmethod
    def _next_country(text: str, pos: int, limit: int, mentions: list[ResolvedMention],
                      starts: list[int] | None = None) -> str | None:
        """The country of the first place or country name within ``limit`` characters after pos.
        ``starts``: the mentions' start offsets when they are in text order (then the first
        candidate is found by bisection instead of a walk over every mention)."""
        best: tuple[int, str] | None = None
        first = bisect.bisect_left(starts, pos) if starts is not None else 0
        for m in mentions[first:] if first else mentions:
            if pos <= m.start < pos + limit and m.locality is not None:
                best = (m.start, m.locality.country)
                break
            if starts is not None and m.start >= pos + limit:
                break
        c = _COUNTRY.search(text, pos, pos + limit)
        if c and (best is None or c.start() < best[0]):
            best = (c.start(), "cn" if c.group(0) == "Trung Quốc" else "vn")
        return best[1] if best else None

    def read(self, text: str, lead: Lead, mentions: list[ResolvedMention],
             has_partner: bool) -> tuple[str, list[str]]:
        if not has_partner:
            return "none", []
        starts = [m.start for m in mentions]
        if any(a > b for a, b in zip(starts, starts[1:])):
            starts = None  # not in text order: walk them all
        votes = {"inbound": 0, "outbound": 0}
        visitor_vote = {"cn": "inbound", "vn": "outbound"}
        host_vote = {"vn": "inbound", "cn": "outbound"}
        for lo, hi in lead.spans:
            for m in self._delegation.finditer(text, lo, hi):
                c = self._next_country(text, m.end(), 90, mentions, starts)
                if c:
                    votes[visitor_vote[c]] += 2
            for m in self._receive.finditer(text, lo, hi):
                c = self._next_country(text, m.end(), 120, mentions, starts)
                if c:
                    votes[visitor_vote[c]] += 2
            for m in self._visit.finditer(text, lo, hi):
                c = self._next_country(text, m.end(), 30, mentions, starts)
                if c:
                    votes[host_vote[c]] += 1
        if votes["inbound"] == votes["outbound"]:
            return "unknown", ["direction of the visit not stated in the lead"]
        return max(votes, key=votes.get), []
