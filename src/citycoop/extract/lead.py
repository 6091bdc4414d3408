"""The lead: the paragraph that reports the meeting, found rather than assumed.

A news page's first paragraphs are often not the story's: a scrape can open with a section
label, an outlet tag ("NDO -"), a repeated headline, a summary, a row of related links; the
sentence that says who met whom, when and where may be the third or fifth paragraph. The lead
is the first paragraph that reads like running text and reports a meeting: words of meeting or
visit (lexicon.yml's ``lead_cues``), a place, and usually a date. Dates, direction and the
parties named as subjects are read from the title and the lead (and the paragraph after it,
which often names the delegations).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..matching import compile_words
from .dates import has_event_date

# A paragraph shorter than this reads as a headline, a caption or a label, not as a lead.
_LEAD_MIN_WORDS = 14
# How far into the body a lead is looked for: past it, a paragraph is the story's middle.
_LEAD_MAX_PARAGRAPHS = 10
# Paragraphs read after the lead: the one after it often names who led each delegation.
_AFTER_LEAD = 1


@dataclass(frozen=True)
class Lead:
    """Spans of the document read as its lead: the title's and the lead paragraphs'."""

    spans: tuple[tuple[int, int], ...]
    # the paragraph that reports the meeting (the spans also hold the title and the paragraph after)
    report: tuple[int, int] | None = None

    def in_report(self, offset: int) -> bool:
        return self.report is not None and self.report[0] <= offset < self.report[1]

    def __contains__(self, offset: int) -> bool:
        for s, e in self.spans:  # (asked for every place mention: a loop, not any() of a generator)
            if s <= offset < e:
                return True
        return False

    def text(self, doc: str) -> str:
        return "\n\n".join(doc[s:e] for s, e in self.spans)

    @property
    def end(self) -> int:
        return self.spans[-1][1] if self.spans else 0


def _paragraphs(doc: str, start: int) -> list[tuple[int, int]]:
    spans, pos = [], start
    while pos < len(doc):
        nxt = doc.find("\n\n", pos)
        end = len(doc) if nxt < 0 else nxt
        if doc[pos:end].strip():
            spans.append((pos, end))
        if nxt < 0:
            break
        pos = nxt + 2
    return spans


class LeadFinder:
    def __init__(self, lexicon: dict):
        cues = sorted(lexicon.get("lead_cues") or lexicon["party_cues_after"], key=len, reverse=True)
        self._cue = compile_words(cues, re.IGNORECASE)

    def find(self, doc: str, body_start: int, place_starts: list[int]) -> Lead:
        """The title span and the lead paragraphs. ``place_starts``: offsets of place mentions.

        In order of preference, among the first paragraphs of running text: one with words of
        meeting, a place and a date; one with a place and a date (a ceremony, a donation: the
        words vary); one with words of meeting and a place."""
        title = ((0, body_start - 2),) if body_start else ()
        paragraphs = _paragraphs(doc, body_start)
        if not paragraphs:
            return Lead(title)
        tiers: list[int | None] = [None, None, None]
        no_place: int | None = None  # words of meeting and a date, but no place the gazetteers know
        running = 0
        place_starts = sorted(place_starts)  # a paragraph's places found by bisection
        for i, (s, e) in enumerate(paragraphs):
            # (split at most _LEAD_MIN_WORDS times: fewer words are all that is asked)
            if len(doc[s:e].split(None, _LEAD_MIN_WORDS)) < _LEAD_MIN_WORDS:
                continue  # furniture, a caption, a subheading: not counted either
            running += 1
            if running > _LEAD_MAX_PARAGRAPHS:
                break
            k = bisect.bisect_left(place_starts, s)
            if k == len(place_starts) or place_starts[k] >= e:
                # no place in it: the lead only when no paragraph with a place reports a meeting
                # ("Chiều 11/7, tại trụ sở Bộ GTVT, Thứ trưởng ... làm việc với đoàn Bộ ...")
                if no_place is None and self._cue.search(doc, s, e) and has_event_date(doc[s:e]):
                    no_place = i
                continue
            cued, dated = bool(self._cue.search(doc, s, e)), has_event_date(doc[s:e])
            tier = 0 if cued and dated else 1 if dated else 2 if cued else None
            if tier is not None and tiers[tier] is None:
                tiers[tier] = i
            if tier == 0:
                break
        # (a dated report of a meeting, though it names no place, before an undated one)
        best = next((i for i in (tiers[0], tiers[1], no_place, tiers[2]) if i is not None), None)
        if best is None:  # nothing reads like a report of a meeting: the first paragraphs
            best = 0
        return Lead(title + tuple(paragraphs[best:best + 1 + _AFTER_LEAD]), paragraphs[best])
