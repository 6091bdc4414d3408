"""Which localities an article mentions, and which of them are parties to the meeting.

Ambiguous names ("Hà Nam" is a Vietnamese province and Henan; "Trùng Khánh" is Chongqing and a
district of Cao Bằng) are read as Chinese only on evidence in the text ("(Trung Quốc)",
"Khu tự trị", "thành phố" before a name that is only a district in Vietnam, a Chinese title
before it); one piece of evidence settles every mention of that name in the article.
Otherwise the Vietnamese reading is kept and a warning says so.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from ..gazetteer import Gazetteer, Locality, Mention
from ..matching import compile_words, compile_words_then
from .lead import Lead
from .text import Sentences, SpanSet

_SUBPROVINCIAL = ("district", "urban_district", "town", "ward", "commune")
_DISTRICT_KINDS = ("district", "urban_district", "town")  # what "huyện", "quận", "thị xã" can name  # homonym kinds a "thành phố" prefix rules out
_COORDINATION = re.compile(r"^\s*(?:,|và|với|-|–|cùng)\s*$")
# Text joining two place names, or a time opening a clause, is never longer than this
# (" (Trung Quốc) và Khu tự trị dân tộc Choang " is 43 characters).
_JOIN_MAX = 60
# A generated Chinese name's province or prefecture named this close settles it ("Dương Châu,
# tỉnh Giang Tô", "Hà Khẩu (Vân Nam)"), and so does a level word before it with China or a
# Chinese province this close in the same sentence ("thành phố Thiệu Hưng ... Chiết Giang").
_NEAR = 120
_PARENT_AFTER = 40
# Places listed together in one clause from this many on are the members of an event
# ("các tỉnh Lai Châu, Lào Cai, Điện Biên và Vân Nam"), a bilateral meeting names two.
_MEMBER_LIST = 3


class _MentionIndex:
    """An article's place mentions (in text order) with what reading one mention needs from
    the others, found without walking all of them: those inside a span (bisection on their
    starts), and whether another mention names a locality (counts per name). Each walk took
    time in mentions × mentions, which grows with the square of an article's length."""

    def __init__(self, mentions: list[Mention]):
        self.mentions = mentions
        self.starts = [m.start for m in mentions]
        self._names: dict[str, dict[str, int]] | None = None

    def within(self, lo: int, hi: int) -> list[Mention]:
        """The mentions inside [lo, hi], in text order."""
        first, last = bisect.bisect_left(self.starts, lo), bisect.bisect_right(self.starts, hi)
        return [o for o in self.mentions[first:last] if o.end <= hi]

    def named_by_others(self, m: Mention, country: str, names: list[str | None]) -> set[str | None]:
        """Those of ``names`` that a candidate of ``country`` of another mention than ``m`` has."""
        if self._names is None:
            self._names = {}
            for o in self.mentions:
                for c in o.candidates:
                    counts = self._names.setdefault(c.country, {})
                    counts[c.name] = counts.get(c.name, 0) + 1
        counts = self._names.get(country, {})
        own = [c.name for c in m.candidates if c.country == country]
        return {n for n in names if counts.get(n, 0) > own.count(n)}


@dataclass
class ResolvedMention:
    start: int
    end: int
    surface: str
    locality: Locality | None  # None: the Vietnamese sub-provincial homonym
    ambiguous: bool
    by_default: bool  # ambiguous and read the default (Vietnamese) way
    party: bool = False


class PlaceResolver:
    def __init__(self, gazetteer: Gazetteer, lexicon: dict):
        self.gaz = gazetteer
        esc = lambda xs: "|".join(re.escape(x) for x in sorted(xs, key=len, reverse=True))  # noqa: E731
        # Word lists searched for in every sentence or before every mention: compiled to start
        # on a literal (matching.compile_words), the same matches as the plain alternation.
        longest_first = lambda xs: sorted(xs, key=len, reverse=True)  # noqa: E731
        self._cn_before = re.compile(r"(?:%s)" % esc(lexicon["china_markers_before"]))
        self._cn_after = re.compile(r"^\s*(?:%s)" % esc(lexicon["china_markers_after"]))
        self._vn_after = re.compile(r"^\s*(?:\(Việt Nam\)|, Việt Nam)")
        self._province_word_before = re.compile(r"(?:^|\s)(?:tỉnh|Tỉnh)\s+$")
        self._city_prefix = re.compile(r"(?:^|\s)(?:%s)\s*$" % esc(lexicon["city_prefixes"]))
        self._district_prefix = re.compile(r"(?:^|\s)(?:%s)\s*$" % esc(lexicon["district_prefixes"]))
        # Any level word right before a name: a Vietnamese district counts with one.
        self._level_prefix = re.compile(r"(?:^|\s)(?:%s)\s*$" % esc(
            [*lexicon["city_prefixes"], *lexicon["district_prefixes"], "châu", "Châu", "khu", "Khu"]))
        # A county-level word right before a Chinese name ("khu Phòng Thành", "huyện Hà Khẩu"):
        # the county, where a prefecture goes by the same name too.
        self._county_prefix = re.compile(r"(?:^|\s)(?:%s)\s*$" % esc(
            [*lexicon["district_prefixes"], "khu", "Khu"]))
        self._china = re.compile(r"Trung Quốc")
        # A river, mountain or lake of the name is no place ("sông Lan Thương - Mê Kông").
        self._feature_before = re.compile(r"(?:^|\s)(?:sông|Sông|núi|Núi|hồ|Hồ|đèo|Đèo|vịnh|Vịnh|dãy|Dãy)\s*$")
        self._surnames = frozenset(lexicon["surnames"])
        self._mostly_given = frozenset(lexicon.get("surnames_mostly_given") or ())
        self._next_word = re.compile(r" ([^\W\d_]+)(?![\w])")
        person_before = [w for w in lexicon["surnames"] if w not in set(lexicon["surnames_also_words"])]
        self._surname_before = compile_words_then(longest_first(person_before), " $")
        # "ông Phí Đông Bình": after an honorific and one capitalized syllable (a family name
        # the list lacks), a place name is the rest of the person's name.
        self._honorific_syllable_before = re.compile(r"(?<![\w])(?:%s) [^\W\d_][^\W\d_A-Z]{0,6} $" % esc(
            lexicon["honorifics"]))
        self._party_cue = compile_words(longest_first(lexicon["party_cues"]), re.IGNORECASE)
        self._giua_end = re.compile(r"(?<![\w])giữa\s*$")
        # "tại (thành phố) X": X named as where a meeting is held
        self._venue_before = re.compile(r"(?<![\w])tại\s+(?:(?:%s)\s+)?$" % esc(lexicon["place_prefixes"]))
        # "tiếp giáp", "tiếp tục", "đón đầu": words that begin with a cue and mean something else
        not_cues = lexicon.get("party_cues_not") or []
        self._not_party_cue = compile_words(longest_first(not_cues), re.IGNORECASE) if not_cues else None
        peoples = lexicon.get("autonomous_peoples") or []
        # "... dân tộc Miêu, Dao, Thái " before a name: the peoples an autonomous unit is named for
        people = r"(?:%s)" % esc(peoples) if peoples else None
        self._peoples_at_end = re.compile(r"(?<=dân tộc)\s+%s(?:\s*,\s*%s|\s+và\s+%s)*\s*$" % (
            people, people, people)) if people else None
        self._prefix_at_end = re.compile(r"(?:%s)%s\s*$" % (esc(lexicon["place_prefixes"]), (
            r"(?:\s+%s(?:\s*,\s*%s|\s+và\s+%s)*)?" % (people, people, people)) if people else ""))
        # Subjects (see lexicon.yml's party_cues_after); a lexicon without the lists has none.
        after = lexicon.get("party_cues_after") or []
        self._cue_after = compile_words(longest_first(after)) if after else None
        senders = lexicon.get("sender_cues") or []
        self._sender_cue = compile_words(longest_first(senders)) if senders else None
        not_after = lexicon.get("party_cues_after_not") or []
        self._not_cue_after = re.compile(r"(?:%s)(?![\w])" % esc(not_after)) if not_after else None
        # "Hồ Chí Minh" alone is the person (Chủ tịch Hồ Chí Minh, tư tưởng Hồ Chí Minh); the city
        # is written with its prefix ("TP Hồ Chí Minh", "Thành phố Hồ Chí Minh").
        self._person_names = frozenset(lexicon.get("places_named_after_people") or ())
        self._city_prefix_right_before = re.compile(
            r"(?:%s)\s*$" % esc(lexicon["city_prefixes"]))
        # "Tổng Lãnh sự Việt Nam tại Côn Minh": the seat of a mission only locates it.
        missions = lexicon.get("mission_words") or []
        self._mission_seat = compile_words_then(
            longest_first(missions), r"(?:\s+[^\s,;.]+){0,6}\s+tại\s+(?:(?:%s)\s+)?$"
            % esc(lexicon["place_prefixes"])) if missions else None
        side = lexicon.get("side_event_words") or []
        self._side_event = compile_words(longest_first(side), re.IGNORECASE) if side else None
        self._prefix_after = re.compile(r"(?:%s)\s+" % esc(lexicon["place_prefixes"]))
        side_meeting = lexicon.get("side_meeting_words") or []
        self._side_meeting = compile_words(longest_first(side_meeting), re.IGNORECASE) if side_meeting else None
        # "đoàn châu Hồng Hà", "Đoàn đại biểu tỉnh Lào Cai": the place a delegation comes from.
        self._delegation_of = compile_words_then(longest_first(lexicon["delegation_words"]),
                                                 r"\s+(?:(?:%s)\s+)?$" % esc(lexicon["place_prefixes"]))
        other_event = lexicon.get("other_event_words") or []
        self._other_event = compile_words(longest_first(other_event), re.IGNORECASE) if other_event else None
        national = lexicon.get("national_offices") or []
        self._national_office = re.compile(r"(?:%s)(?![\w])" % esc(national)) if national else None
        openers = lexicon.get("subject_openers") or []
        # A time before the subject: "Sáng 5/3", "Ngày 26-11-2024", "Hôm nay".
        self._opener = re.compile(r"^(?:(?:%s)\s*)?(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?)?$"
                                  % esc(openers)) if openers else re.compile(r"^$")

    def _starts_a_name(self, text: str, m: Mention) -> bool:
        """"Phó Thị trưởng Chu Hải Phong": a place name that begins with a family name and runs
        on into a capitalized word that is no family name is the start of a person's name.
        ("Hà Nội Nguyễn Văn A" is a place, then a name: the next word is a family name.)"""
        first = m.surface.split(" ", 1)[0]
        if first not in self._surnames or " " not in m.surface:
            return False
        nxt = self._next_word.match(text, m.end)
        if not (nxt and (nxt.group(1) not in self._surnames or nxt.group(1) in self._mostly_given)
                and nxt.group(1)[0].isupper()):
            return False
        # "Bí thư Thị ủy Sùng Tả Lăng Kiến Bình": two more capitalized words make the place, then
        # a name of three (a name of the place's two syllables and three more is no name)
        third = self._next_word.match(text, nxt.end())
        return not (third and third.group(1)[0].isupper() and m.surface.count(" ") == 1)

    def _after_honorific_and_syllable(self, text: str, m: Mention) -> bool:
        near = text[max(0, m.start - 20):m.start]
        if not ("ông " in near or "bà " in near or "Ông " in near or "Bà " in near or "chí " in near
                or "gài " in near):
            return False  # (most places: no honorific near)
        before = self._honorific_syllable_before.search(text, max(0, m.start - 20), m.start)
        if before is None:
            return False
        syllable = text[before.start():m.start].split()[-1]
        return syllable[0].isupper() and syllable[1:].islower()

    @staticmethod
    def _person_name(text: str, m: Mention) -> str:
        """The word before the mention, and the mention ("Phí Đông Bình")."""
        before = text[max(0, m.start - 8):m.start]
        return (before.rsplit(None, 1)[-1] if before.endswith(" ") and before.strip() else "") + " " + m.surface

    def _evidence(self, text: str, m: Mention, sentences: Sentences, mentions: _MentionIndex) -> str | None:
        """'cn' or 'vn' when the words around this mention settle its country."""
        left = self._past_peoples(text[max(0, m.start - 90):m.start])
        right = text[m.end:m.end + 20]
        if self._cn_after.match(right):
            return "cn"
        if self._vn_after.match(right):
            return "vn"
        level = self._level_word_evidence(text, sentences, m, mentions, left)
        if level:
            return level
        if m.vn_homonym in _SUBPROVINCIAL and (self._city_prefix.search(left)
                                               or self._district_prefix.search(left)):
            return "cn"  # "thành phố Trùng Khánh"; "huyện Hà Khẩu" (in Vietnam only a ward)
        # "Khu tự trị", "Thị trưởng", "Chính hiệp" a few words before (same clause); not the
        # "(Trung Quốc)" that closes the place before it ("tỉnh Hồ Nam (Trung Quốc), đoàn tỉnh X")
        clause = re.split(r"[.;:!?\n]", left)[-1]
        window = " ".join(clause.split()[-6:])
        marker = self._cn_before.search(window)
        if marker and not (marker.group(0) == "Trung Quốc" and window[:marker.start()].endswith("(")):
            return "cn"
        return self._parent_named(text, sentences, m, mentions)

    def _generated_evidence(self, text: str, sentences: Sentences, m: Mention,
                            mentions: _MentionIndex) -> str | None:
        """'cn' or 'vn' for a name only the generated Chinese gazetteer has (no curated row):
        settled by a country marker right after it, a Chinese title or "Khu tự trị" before
        it, its own province or prefecture named close by, or a level word before it
        ("thành phố", "huyện", "châu") with China or a Chinese province close by in its
        sentence. A level word alone, or China somewhere in the article, is not enough."""
        left = self._past_peoples(text[max(0, m.start - 90):m.start])
        left = left[left.rfind("\n") + 1:]  # a headline list: the line before is another text
        right = text[m.end:m.end + 20]
        if self._cn_after.match(right):
            return "cn"
        if self._vn_after.match(right):
            return "vn"
        level = self._level_word_evidence(text, sentences, m, mentions, left)
        if level:
            return level
        clause = re.split(r"[.;:!?\n]", left)[-1]
        window = " ".join(clause.split()[-6:])
        marker = self._cn_before.search(window)
        if marker and marker.group(0) != "Trung Quốc":  # "... Trung Quốc và Hòa Bình"
            return "cn"
        if self._parent_named(text, sentences, m, mentions):
            return "cn"
        level = self._level_prefix.search(left)
        lo, hi = self._near(text, sentences, m)
        near = [o for o in mentions.within(lo, hi) if o is not m]
        if level:
            if self._china.search(text, lo, hi) or any(
                    c.country == "cn" and c.is_provincial and not o.ambiguous
                    for o in near for c in o.candidates):
                return "cn"
            # "thành phố Chu Châu" in an article that names Hồ Nam, its province, elsewhere
            provinces = [c.province for c in m.candidates if c.country == "cn" and c.province != c.name]
            if provinces and mentions.named_by_others(m, "cn", provinces):
                return "cn"
        return None

    def _near(self, text: str, sentences: Sentences, m: Mention) -> tuple[int, int]:
        si = sentences.index_at(m.start)
        lo, hi = sentences.span(si) if si < len(sentences) else (0, len(text))
        # (a line break further back than _NEAR changes nothing: not looked for)
        line_start = text.rfind("\n", max(0, m.start - _NEAR), m.start) + 1
        lo, hi = max(lo, m.start - _NEAR, line_start), min(hi, m.end + _NEAR)
        eol = text.find("\n", m.end, hi)
        return lo, (hi if eol < 0 else eol)

    def _past_peoples(self, left: str) -> str:
        """The text before a name, less the list of peoples an autonomous unit's designation
        ends on ("huyện tự trị dân tộc Miêu, Dao, Thái | Kim Bình")."""
        if self._peoples_at_end is None or "dân tộc" not in left:
            return left[-60:]
        return self._peoples_at_end.sub("", left)[-60:]

    def _after_giua(self, tail: str) -> bool:
        """"(giao lưu ...) giữa huyện X": "giữa" right before the name and its designation."""
        return "giữa" in tail and self._giua_end.search(self._prefix_at_end.sub("", tail)) is not None

    def _level_word_evidence(self, text: str, sentences: Sentences, m: Mention,
                             mentions: _MentionIndex, left: str) -> str | None:
        """What a level word right before a name says of its country: "huyện X" names a
        Vietnamese district, unless the Chinese reading's own parent follows ("huyện Phú Ninh,
        châu Văn Sơn") and the Vietnamese one does not ("huyện Phú Ninh, tỉnh Quảng Nam");
        "tỉnh X" names the Vietnamese province (China has no "tỉnh" below its provinces)."""
        if m.vn_homonym in _DISTRICT_KINDS and self._district_prefix.search(left):
            if self._vn_province_after(m, mentions):
                return "vn"
            return self._parent_named(text, sentences, m, mentions) or "vn"
        return "vn" if self._province_level(left, m) else None

    def _vn_province_after(self, m: Mention, mentions: _MentionIndex) -> bool:
        """"huyện Phú Ninh, tỉnh Quảng Nam": the Vietnamese district's own province named right
        after it."""
        own = m.vn_district.name if m.vn_district is not None else None
        if own is None:
            return False
        return any(o.start - m.end <= _PARENT_AFTER and any(
            c.country == "vn" and c.is_provincial and c.name == own for c in o.candidates)
            for o in mentions.within(m.end, m.end + _PARENT_AFTER + 30) if o is not m)

    def _province_level(self, left: str, m: Mention) -> bool:
        """"tỉnh Thái Nguyên", "tỉnh Quảng Nam": China has no "tỉnh" below its provinces, so a
        name shared by a Vietnamese province and a Chinese city or county is the province."""
        return bool(self._province_word_before.search(left)) and any(
            c.country == "vn" and c.is_provincial for c in m.candidates) and not any(
            c.country == "cn" and c.is_provincial for c in m.candidates)

    def _parent_named(self, text: str, sentences: Sentences, m: Mention,
                      mentions: _MentionIndex) -> str | None:
        """'cn' when the Chinese reading's province or prefecture is named right after it
        ("Dương Châu, tỉnh Giang Tô", "Hà Khẩu (Vân Nam)"), or before it when a level word
        introduces it ("Vân Nam ... huyện Hà Khẩu")."""
        parents = {p for c in m.candidates if c.country == "cn" for p in (c.province, c.prefecture)
                   if p and p != c.name}
        if not parents:
            return None
        lo, hi = self._near(text, sentences, m)
        level = None
        for o in mentions.within(lo, hi):
            if o is m:
                continue
            if not any(c.country == "cn" and c.name in parents for c in o.candidates):
                continue
            if 0 <= o.start - m.end <= _PARENT_AFTER:
                return "cn"
            if o.end <= m.start:
                level = level or self._level_prefix.search(text, max(0, m.start - 20), m.start)
                if level:
                    return "cn"
        return None

    def _pick(self, text: str, m: Mention, country: str, mentions: _MentionIndex) -> Locality | None:
        """The candidate of ``country`` this mention means: among Chinese namesakes, a county
        when a county-level word stands before it, the one whose province or prefecture the
        article names, else the curated or higher-level one."""
        cands = [c for c in m.candidates if c.country == country]
        if len(cands) > 1 and country == "cn" and len({c.level == "county" for c in cands}) == 2 \
                and self._county_prefix.search(text, max(0, m.start - 12), m.start):
            cands = [c for c in cands if c.level == "county"]
        if len(cands) > 1:
            named = mentions.named_by_others(m, country, [n for c in cands for n in (c.province, c.prefecture)])
            for c in cands:
                if c.province in named or (c.prefecture and c.prefecture in named):
                    return c
        return cands[0] if cands else None

    def _district(self, text: str, m: Mention) -> Locality | None:
        """The province a Vietnamese district's name stands for: with its level word before it
        ("huyện Văn Lãng"), or alone when it is no other place's name and has two syllables."""
        if m.vn_district is None:
            return None
        if self._level_prefix.search(text, max(0, m.start - 20), m.start):
            return m.vn_district
        # alone: not a name communes elsewhere have too (so often a person's: "Thanh Bình")
        return m.vn_district if (not m.candidates and " " in m.surface
                                 and m.surface not in self.gaz.district_prefix_only) else None

    def resolve(self, text: str, sentences: Sentences) -> tuple[list[ResolvedMention], list[str]]:
        found = self.gaz.find(text)
        # "ông Phí Đông Bình ... Phó Thị trưởng Phí Đông Bình": a name an honorific showed to be a
        # person's is a person's wherever the article repeats it
        people = {self._person_name(text, m) for m in found if self._after_honorific_and_syllable(text, m)}
        mentions = [m for m in found
                    if not self._surname_before.search(text, max(0, m.start - 12), m.start)
                    and not self._starts_a_name(text, m)
                    and not (people and self._person_name(text, m) in people)
                    and not (m.surface in self._person_names and not self._city_prefix_right_before
                             .search(text, max(0, m.start - 12), m.start))]
        warnings: list[str] = []
        settled: dict[str, str] = {}
        mentions = [m for m in mentions if not (m.needs_evidence and self._feature_before.search(
            text, max(0, m.start - 6), m.start))]
        own: dict[int, str] = {}  # evidence that settles only its own mention
        index = _MentionIndex(mentions)
        for m in mentions:
            if m.ambiguous:
                ev = (self._generated_evidence(text, sentences, m, index) if m.needs_evidence
                      else self._evidence(text, m, sentences, index))
                if ev and _BULLET.match(text[text.rfind("\n", 0, m.start) + 1:m.start]):
                    # an item of a list (related headlines) is about another article:
                    # "- Đoàn tỉnh Hà Nam (Trung Quốc) ..." under a story on the Vietnamese Hà Nam
                    own[m.start] = ev
                elif ev and m.surface not in settled:
                    settled[m.surface] = ev
        out: list[ResolvedMention] = []
        defaulted: set[str] = set()
        for m in mentions:
            by_default = False
            if not m.candidates:  # only a Vietnamese district's name
                loc = self._district(text, m)
                if loc is None:
                    continue
            elif not m.ambiguous:
                loc = self._pick(text, m, m.candidates[0].country, index)
            else:
                country = own.get(m.start) or settled.get(m.surface)
                if country is None:
                    has_vn = m.vn_homonym is not None or any(c.country == "vn" for c in m.candidates)
                    if m.needs_evidence and not has_vn:
                        continue  # a generated Chinese name without evidence: not a place
                    country, by_default = "vn", True
                    # warned as before: a curated Chinese name, or a Vietnamese district's
                    # (not a province merely sharing a generated county's name: "Quảng Ninh")
                    if not m.needs_evidence or not any(c.country == "vn" for c in m.candidates):
                        defaulted.add(m.surface)
                loc = self._pick(text, m, country, index)
                if loc is None and country == "vn":
                    loc = self._district(text, m)
            out.append(ResolvedMention(m.start, m.end, m.surface, loc, m.ambiguous, by_default))
        for surface in sorted(defaulted):
            warnings.append(f"ambiguous place '{surface}' read as Vietnamese (no sign of China)")
        return out, warnings

    def mark_parties(self, text: str, sentences: Sentences, mentions: list[ResolvedMention],
                     title_spans: list[tuple[int, int]], represented: set[int],
                     lead: Lead | None = None) -> None:
        """Set ``party`` on mentions whose place takes part in the meeting.

        A mention is a party when words of meeting or delegation stand a few words before it
        in its clause ("tiếp đoàn đại biểu thành phố ...", "hợp tác giữa ... và ..."), or when
        it is the place an official's title names first (``represented``). A place that only
        appears further inside a title ("..., Bí thư Thành ủy Urumqi") is not a party.
        In the ``lead`` (the title and the lead paragraphs), places that open their clause and are
        followed by words of meeting are parties too (``_mark_subjects``).
        """
        in_titles = SpanSet(title_spans)
        prev: ResolvedMention | None = None
        prev_sentence = -1
        for m in mentions:
            si = sentences.index_at(m.start)
            in_title = m.start in in_titles
            lo = sentences.starts[si] if si < len(sentences) else 0
            if self._mission_seat is not None and self._mission_seat.search(
                    text, max(lo, m.start - 120), m.start):
                m.party = False  # the seat of a mission, also inside its head's title
            elif m.start in represented:
                m.party = True
            elif in_title:
                m.party = False
            else:
                lo = sentences.starts[si] if si < len(sentences) else 0
                if prev is not None and prev_sentence == si:
                    lo = max(lo, prev.end)
                left = text[lo:m.start]
                if prev is not None and prev_sentence == si and self._coordinated(left):
                    m.party = prev.party
                else:
                    # the words before the place's designation ("đoàn Chính phủ nhân dân | Khu
                    # tự trị dân tộc Choang | Quảng Tây"): a long designation is not distance
                    tail = left[-60:]
                    # (only long designations matter, and they hold one of these words)
                    prefix = self._prefix_at_end.search(tail) if (
                        "tự trị" in tail or "dân tộc" in tail or "hành chính" in tail) else None
                    long_prefix = prefix is not None and prefix.group(0).count(" ") >= 3
                    window = " ".join((tail[:prefix.start()] if long_prefix else left).split()[-8:])
                    cue = self._party_cue.search(window)
                    if cue and self._not_party_cue is not None:
                        cue = self._party_cue.search(self._not_party_cue.sub(" ", window))
                    m.party = bool(cue) or (lead is not None and self._after_giua(tail) and m.start in lead)
            prev, prev_sentence = m, si
        if self._side_event is not None:
            self._unmark_side_event_hosts(text, sentences, mentions, represented)
        # Lines that are not running text (related headlines, menus, tags) name no party,
        # outside the title and the lead, which _mark_subjects reads.
        line_end, running = -1, True
        running_at: dict[int, bool] = {}
        for m in mentions:
            if m.start >= line_end:
                line_start = text.rfind("\n", 0, m.start) + 1
                line_end = text.find("\n", m.start)
                line_end = len(text) if line_end < 0 else line_end
                running = _is_running_text(text[line_start:line_end])
            running_at[m.start] = running
            if not running and not (lead is not None and m.start in lead):
                m.party = False
        if lead is not None and self._cue_after is not None:
            self._mark_subjects(text, sentences, [m for m in mentions if m.start in lead],
                                in_titles, self._cue_after)
        if self._sender_cue is not None:
            self._mark_subjects(text, sentences, [m for m in mentions if running_at[m.start]],
                                in_titles, self._sender_cue)
        if lead is not None:
            self._unmark_other_events(text, sentences, mentions, represented, lead)
            self._unmark_larger_event_members(text, sentences, mentions, lead)
        self._unmark_venues_within_a_party(text, sentences, mentions, represented)
        if lead is not None:
            self._mark_prefectures_of_party_counties(text, mentions, lead)

    @staticmethod
    def _mark_prefectures_of_party_counties(text: str, mentions: list[ResolvedMention], lead: Lead) -> None:
        """A county that takes part brings the prefecture the lead names as its locator ("trấn
        Kim Xưởng (huyện Mã Quan, châu Văn Sơn, ...)" ... "lãnh đạo hai huyện Mường Khương và Mã
        Quan"): the prefecture named right after one of the county's mentions is a party too."""
        party_counties = {m.locality.name: m.locality.prefecture for m in mentions
                          if m.party and m.locality is not None and m.locality.country == "cn"
                          and m.locality.prefecture}
        if not party_counties:
            return
        for i, m in enumerate(mentions[:-1]):
            if m.locality is None or m.locality.name not in party_counties or m.start not in lead:
                continue
            o = mentions[i + 1]
            if (not o.party and o.locality is not None and o.locality.name == party_counties[m.locality.name]
                    and o.start - m.end <= _PARENT_AFTER and "." not in text[m.end:o.start]):
                o.party = True

    def _unmark_venues_within_a_party(self, text: str, sentences: Sentences,
                                      mentions: list[ResolvedMention], represented: set[int]) -> None:
        """"Lạng Sơn và Quảng Tây hội đàm tại Nam Ninh": a Chinese city named as the venue ("tại")
        of a meeting whose party, named apart in the same sentence, is the city's own province,
        only locates the meeting. (Named as the place visited, with its province after it as
        its locator — "làm việc tại huyện Giang Thành, thành phố Phổ Nhĩ" — it is the party.)"""
        starts = [o.start for o in mentions]
        for m in mentions:
            loc = m.locality
            if (not m.party or loc is None or loc.country != "cn" or loc.is_provincial
                    or m.start in represented or not self._venue_before.search(text, max(0, m.start - 30), m.start)):
                continue
            si = sentences.index_at(m.start)
            lo, hi = sentences.span(si) if si < len(sentences) else (0, len(text))
            parents = {loc.province, loc.prefecture} - {None, loc.name}
            # the mentions of its sentence (by bisection: a long article has many)
            for o in mentions[bisect.bisect_left(starts, lo):bisect.bisect_left(starts, hi)]:
                if o is m or not o.party or o.locality is None or o.locality.name not in parents:
                    continue
                if o.start > m.end and o.start - m.end <= _PARENT_AFTER:
                    continue  # its locator ("Giang Thành, thành phố Phổ Nhĩ")
                m.party = False
                break

    def national_host(self, officials: list, lead: Lead) -> bool:
        """Whether a Vietnamese official named in the lead holds a national office ("Thủ tướng
        ... tiếp Bí thư Tỉnh ủy Vân Nam"): then the Vietnamese side is national, and the most
        mentioned Vietnamese place (the venue, a province named in passing) is no party."""
        if self._national_office is None:
            return False
        return any(o.side == "vn" and o.title and self._national_office.match(o.title)
                   and any(s in lead for s, _ in o.title_spans) for o in officials)

    def _unmark_other_events(self, text: str, sentences: Sentences,
                            mentions: list[ResolvedMention], represented: set[int],
                            lead: Lead) -> None:
        """"Theo chương trình, đoàn sẽ thăm Côn Minh", "Trước đó, đoàn đã làm việc tại Thẩm
        Dương", "đoàn còn gặp lãnh đạo một số địa phương như ...": outside the title and the
        lead's paragraph that reports the meeting (the paragraph after it too), a sentence
        with one of lexicon.yml's other_event_words reports another stop of the trip (planned,
        earlier or further) or a past event, not the meeting the article reports. Its places are not parties
        by that mention, unless an official's title there names them or a delegation is named
        after them ("đoàn châu Hồng Hà sẽ ...": the travellers, wherever they go next)."""
        if self._other_event is None:
            return
        verdict: dict[int, bool] = {}  # sentence index -> whether it reports another event
        for m in mentions:
            if not m.party or m.start in represented or (m.start in lead and (
                    lead.in_report(m.start) or lead.report is None or m.start < lead.report[0])):
                continue
            si = sentences.index_at(m.start)
            if si not in verdict:
                lo, hi = sentences.span(si) if si < len(sentences) else (0, len(text))
                verdict[si] = self._other_event.search(text, lo, hi) is not None
            if verdict[si] and not self._delegation_of.search(text, max(0, m.start - 40), m.start):
                m.party = False

    def _unmark_larger_event_members(self, text: str, sentences: Sentences,
                                     mentions: list[ResolvedMention], lead: Lead) -> None:
        """When the lead reports a meeting held on the occasion of a larger one ("hội kiến song
        phương", "bên lề", "trước thềm", "nhân dịp tham dự": lexicon.yml's side_meeting_words),
        a list of three or more places joined in one clause ("Bí thư Tỉnh ủy các tỉnh A, B, C
        và D", "lãnh đạo 4 tỉnh A, B, C, D") names the larger event's members, not the parties
        of the meeting reported: none of them is a party by that mention, whatever title
        introduces the list. The parties are named on their own elsewhere."""
        if self._side_meeting is None or not any(
                self._side_meeting.search(text, s, e) for s, e in lead.spans):
            return
        run: list[ResolvedMention] = []
        run_sentence = -1
        for m in mentions + [None]:  # None closes the last run
            si = sentences.index_at(m.start) if m is not None else -2
            if m is not None and run and si == run_sentence \
                    and self._coordinated(text[run[-1].end:m.start]):
                run.append(m)
                continue
            if len(run) >= _MEMBER_LIST:
                for r in run:
                    r.party = False
            run, run_sentence = ([m], si) if m is not None else ([], -1)

    def _unmark_side_event_hosts(self, text: str, sentences: Sentences,
                                 mentions: list[ResolvedMention], represented: set[int]) -> None:
        """"Bên lề Hội nghị giữa các tỉnh A, B, C và D, ..., X đã hội kiến Y": the members of the
        conference a side meeting is held at are not its parties (unless an official's title
        names them). The phrase runs from the side-event word to the first comma that no place
        name follows."""
        starts = {m.start for m in mentions}
        k = 0
        for si in sorted({sentences.index_at(m.start) for m in mentions}):
            lo, hi = sentences.span(si) if si < len(sentences) else (0, len(text))
            cue = self._side_event.search(text, lo, hi)
            if cue is None:
                continue
            end = hi
            for comma in re.finditer(r",\s*", text[cue.end():hi]):
                after = cue.end() + comma.end()
                prefix = self._prefix_after.match(text, after)
                if (prefix.end() if prefix else after) not in starts:
                    end = cue.end() + comma.start()
                    break
            while k < len(mentions) and mentions[k].start < cue.end():
                k += 1
            j = k
            while j < len(mentions) and mentions[j].start < end:
                if mentions[j].start not in represented:
                    mentions[j].party = False
                j += 1

    def _coordinated(self, between: str) -> bool:
        """Whether the text between two place names joins them ("và", "-", "," ...), also
        after a country marker or before a prefix: "Thâm Quyến (Trung Quốc) và tỉnh ..."."""
        if len(between) > _JOIN_MAX:  # the usual case, and the prefix pattern scans the whole text
            return False
        return bool(_COORDINATION.match(self._past_country(self._prefix_at_end.sub("", between))))

    def _past_country(self, after: str) -> str:
        """``after`` (the text after a place name) past a country marker that follows the name
        ("(Trung Quốc)", ", Việt Nam"), if one does."""
        marker = self._cn_after.match(after) or self._vn_after.match(after)
        return after[marker.end():] if marker else after

    def _mark_subjects(self, text: str, sentences: Sentences, mentions: list[ResolvedMention],
                       in_titles: SpanSet, cue: re.Pattern) -> None:
        """"Lạng Sơn và Quảng Tây (Trung Quốc) hội đàm": places joined as the subject of a
        clause, followed within a few words by ``cue`` (lexicon.yml's party_cues_after, read
        in the title and the lead, where the parties are named; its sender_cues, read in any
        running text), are parties. A place inside an official's title is not a subject."""
        group: list[ResolvedMention] = []  # the subject being read; [] when none can be
        sentence, hi = -1, 0  # the group's sentence and where it ends
        opens = False  # whether ``group`` opens its clause
        for m in mentions + [None]:  # None: the end, which closes the last group
            if m is not None and m.start in in_titles:
                m = None  # inside an official's title: closes the group, starts none
            si = sentences.index_at(m.start) if m is not None else -1
            if m is not None and group and sentence == si \
                    and self._coordinated(text[group[-1].end:m.start]):
                group.append(m)
                continue
            if group and opens and self._cue_follows(text[group[-1].end:hi], cue):
                for g in group:
                    g.party = True
            group = []
            if m is not None:
                lo, hi = sentences.span(si) if si < len(sentences) else (0, len(text))
                before = text[lo:m.start]
                before = before[max(before.rfind(","), before.rfind(";"), before.rfind(":")) + 1:]
                opens = len(before) <= _JOIN_MAX and bool(self._opener.match(
                    " ".join(self._prefix_at_end.sub("", before).split())))
                group, sentence = [m], si

    def _cue_follows(self, after: str, cue_words: re.Pattern) -> bool:
        """Whether ``cue_words`` follow within five words (after "(Trung Quốc)" and the like)."""
        window = " ".join(self._past_country(after[:200]).split()[:5])
        cue = cue_words.search(window)
        return cue is not None and not (self._not_cue_after is not None
                                        and self._not_cue_after.match(window, cue.start()))


_SENTENCE_END = re.compile(r"[.!?…][\"”’)]?\s*$")
_BULLET = re.compile(r"^\s*[-–•›·*+»▶]")


def _is_running_text(line: str) -> bool:
    """A line of running text ends a sentence and is no bulleted item: a related article's
    headline ("- Hà Nội tiếp đoàn thành phố Bắc Kinh"), a menu or a tag line is not."""
    return bool(_SENTENCE_END.search(line)) and not _BULLET.match(line)


def count_mentions(mentions: list[ResolvedMention], body_start: int) -> list[dict]:
    """Every locality mentioned in the body, with counts, most mentioned first."""
    counts = Counter(m.locality for m in mentions if m.locality and m.start >= body_start)
    rows = [{"name": loc.name, "name_vi": loc.name_vi, "country": loc.country, "level": loc.level,
             "province": loc.province, "count": n} for loc, n in counts.items()]
    return sorted(rows, key=lambda r: (-r["count"], r["country"], r["name"]))


# ", thuộc thành phố " and the like: the most that stands between a county and its city
PREFECTURE_APPOSITION_CHARS = 24


def partner_localities(mentions: list[ResolvedMention],
                       gazetteer: Gazetteer | None = None) -> list[Locality]:
    """Chinese parties, without a province that only locates a partner city in it. A county
    followed by its city ("huyện Hà Khẩu, châu Hồng Hà") brings the city in; a district
    of a municipality brings the municipality in (with ``gazetteer``): the municipality is its
    city as well as its province ("khu Từ Hối, thành phố Thượng Hải" meets as Shanghai too)."""
    seen: dict[str, Locality] = {}
    for i, m in enumerate(mentions):
        if m.party and m.locality and m.locality.country == "cn":
            seen.setdefault(m.locality.name, m.locality)
            # "khu Phòng Thành, thành phố Phòng Thành Cảng": a county designated by its city
            # meets as that city too (a municipality's district does: "quận Từ Hối, Thượng Hải")
            if m.locality.prefecture:
                for o in mentions[i + 1:i + 3]:
                    if (o.locality is not None and o.locality.name == m.locality.prefecture
                            and o.start - m.end <= PREFECTURE_APPOSITION_CHARS):
                        seen.setdefault(o.locality.name, o.locality)
    if gazetteer is not None:
        for loc in list(seen.values()):
            parent = gazetteer.get("cn", loc.province) if loc.province != loc.name else None
            if parent is not None and parent.level == "municipality":
                seen.setdefault(parent.name, parent)
    cities_in = {loc.province for loc in seen.values() if not loc.is_provincial}
    # A municipality stays beside its district: it is a city as well as a province.
    return [loc for loc in seen.values() if not (loc.is_provincial and loc.name in cities_in
                                                  and loc.level != "municipality")]


def vn_party_localities(mentions: list[ResolvedMention]) -> list[Locality]:
    seen: dict[str, Locality] = {}
    for m in mentions:
        if m.party and m.locality and m.locality.country == "vn":
            seen.setdefault(m.locality.name, m.locality)
    return list(seen.values())
