"""Direction of the visit: ``inbound`` (a Chinese delegation received in Vietnam), ``outbound``
(a Vietnamese delegation in China), ``none`` (no Chinese partner), ``unknown`` (both sides take
part but the lead does not say who travelled, e.g. an online meeting).

Votes are read from the title and the first paragraphs:
- a delegation ("đoàn đại biểu ...") is the visitor: the country of the first place (or
  "Trung Quốc"/"Việt Nam") named after it;
- after a verb of receiving ("tiếp", "đón", "hội kiến") the party named is the visitor;
- after a visit frame ("thăm và làm việc tại", "sang thăm") the place named is the host.
"""
from __future__ import annotations

import re

from .places import ResolvedMention

_COUNTRY = re.compile(r"(?<![\w])(Trung Quốc|Việt Nam)(?![\w])")


class DirectionReader:
    def __init__(self, lexicon: dict):
        esc = lambda xs: "|".join(re.escape(x) for x in sorted(xs, key=len, reverse=True))  # noqa: E731
        self._delegation = re.compile(r"(?<![\w])(?:%s)(?![\w])" % esc(lexicon["delegation_words"]),
                                      re.IGNORECASE)
        # "buổi tiếp" is the noun "reception", not the verb.
        self._receive = re.compile(r"(?<!buổi )(?<![\w])(?:%s)(?![\w])" % esc(lexicon["receive_verbs"]))
        self._visit = re.compile(r"(?<![\w])(?:%s)(?![\w])" % esc(lexicon["visit_frames"]))

    @staticmethod
    def _next_country(text: str, pos: int, limit: int, mentions: list[ResolvedMention]) -> str | None:
        """The country of the first place or country name within ``limit`` characters after pos."""
        best: tuple[int, str] | None = None
        for m in mentions:
            if pos <= m.start < pos + limit and m.locality is not None:
                best = (m.start, m.locality.country)
                break
        c = _COUNTRY.search(text, pos, pos + limit)
        if c and (best is None or c.start() < best[0]):
            best = (c.start(), "cn" if c.group(1) == "Trung Quốc" else "vn")
        return best[1] if best else None

    def read(self, text: str, lead_end: int, mentions: list[ResolvedMention],
             has_partner: bool) -> tuple[str, list[str]]:
        if not has_partner:
            return "none", []
        lead = text[:lead_end]
        votes = {"inbound": 0, "outbound": 0}
        visitor_vote = {"cn": "inbound", "vn": "outbound"}
        host_vote = {"vn": "inbound", "cn": "outbound"}
        for m in self._delegation.finditer(lead):
            c = self._next_country(text, m.end(), 90, mentions)
            if c:
                votes[visitor_vote[c]] += 2
        for m in self._receive.finditer(lead):
            c = self._next_country(text, m.end(), 120, mentions)
            if c:
                votes[visitor_vote[c]] += 2
        for m in self._visit.finditer(lead):
            c = self._next_country(text, m.end(), 30, mentions)
            if c:
                votes[host_vote[c]] += 1
        if votes["inbound"] == votes["outbound"]:
            return "unknown", ["direction of the visit not stated in the lead"]
        return max(votes, key=votes.get), []
