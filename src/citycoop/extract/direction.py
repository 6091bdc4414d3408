"""Direction of the visit: ``inbound`` (a Chinese delegation received in Vietnam), ``outbound``
(a Vietnamese delegation in China), ``none`` (no Chinese partner), ``unknown`` (both sides take
part but the lead does not say who travelled, e.g. an online meeting).

Evidence is read sentence by sentence in the title and the lead (``Lead``), in tiers; the first
tier whose votes differ decides, so an explicit statement beats a hint:

0. an online meeting ("hội đàm trực tuyến", "điểm cầu") or one on the border line ("tại cột
   mốc", "giữa cầu"): ``unknown``, whatever else is said;
1. where the meeting is held or where someone went: "tại <place>" in a sentence that reports a
   meeting (not a consulate's "Tổng Lãnh sự quán ... tại", not a future or past stop), "tại trụ
   sở UBND tỉnh" (the host's building), "sang/đến/tới/thăm <place>" (the place travelled to),
   "<subject> sang thăm/dự ..." (sang: the subject crossed the border), "do <place> đăng cai",
   and the passive "X đã được Y tiếp" (Y hosts, X visits);
2. who received whom: the party named after a verb of receiving is the visitor, the one before
   it the host ("Tiếp đoàn có ông X, ... Y": Y hosts); a meeting "tại cửa khẩu" with nothing of
   this kind is ``unknown``;
3. where a delegation comes from ("đoàn đại biểu tỉnh Vân Nam"): the visitor.

A party is a resolved place mention or the name "Việt Nam"/"Trung Quốc" (not the pair
"Việt Nam - Trung Quốc", which names the relation). The words are lexicon.yml's.
"""
from __future__ import annotations

import bisect
import re

from ..matching import compile_terms, compile_words, trie_regex
from .lead import Lead
from .places import ResolvedMention
from .text import sentence_boundary

_COUNTRY = compile_words(["Trung Quốc", "Việt Nam"])  # = (?<![\w])(?:Trung Quốc|Việt Nam)(?![\w])
_PAIRED_AFTER = re.compile(r"\s*[-–—]\s*(?:Việt Nam|Trung Quốc)(?![\w])")
_PAIRED_BEFORE = re.compile(r"(?<![\w])(?:Việt Nam|Trung Quốc)\s*[-–—]\s*\Z")
_QUALIFIER_GAP = re.compile(r"[\s,(–-]{0,4}")
_COUNTRY_NAMES = ("Trung Quốc", "Việt Nam")
_OPENS_PUNCT = re.compile(r"\s*[,.;:!?)]")
# How far evidence reaches within its sentence, in characters.
_OBJECT_REACH = 160     # from a verb of receiving to the party it names
_SUBJECT_REACH = 120    # back from a verb of receiving (or "sang") to its subject
_PASSIVE_REACH = 160    # back from a verb of receiving to "được"
_HOST_LIST_REACH = 45   # "có"/"là" after a verb of receiving that lists the hosts
_CONTEXT_REACH = 80     # back from "tại" to a word of meeting
_NOT_AFTER_REACH = 32   # back from "tại" to a consulate's or a firm's name
_OPENING_REACH = 30     # "tại" this close to the sentence start opens it (after its time)
_DELEGATION_REACH = 100  # a delegation's name

_VISITOR_VOTE = {"cn": "inbound", "vn": "outbound"}
_HOST_VOTE = {"vn": "inbound", "cn": "outbound"}


def _words(xs, flags: int = 0) -> re.Pattern:
    return compile_words(sorted(xs, key=len, reverse=True), flags)


def _either_case(xs) -> set[str]:
    """The words with their first letter in either case (a sentence may open with one)."""
    return {v for w in xs if w for v in (w, w[0].upper() + w[1:], w[0].lower() + w[1:])}


def _ending(xs) -> re.Pattern:
    """One of ``xs`` as the last word before a position: ``search(text, lo, pos)``."""
    return re.compile(r"(?<![\w])(?:%s)\s*\Z" % trie_regex(xs))


class DirectionReader:
    def __init__(self, lexicon: dict):
        # One scan of each lead span finds every word that starts a piece of evidence (a
        # "trigger"); what decides whether it counts is then read in a few characters around
        # it. Words that contain a trigger but are not one ("tiếp tục", "trưởng đoàn") are
        # triggers of kind "skip": the scan takes the longest word, so they hide the shorter.
        kinds = [("skip", lexicon["receive_verb_not"] + lexicon["delegation_not"]),
                 ("delegation", lexicon["delegation_words"]),
                 ("receive", lexicon["receive_verbs"]),
                 ("visit", lexicon["visit_frames"]),
                 ("venue", lexicon["venue_words"]),
                 ("host_before", lexicon["host_frames_before"]),
                 ("passive", lexicon["passive_markers"]),
                 ("not_now", lexicon["not_now_markers"]),
                 ("online", lexicon["online_words"]),
                 ("border", lexicon["border_line_anywhere"])]
        self._kind: dict[str, str] = {}
        for kind, words in kinds:  # a word in two lists keeps the later list's kind
            self._kind.update((w.lower(), kind) for w in words)
        # A trie of the words in either case of their first letter: 3x faster than an
        # alternation under IGNORECASE.
        self._trigger = compile_terms(_either_case(w for _, ws in kinds for w in ws))
        self._boundary = sentence_boundary(lexicon)
        self._host_listing = _words(lexicon["host_listing_words"])
        self._passive_not_after = _ending(lexicon["passive_not_after"])
        self._visit_not_after = _ending(lexicon["visit_frame_not_after"])
        self._route = _words(lexicon["route_openers"])
        self._crossing = _words(lexicon["crossing_verbs"], re.IGNORECASE)
        self._purpose = re.compile(r"\s+(?:%s)(?![\w])" % "|".join(
            map(re.escape, sorted(lexicon["abroad_purposes"], key=len, reverse=True))))
        fillers = sorted(set(lexicon["venue_fillers"]) | set(lexicon["place_prefixes"]),
                         key=len, reverse=True)
        # Words allowed between a frame and its place: prefixes, buildings, spaces, commas.
        self._filler = re.compile(r"(?:[\s,(]+|(?:%s)(?![\w]))*" % trie_regex(fillers))
        self._vn_building = _words(lexicon["vn_host_buildings"])
        # "đang có chuyến thăm và làm việc tại tỉnh.": the province or city the paper is of, named
        # by its level word alone (a Chinese venue is named)
        home = lexicon.get("vn_home_venues") or []
        self._vn_home_venue = re.compile(r"\s*(?:%s)(?=\s*(?:[.,;]|$)|\s+(?:từ|trong|vào|ngày|sáng|chiều|tối)\s)" % "|".join(
            map(re.escape, sorted(home, key=len, reverse=True)))) if home else None
        self._event = compile_terms(_either_case(lexicon["venue_event_words"]))
        self._venue_not_after = compile_terms(lexicon["venue_not_after"])
        self._border_line = re.compile(r"\s+(?:%s)(?![\w])" % "|".join(
            map(re.escape, sorted(lexicon["border_line_venues"], key=len, reverse=True))))
        self._gate = re.compile(r"\s+(?:%s)(?![\w])" % "|".join(map(re.escape, lexicon["border_gate_words"])))
        self._delegation_end = _words(lexicon["delegation_name_ends"])

    # ------------------------------------------------------------------ parties in the lead
    @staticmethod
    def _parties(text: str, lead: Lead, mentions: list[ResolvedMention]) -> list[tuple[int, int, str]]:
        """(start, end, country) of each place or country named in the lead, in text order."""
        parties = []
        starts = [m.start for m in mentions]
        in_order = all(a <= b for a, b in zip(starts, starts[1:]))
        for lo, hi in lead.spans:
            # Mentions come in text order (else all are walked): the span's are found by bisection.
            first, last = ((bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi)) if in_order
                           else (0, len(mentions)))
            parties += [(m.start, m.end, m.locality.country) for m in mentions[first:last]
                        if lo <= m.start < hi and m.locality is not None]
            for c in _COUNTRY.finditer(text, lo, hi):
                # "Việt Nam - Trung Quốc" names the relation, neither country a party.
                if not (_PAIRED_AFTER.match(text, c.end())
                        or _PAIRED_BEFORE.search(text, max(lo, c.start() - 16), c.start())):
                    parties.append((c.start(), c.end(), "cn" if c.group(0) == "Trung Quốc" else "vn"))
        parties.sort()
        # "Thượng Hải (Trung Quốc)": the country right after a place only qualifies it.
        return [p for i, p in enumerate(parties)
                if not (i and p[2] == parties[i - 1][2] and text[p[0]:p[1]] in _COUNTRY_NAMES
                        and _QUALIFIER_GAP.fullmatch(text, parties[i - 1][1], p[0]))]

    def _sentences(self, text: str, lo: int, hi: int):
        pos = lo
        for m in self._boundary.finditer(text, lo, hi):
            end = m.start(1) if m.start(1) >= 0 else m.start()
            if end > pos:
                yield pos, end
            pos = m.end()
        if hi > pos:
            yield pos, hi

    # ------------------------------------------------------------------ reading
    def read(self, text: str, lead: Lead, mentions: list[ResolvedMention],
             has_partner: bool) -> tuple[str, list[str]]:
        if not has_partner:
            return "none", []
        parties = self._parties(text, lead, mentions)
        starts = [p[0] for p in parties]
        # votes[tier][direction]; tier 0 = where (venue, journey, passive), 1 = who received
        # whom, 2 = delegations' names.
        votes = [{"inbound": 0, "outbound": 0} for _ in range(3)]
        at_gate = False
        for lo, hi in lead.spans:
            bounds = list(self._sentences(text, lo, hi))
            firsts = [b[0] for b in bounds]
            sentences: dict[int, _Sentence] = {}  # made when evidence is found in them
            for m in self._trigger.finditer(text, lo, hi):
                kind = self._kind.get(m.group(0).lower())
                if kind == "skip" or kind is None:
                    continue
                if kind in ("online", "border"):
                    return "unknown", []
                i = bisect.bisect_right(firsts, m.start()) - 1
                st = sentences.get(i)
                if st is None:
                    st = sentences[i] = _Sentence(text, *bounds[i], parties, starts)
                if m.start() >= st.end:
                    continue  # after a marker of another time (below)
                if kind == "not_now":
                    st.end = m.start()  # the rest of the sentence is said of another time
                elif kind == "passive":
                    if not self._passive_not_after.search(text, max(st.start, m.start() - 12), m.start()):
                        st.passives.append((m.start(), m.end()))
                elif kind == "venue":
                    if self._border_line.match(text, m.end()):
                        return "unknown", []  # "tại cột mốc": on the border line
                    at_gate = at_gate or self._gate.match(text, m.end()) is not None
                    self._on_venue(m, st, votes)
                elif kind == "visit":
                    self._on_visit(m, st, votes)
                elif kind == "host_before":
                    country = st.place_before(m.start(), 40)  # "do tỉnh X đăng cai"
                    if country:
                        votes[0][_HOST_VOTE[country]] += 1
                elif kind == "receive":
                    self._on_receive(m, st, votes)
                elif kind == "delegation":
                    self._on_delegation(m, st, votes)
        for tier, tally in enumerate(votes):
            if tally["inbound"] != tally["outbound"]:
                return max(tally, key=tally.get), []
            if tier == 1 and at_gate:
                return "unknown", []  # met at the border gate; nothing says who crossed
        return "unknown", ["direction of the visit not stated in the lead"]

    def _on_venue(self, m: re.Match, st: "_Sentence", votes: list) -> None:
        text = st.text
        if self._venue_not_after.search(text, max(st.start, m.start() - _NOT_AFTER_REACH), m.start()):
            return  # "Tổng Lãnh sự quán Việt Nam tại ...": where a consulate is
        # "Tại X, ..." / "Chiều 29/10, tại X, ...": a place adverbial opening its clause.
        opens = (m.start() - st.start <= _OPENING_REACH
                 or text[max(st.start, m.start() - 3):m.start()].rstrip().endswith(","))
        # (a venue pointing back, "tại thành phố này", ends a sentence its meeting word opens)
        points_back = _THIS_PLACE.match(text, m.end(), st.end) is not None
        reach = m.start() - st.start if points_back else _CONTEXT_REACH
        if not opens and not self._event.search(text, max(st.start, m.start() - reach), m.start()):
            return
        country = st.place_right_after(m.end(), self._filler)
        if country is None:
            gap = self._filler.match(text, m.end(), st.end)
            if self._vn_building.search(text, m.end(), gap.end()):
                country = "vn"  # "tại trụ sở UBND tỉnh": the host's own building
            elif self._vn_home_venue is not None and self._vn_home_venue.match(text, m.end(), st.end):
                country = "vn"
            elif points_back:
                # "tại thành phố này", "tại trụ sở chính quyền thành phố này": the place the
                # sentence named last
                country = st.place_before(m.start(), m.start() - st.start)
        if country:
            votes[0][_HOST_VOTE[country]] += 1

    def _on_visit(self, m: re.Match, st: "_Sentence", votes: list) -> None:
        text = st.text
        lo = max(st.start, m.start() - 40)
        if self._visit_not_after.search(text, lo, m.start()) or self._route.search(text, lo, m.start()):
            return
        country = st.place_right_after(m.end(), self._filler)
        if country:
            votes[0][_HOST_VOTE[country]] += 1
        crossing = self._crossing.match(text, m.start())
        if crossing and self._purpose.match(text, crossing.end()):
            # "X sang thăm / sang dự ...": X crossed the border.
            country = st.place_before(m.start(), _SUBJECT_REACH)
            if country:
                votes[0][_VISITOR_VOTE[country]] += 1

    def _on_receive(self, m: re.Match, st: "_Sentence", votes: list) -> None:
        text = st.text
        passive = next((p for p in reversed(st.passives) if p[0] >= m.start() - _PASSIVE_REACH), None)
        if passive is not None:
            # "X đã được Y tiếp": Y (between được and the verb) hosts, else X visits.
            host = st.place_between(passive[1], m.start())
            if host:
                votes[0][_HOST_VOTE[host]] += 1
            else:
                visitor = st.place_before(passive[0], _SUBJECT_REACH)
                if visitor:
                    votes[0][_VISITOR_VOTE[visitor]] += 1
            return
        if _COUNTED_OBJECT.match(text, m.end()):
            return  # "Quảng Ninh đón hơn 19 triệu lượt khách": visitors counted, not a delegation
        host = st.place_before(m.start(), _SUBJECT_REACH)
        if host:
            votes[1][_HOST_VOTE[host]] += 1
        if _OPENS_PUNCT.match(text, m.end()):
            return  # "Mở đầu buổi tiếp, ...": the noun, naming no one
        nxt = st.next_place(m.end(), _OBJECT_REACH)
        if nxt is None:
            return
        listing = self._host_listing.search(text, m.end(), min(nxt[0], m.end() + _HOST_LIST_REACH))
        votes[1][(_HOST_VOTE if listing else _VISITOR_VOTE)[nxt[1]]] += 1

    def _on_delegation(self, m: re.Match, st: "_Sentence", votes: list) -> None:
        stop = self._delegation_end.search(st.text, m.end(), min(st.end, m.end() + _DELEGATION_REACH))
        nxt = st.next_place(m.end(), (stop.start() if stop else st.end) - m.end())
        if nxt:
            votes[2][_VISITOR_VOTE[nxt[1]]] += 1


# What a reception verb takes when it counts visitors: "đón hơn 19 triệu lượt khách", "đón 2.000 du khách".
_COUNTED_OBJECT = re.compile(
    r"\s+(?:(?:hơn|gần|khoảng|trên|tới|thêm|được|tổng cộng)\s+)*(?:\d|lượt(?![\w])|du khách|khách du lịch)")
# "tại (trụ sở chính quyền) thành phố này": a venue named by pointing back, up to four words in.
_THIS_PLACE = re.compile(r"(?:\s+[^\s,.;:]+){0,4}?\s+(?:thành phố|tỉnh|huyện|châu|địa phương|khu tự trị) này(?![\w])")


class _Sentence:
    """A sentence (or its part before a marker of another time) and the parties named in it."""

    __slots__ = ("text", "start", "end", "parties", "first", "last", "venues", "passives")

    def __init__(self, text: str, start: int, end: int, parties: list, starts: list[int]):
        self.text, self.start, self.end, self.parties = text, start, end, parties
        self.first = bisect.bisect_left(starts, start)
        self.last = bisect.bisect_left(starts, end)
        self.venues: set[int] = set()
        self.passives: list[tuple[int, int]] = []  # "được" (not "đạt được") seen so far

    def next_place(self, pos: int, reach: int) -> tuple[int, str] | None:
        limit = min(self.end, pos + reach)
        for s, _e, country in self.parties[self.first:self.last]:
            if s >= pos:
                return (s, country) if s < limit else None
        return None

    def place_right_after(self, pos: int, filler: re.Pattern) -> str | None:
        """The country of a party named at pos, with only prefixes or buildings before it. The
        party is a place of the meeting, no longer a candidate subject (``place_before``)."""
        gap = filler.match(self.text, pos, self.end)
        nxt = self.next_place(pos, self.end - pos)
        if nxt and nxt[0] <= gap.end():
            self.venues.add(nxt[0])
            return nxt[1]
        return None

    def place_before(self, pos: int, reach: int) -> str | None:
        """The country of the nearest party named before pos within reach."""
        lo = max(self.start, pos - reach)
        for s, e, country in reversed(self.parties[self.first:self.last]):
            if e <= pos and s not in self.venues:
                return country if s >= lo else None
        return None

    def place_between(self, lo: int, hi: int) -> str | None:
        for s, _e, country in self.parties[self.first:self.last]:
            if lo <= s < hi:
                return country
        return None
