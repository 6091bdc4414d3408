"""Officials named with their titles, and which side (Vietnam or China) each represents.

A person is an official when a title stands right before the name ("Phó Thị trưởng TP Quảng
Châu Lại Chí Hồng") or right after it ("bà Trương Quốc Trí, Phó Thị trưởng thành phố Trùng
Khánh"). Sino-Vietnamese renderings of Chinese names share surnames with Vietnamese names, so
the side comes from the title: the first place it names, else words only one side uses
("Thị trưởng", "Chính hiệp" for China; "UBND", "HĐND" for Vietnam).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from itertools import accumulate

from ..gazetteer import Locality
from ..matching import compile_words_then

_WORD = re.compile(r"[^\W\d_]+|\(Trung Quốc\)|\(Việt Nam\)|[,\-–(;:]")  # ";" ":" end a title
# Last syllables of title heads ("Chủ tịch", "Thị trưởng"): a title may end on them.
# How many tokens back a "phía X" frame may introduce a list of people.
_FRAME_REACH = 120
_HEAD_FINAL = frozenset("tịch thư trưởng đốc nhiệm sự ký viên trực vụ ủy tướng lệnh lý tán".split())
# Lower-case syllables that occur inside titles and organisation names.
_TITLE_LOWER = frozenset(
    "tịch thư trưởng trực vụ ủy ban nhân dân thành phố tỉnh khu tự trị tộc hiệp đốc nhiệm viên "
    "sứ quán tổng văn phòng hội đồng tổ quốc mặt trận chính phủ sở cục hành chánh thường kiêm "
    "choang duy ngô nhĩ đảng đoàn lãnh sự đại biểu nghị thương".split())


# A line of a related-articles list: a bullet, and no sentence or list-item end
# ("» Chủ tịch UBND tỉnh Nguyễn Văn A làm việc với huyện B (07/08/2017)").
_LISTED_HEADLINE = re.compile(r"[ \t]*[-–•›·*+»▶][^\n]*[^\s.;:!?…,][ \t]*(?:\n|\Z)")


@dataclass
class PlacedMention:
    """A place mention already resolved to one locality (see ``places``): what this module reads
    of one. The extractor passes its ``places.ResolvedMention``s, which have these fields, as
    they are (a copy of each cost more than reading them)."""

    start: int
    end: int
    locality: Locality | None


@dataclass
class Official:
    name: str
    title: str | None
    side: str | None  # "vn" | "cn" | None
    locality: Locality | None = None  # the place the title names first
    title_spans: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "side": self.side}


class _Tokens:
    """Word tokens of some spans of the text, with place mentions as single tokens."""

    def __init__(self, text: str, places: list[PlacedMention], spans: list[tuple[int, int]]):
        self.text = text
        self.items: list[tuple[int, int, str, PlacedMention | None]] = []
        places = sorted(places, key=lambda p: p.start)
        # The first place ending after a span's start is the first whose running maximum of
        # ends passes it: found by bisection (walking the places from the start for every span
        # took time in sentences × places).
        ends = list(accumulate((p.end for p in places), max))
        for lo, hi in spans:
            pi = bisect.bisect_right(ends, lo)
            if pi == len(places) or places[pi].start >= hi:  # no place in the span: words only
                self.items += [(m.start(), m.end(), m.group(0), None) for m in _WORD.finditer(text, lo, hi)]
                self.items.append((hi, hi, ".", None))
                continue
            for m in _WORD.finditer(text, lo, hi):
                while pi < len(places) and places[pi].end <= m.start():
                    self._add_place(places[pi])
                    pi += 1
                if pi < len(places) and places[pi].start <= m.start() < places[pi].end:
                    self._add_place(places[pi])
                    continue
                self.items.append((m.start(), m.end(), m.group(0), None))
            self.items.append((hi, hi, ".", None))  # sentence end: nothing spans it

    def _add_place(self, place: PlacedMention) -> None:
        if not self.items or self.items[-1][3] is not place:
            self.items.append((place.start, place.end, "PLACE", place))


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


# Last words of the countries a title may name ("Trung Quốc", "Việt Nam", "(Trung Quốc)").
_COUNTRY_ENDS = frozenset(["Quốc", "Nam", "(Trung Quốc)", "(Việt Nam)"])
# Words before a country that make it a destination or a venue, not the name of a body.
_TOWARDS = frozenset("sang đến tới thăm tại ở về với qua".split())
# Letters Vietnamese spelling has no use for: a name with them is foreign ("Kwon", "Zhang").
_FOREIGN_LETTERS = re.compile(r"[fjwzFJWZ]")


def _is_syllable(word: str) -> bool:
    """One capitalized Vietnamese syllable ("Phí", not "UBND" or "TP")."""
    return word[:1].isupper() and word[1:].islower() and word.isalpha() and len(word) <= 7


def _by_first_letter(surnames, modifiers, heads) -> str:
    """``(?<![\\w])(?!TITLE(?![\\w]))(?:SURNAME)``, TITLE = ``(?:MODIFIER\\s+)*HEAD``, rewritten as
    one branch per first letter: ``N(?<![\\w]N)(?!<titles starting with N, less the N>)(?:guyễn|gô|…)|…``.

    It matches the same strings at the same positions (the "no letter before" and "no title
    here" tests are made one character later, on the rest of the word), but it starts with
    a literal letter, so `re` jumps between the few capitals that can start a family name
    instead of running two assertions and a 114-way alternation at every position of every
    sentence. Only whether a sentence matches is used. Measured on 3 000 benchmark articles:
    0.13 → 0.02 ms per article; tests/extract/test_extract.py checks it against the plain pattern.
    """
    alt = lambda xs: "|".join(map(re.escape, sorted(set(xs), key=len, reverse=True)))  # noqa: E731
    any_mods = r"(?:(?:%s)\s+)*" % alt(modifiers)
    branches = []
    for c in sorted({s[0] for s in surnames}):
        tails = sorted({s[1:] for s in surnames if s[0] == c}, key=len, reverse=True)
        mod_tails = [m[1:] for m in modifiers if m[:1] == c]
        head_tails = [h[1:] for h in heads if h[:1] == c]
        titles = ([r"(?:%s)\s+%s(?:%s)" % (alt(mod_tails), any_mods, alt(heads))] if mod_tails else []
                  ) + ([r"(?:%s)" % alt(head_tails)] if head_tails else [])
        not_title = r"(?!(?:%s)(?![\w]))" % "|".join(titles) if titles else ""
        branches.append(r"%s(?<![\w]%s)%s(?:%s)" % (
            re.escape(c), re.escape(c), not_title, "|".join(map(re.escape, tails))))
    return "|".join(branches)


class OfficialFinder:
    def __init__(self, lexicon: dict):
        self.surnames = frozenset(lexicon["surnames"])
        self._compound_first = frozenset(n.split()[0] for n in self.surnames if " " in n)  # "Tư" of "Tư Mã"
        self.pinyin_surnames = frozenset(lexicon.get("pinyin_surnames") or ())
        heads = sorted(lexicon["title_heads"], key=len, reverse=True)
        self.modifiers = frozenset(lexicon["title_modifiers"])
        self.head_first_words = frozenset(h.split()[0] for h in heads) | self.modifiers
        self.honorifics = frozenset(h.casefold() for h in lexicon["honorifics"])
        self._honorific_end = re.compile(r"(?<![\w])(?:%s) \Z" % "|".join(
            map(re.escape, sorted(lexicon["honorifics"], key=len, reverse=True))))
        self.cn_markers = [m for m in lexicon["cn_title_markers"]]
        self.vn_markers = [m for m in lexicon["vn_title_markers"]]
        # Side evidence in a title, read by position: the first marker or place decides
        # ("Tổng Lãnh sự Việt Nam tại Côn Minh, Vân Nam" is Vietnamese).
        words = lambda xs: re.compile(r"(?<![\w])(?:%s)(?![\w])" % "|".join(  # noqa: E731
            map(re.escape, sorted(xs, key=len, reverse=True))))
        self._countries = dict(lexicon.get("title_country_words") or {"Trung Quốc": "cn",
                                                                      "Việt Nam": "vn"})
        self._country_re = words(self._countries)
        self._cn_marker_re = words(self.cn_markers)
        self._vn_marker_re = words(self.vn_markers)
        # "tại Thượng Hải" inside a title locates an office abroad: it is not the holder's side.
        self._seat_re = re.compile(r"(?<![\w])tại\s[^,;]*")
        self._title_lower = _TITLE_LOWER | frozenset(lexicon.get("title_words_lower") or ())
        # A title may end on the last syllable of any head ("Trưởng ban", "Trưởng đoàn").
        self._head_final = _HEAD_FINAL | frozenset(h.split()[-1] for h in heads if h.split()[-1].islower())
        # Capitalized words that open an organisation's name, never a person's ("Bộ Công Thương").
        self._not_name_starts = frozenset(lexicon.get("not_name_starts") or ())
        # Titles only China's officials hold: the capitalized words after them are a name.
        self._cn_heads_before_names = frozenset(lexicon.get("cn_heads_before_names") or ())
        cn_heads = sorted(self._cn_heads_before_names, key=len, reverse=True)
        # Words of a title that Vietnamese bodies write without naming their place (the
        # article's own province): weaker than a place or marker.
        self._vn_home_words = re.compile(r"(?<![\w])(?:%s)(?![\w])" % "|".join(map(
            re.escape, lexicon.get("vn_home_title_words") or ["UBND"])))
        national = lexicon.get("vn_national_title_words") or ()
        self._vn_national_words = re.compile(r"(?<![\w])(?:%s)(?![\w])" % "|".join(map(
            re.escape, sorted(national, key=len, reverse=True)))) if national else None
        self._side_frames = {w.casefold(): s for w, s in (lexicon.get("side_frames") or {}).items()}
        # Frames that name a person who is not at the meeting: "thay mặt Bí thư X" (absent),
        # "chuyến thăm ... của Tổng Bí thư X" (a visit of their own), "theo lời mời của".
        frames = lexicon.get("absent_frames_before") or ()
        # (searched before every title: compiled to start on a literal, see compile_words_then)
        longest_first = lambda xs: sorted(xs, key=len, reverse=True)  # noqa: E731
        self._absent_before = compile_words_then(longest_first(frames), r"\s+\Z", re.I) if frames else None
        frames_of = lexicon.get("absent_frames_of") or ()
        # the frame word, then at most a few words of the same clause, then "của"
        self._absent_of = compile_words_then(longest_first(frames_of), r"(?:\s+[^\s.,;:!?]+){0,8}?\s+của\s+\Z",
                                             re.I) if frames_of else None
        # = \s+và\s+\Z, written to open on a class: `re` skips to the next space in C
        self._and_end = re.compile(r"[\s]\s*và\s+\Z")
        self._not_officials = frozenset(lexicon.get("not_officials") or ())
        # Lower-case prefixes that put a place, never a person, right after them ("huyện Hà
        # Quảng", "khu Từ Hối"), matched whole: "trị" ends "khu tự trị" but also "Bộ Chính trị".
        self._place_prefix_end = re.compile(r"(?<![\w])(?:%s)\s+\Z" % "|".join(map(re.escape, sorted(
            (p for p in lexicon["place_prefixes"] + list(lexicon.get("place_words_before_names") or ())
             if p[:1].islower()), key=len, reverse=True))))
        self._head_re = re.compile(r"(?<![\w])(?:%s)(?![\w])" % "|".join(map(re.escape, heads)))
        upper = "".join(c for c in map(chr, range(0x41, 0x1F00)) if c.isalpha() and c.isupper())
        # A title starting here: modifiers ("Phó", "Quyền" = acting) then a head.
        title_start = r"(?:(?:%s)\s+)*(?:%s)(?![\w])" % (
            "|".join(map(re.escape, self.modifiers)), "|".join(map(re.escape, heads)))
        self._title_start = re.compile(title_start)
        # A family name followed by a capitalized word, neither starting a title: the only
        # sentences worth tokenizing ("Phó Chủ tịch" starts with the family name Phó). Whole
        # titles, as _names tests them, not their first words: "Nguyễn Thị Hường" is a name
        # though "Thị" starts "Thị trưởng".
        self._anchor_ends = frozenset(a.split()[-1] for a in [*lexicon["honorifics"], *cn_heads])
        # An honorific then a capital is a candidate too (a name whose family name no list holds,
        # "ông Phí Đông Bình"): the honorifics join the family names in the one pattern.
        self._candidate = re.compile(r"(?:%s) (?!%s)[%s]" % (
            _by_first_letter(self.surnames | self.pinyin_surnames | set(lexicon["honorifics"]),
                             self.modifiers, heads), title_start, re.escape(upper)))
        # ... and a title only China's officials hold, then a capital ("Thị trưởng Phù Chí Cường"),
        # which the pattern above refuses as a title: a pattern of its own, of rare words.
        self._anchor_candidate = compile_words_then(cn_heads, r" [%s]" % re.escape(upper)) if cn_heads else None

    # -- names -------------------------------------------------------------------------
    def _names(self, toks: _Tokens) -> list[tuple[int, int]]:
        """Index ranges [i, j) of person names: 2–4 capitalized syllables from a surname."""
        out, items, i = [], toks.items, 0
        while i < len(items):
            s, e, w, place = items[i]
            if (w.casefold() in self.honorifics and i + 1 < len(items)
                    and items[i + 1][2] in self.surnames and items[i + 1][3] is None):
                i += 1  # "Ông Hồ Quang Huy" opening a sentence: Ông is the honorific here
                continue
            # "Pan Fulin": a name written in pinyin is a pinyin family name and one or two
            # words of plain letters (a Vietnamese given name carries tone marks).
            pinyin = (place is None and w in self.pinyin_surnames and i + 1 < len(items)
                      and items[i + 1][2].isascii())
            # "Tư Mã Hồng", "Âu Dương Kiệt": a family name of two words
            compound = (w in self._compound_first and place is None and i + 1 < len(items)
                        and items[i + 1][3] is None and f"{w} {items[i + 1][2]}" in self.surnames)
            # "ông Phí Đông Bình": right after an honorific, a name whose family name the list
            # lacks (Chinese family names are many more than any list); two or three syllables
            # (the word before first: most words follow no honorific, title or place)
            anchored = (place is None and i > 0 and w[:1].isupper()
                        and (items[i - 1][3] is not None or items[i - 1][2] in self._anchor_ends)
                        and not (w in self.surnames or pinyin or compound)
                        and _is_syllable(w) and w.casefold() not in self._title_lower
                        and w not in self._not_name_starts and self._anchored(toks, i))
            if place is None and (w in self.surnames or pinyin or compound or anchored) and not \
                    self._title_start.match(toks.text, s):
                j = i + 1
                longest = 3 if pinyin or anchored else 4
                while (j < len(items) and j - i < longest and items[j][3] is None
                       and _is_cap(items[j][2]) and items[j][2].isalpha()
                       and (not pinyin or (items[j][2].isascii() and items[j][2][1:].islower()))
                       and toks.text[items[j - 1][1]:items[j][0]] == " "
                       and not self._title_start.match(toks.text, items[j][0])):
                    j += 1
                if j - i >= 2 and not (anchored and not self._anchored_name_ok(toks, i, j)):
                    out.append((i, j))
                    i = j
                    continue
            i += 1
        return out

    def _anchored_name_ok(self, toks: _Tokens, i: int, j: int) -> bool:
        """A name read after an honorific, its family name on no list: Vietnamese-spelled
        syllables (not "Kwon Young"), and never written elsewhere as a place ("ông Xiêng Khoảng" of a
        Lao "tỉnh Xiêng Khoảng" the gazetteers do not hold)."""
        words = [toks.items[k][2] for k in range(i, j)]
        if not all(_is_syllable(w) and not _FOREIGN_LETTERS.search(w) for w in words):
            return False
        name = " ".join(words)
        k = toks.text.find(name)
        while k >= 0:
            if self._place_prefix_end.search(toks.text, max(0, k - 40), k):
                return False
            k = toks.text.find(name, k + len(name))
        return True

    def _anchored(self, toks: _Tokens, i: int) -> bool:
        """Whether a name may start at token i whatever its family name: right after an honorific
        ("ông Phí Đông Bình") or a title only China's officials hold ("Thị trưởng Phù Chí Cường",
        "Bí thư Thị ủy Phòng Thành Cảng Lăng Chí Dũng"). (After any title was tried: on unseen
        articles it found organisations and foreign places as often as names.)"""
        items = toks.items
        if i == 0 or toks.text[items[i - 1][1]:items[i][0]] != " ":
            return False
        k = i - 1
        if items[k][3] is not None:  # "Thị trưởng Chu Châu Phù Chí Cường": the title's place
            if k == 0 or toks.text[items[k - 1][1]:items[k][0]] != " ":
                return False
            k -= 1
        two = f"{items[k - 1][2]} {items[k][2]}" if k > 0 else ""
        if k == i - 1 and (items[k][2].casefold() in self.honorifics or two.casefold() in self.honorifics):
            return True
        return two in self._cn_heads_before_names

    def _is_place_after_prefix(self, toks: _Tokens, i: int, j: int) -> bool:
        """A capitalized run after "huyện", "khu", "tỉnh" ... that no gazetteer knew: an unknown
        place when it has two syllables ("khu Từ Hối"), a person when it has three or more, as
        the Vietnamese press names its home officials after the level of their council
        ("Chủ tịch UBND tỉnh Lê Văn Hòa"); place names of three syllables starting with a
        family name are in the gazetteers."""
        if i == 0 or j - i >= 3:
            return False
        s = toks.items[i][0]
        return bool(self._place_prefix_end.search(toks.text, max(0, s - 40), s))

    # -- titles ------------------------------------------------------------------------
    def _title_token(self, w: str, place) -> bool:
        return place is not None or (w.isalpha() and (_is_cap(w) or w in self._title_lower)) or w in (
            "(Trung Quốc)", "(Việt Nam)")

    def _trim_title(self, toks: _Tokens, i: int, j: int) -> tuple[int, int] | None:
        """Cut [i, j) to start at a modifier/head and end at a capitalized word or a place."""
        items = toks.items
        while i < j and not (items[i][2] in self.head_first_words):
            i += 1
        while j > i and not (items[j - 1][3] is not None or _is_cap(items[j - 1][2])
                             or items[j - 1][2].startswith("(") or items[j - 1][2] in self._head_final
                             or self._second_syllable(toks, j - 1)):
            j -= 1
        if i >= j:
            return None
        span_text = toks.text[items[i][0]:items[j - 1][1]]
        return (i, j) if self._head_re.search(span_text) else None

    def _second_syllable(self, toks: _Tokens, k: int) -> bool:
        """A lower-case title word right after a capitalized one ends a word of an organisation's
        name ("Bộ Ngoại giao", "Bộ Chính trị", "Ủy ban Dân tộc"): a title may end on it."""
        items = toks.items
        prev = items[k - 1][2] if k > 0 else ""
        return (k > 0 and items[k][2] in self._title_lower and items[k - 1][3] is None
                and _is_cap(prev) and prev[1:].islower()  # not an acronym ("UBND tỉnh")
                and toks.text[items[k - 1][1]:items[k][0]] == " ")

    def _title_before(self, toks: _Tokens, name_i: int, names_at: set[int]) -> tuple[int, int] | None:
        items, i = toks.items, name_i
        while i > 0:
            s, e, w, place = items[i - 1]
            if w == ",":
                # continue across a comma only into a locator ("TP Quảng Châu, tỉnh Quảng Đông")
                # or into a chained title ("Phó Bí thư Đảng ủy ..., Bí thư Thành ủy Urumqi",
                # "Tổng Bí thư, Chủ tịch nước")
                k = i - 2
                if k >= 0 and (items[k][3] is not None or _is_cap(items[k][2])
                               or items[k][2] in self._head_final) and k not in names_at:
                    i -= 1
                    continue
                break
            if i - 1 in names_at or not (self._title_token(w, place) or self._and_inside_name(toks, i - 1)) \
                    or w in ("-", "–", "("):
                break
            i -= 1
        return self._trim_title(toks, i, name_i)

    def _and_inside_name(self, toks: _Tokens, k: int) -> bool:
        """"và" joining two words of one body's name ("Bộ Nông nghiệp và Phát triển nông thôn",
        "Sở Tài nguyên và Môi trường"), not two titles ("... Lạng Sơn và Phó Chủ tịch")."""
        items = toks.items
        if items[k][2] != "và" or k == 0 or k + 1 >= len(items):
            return False
        before, after = items[k - 1], items[k + 1]
        return (before[3] is None and before[2] in self._title_lower and after[3] is None
                and _is_syllable(after[2]) and after[2] not in self.head_first_words)

    def _title_after(self, toks: _Tokens, name_j: int, names_at: set[int]) -> tuple[int, int] | None:
        items, j = toks.items, name_j
        if j < len(items) and items[j][2] == "(":  # skip "(phải)" and the like
            close = toks.text.find(")", items[j][0])
            while close >= 0 and j < len(items) and items[j][0] < close:
                j += 1
        if j >= len(items) or items[j][2] not in (",", "-", "–"):
            return None
        i = j + 1
        k = i
        while k < len(items):
            s, e, w, place = items[k]
            if w == "(" and k > i:  # "(Nhân đại)" inside the title: read on past it
                close = toks.text.find(")", s)
                while close >= 0 and k < len(items) and items[k][0] < close:
                    k += 1
                continue
            if k in names_at:
                return None  # the words run into another person's name: their title, not ours
            if w == ",":
                nxt = items[k + 1] if k + 1 < len(items) else None
                if nxt and (nxt[3] is not None or nxt[2] in self.head_first_words
                            or nxt[2] in ("tỉnh", "thành", "TP")):
                    k += 1
                    continue
                break
            if not (self._title_token(w, place) or self._and_inside_name(toks, k)):
                break
            k += 1
        return self._trim_title(toks, i, k)

    # -- side --------------------------------------------------------------------------
    def _side(self, toks: _Tokens, span: tuple[int, int],
              name_i: int) -> tuple[str | None, Locality | None]:
        items = toks.items
        # A title of several parts ("Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy Hà Nam") is read
        # part by part from the name outwards: the part next to the name names its holder's
        # office ("..., Tổng Lãnh sự Việt Nam tại Thượng Hải Nguyễn Thế Tùng").
        parts, start = [], span[0]
        for k in range(span[0], span[1] + 1):
            if k == span[1] or items[k][2] == ",":
                if k > start:
                    parts.append((start, k))
                start = k + 1
        if span[0] < name_i:
            parts.reverse()
        for part in parts:
            side = self._title_side(toks, part)
            if side:
                return side
        lo, hi = items[span[0]][0], items[span[1] - 1][1]
        title = toks.text[lo:hi]
        # "Về phía bạn, ông ...", "phía Lào Cai có các đồng chí: A, ...; B, ...": the side a
        # list of people is introduced with, earlier in the sentence.
        frame = self._frame_before(toks, min(span[0], name_i))
        if frame:
            return frame, None
        # "đoàn công tác Bộ Giao thông vận tải Trung Quốc do Thứ trưởng X dẫn đầu": the title of
        # the person a delegation is led by belongs to the delegation's side
        first = min(span[0], name_i)
        if first > 0 and items[first - 1][2] == "do":
            side = self._side_before(toks, first - 1)
            if side:
                return side, None
        # "Thủ tướng Chính phủ", "Thứ trưởng Bộ Ngoại giao": Vietnam's national offices (the
        # press names China's with the country). They outweigh a place before the title, which
        # is the other side's in "đoàn Vân Nam chào Thủ tướng Chính phủ X".
        if self._vn_national_words is not None and self._vn_national_words.search(title):
            return "vn", None
        # "đoàn đại biểu tỉnh Lạng Sơn do Bí thư Tỉnh ủy Đoàn Thị Hậu dẫn đầu": a title naming no
        # place belongs to the place named just before it in the sentence; "Bộ Ngoại giao cử ông
        # X, Phó Cục trưởng ...": to the national body named just before it.
        for k in range(first - 1, max(-1, first - 12), -1):
            if items[k][2] == ".":
                break
            side = self._token_side(items, k)
            if side:
                return side, None
            if (self._vn_national_words is not None and _is_cap(items[k][2])
                    and self._vn_national_words.match(toks.text, items[k][0], items[first][0])):
                return "vn", None
        # "Bí thư Tỉnh ủy", "Phó Chủ tịch UBND tỉnh" with no place: the article's own
        # (Vietnamese) province, as the Vietnamese press writes its home officials.
        if self._vn_home_words.search(title):
            return "vn", None
        return None, None

    def _side_before(self, toks: _Tokens, end: int) -> str | None:
        """The side of the place or country a delegation's name ends on, in the dozen words
        before ``end`` back to "đoàn" ("đoàn công tác Bộ Giao thông vận tải Trung Quốc"), else
        None (a venue before "đoàn" is not the delegation's)."""
        items = toks.items
        for k in range(end - 1, max(-1, end - 12), -1):
            if items[k][2] in (".", "đoàn", "Đoàn"):
                return None
            side = self._token_side(items, k)
            if side:
                return side
        return None

    def _token_side(self, items, k: int) -> str | None:
        """The side token k names: a place's country, or a country ending on it ("Trung Quốc",
        "(Việt Nam)": "đoàn Cục Đường sắt quốc gia Trung Quốc do ông X, Cục trưởng dẫn đầu"),
        unless a word of travel stands before the country (a destination: "sang Trung Quốc")."""
        place = items[k][3]
        if place is not None and place.locality is not None:
            return place.locality.country
        w = items[k][2]
        if w not in _COUNTRY_ENDS:
            return None
        two = k > 0 and self._countries.get(f"{items[k - 1][2]} {w}")
        country = two or self._countries.get(w.strip("()"))
        before = items[k - (2 if two else 1)][2] if k >= (2 if two else 1) else ""
        return country if country and before not in _TOWARDS else None

    def _title_side(self, toks: _Tokens, span: tuple[int, int]):
        """The side one part of a title gives: its first place or country marker, past
        "tại ..." (the seat of an embassy or consulate: "Tổng Lãnh sự Việt Nam tại Côn Minh")."""
        items = toks.items
        lo, hi = items[span[0]][0], items[span[1] - 1][1]
        title = self._seat_re.sub(lambda m: " " * len(m.group(0)), toks.text[lo:hi])
        country = self._country_re.search(title)
        at = country.start() + lo if country else hi
        for k in range(*span):
            place = items[k][3]
            if items[k][0] >= at:
                break
            if place is not None and place.locality is not None and title[items[k][0] - lo] != " ":
                return place.locality.country, place.locality
        if country:
            return self._countries[country.group(0)], None
        # Words only Chinese titles use ("Huyện trưởng") outweigh the Vietnamese ones, which
        # renderings of Chinese titles borrow ("Phó Bí thư Huyện ủy, Huyện trưởng").
        if self._cn_marker_re.search(title):
            return "cn", None
        if self._vn_marker_re.search(title):
            return "vn", None
        return None

    def _frame_before(self, toks: _Tokens, i: int) -> str | None:
        """The side of the nearest "phía X" before token ``i`` in its sentence: X a place, or
        one of lexicon.yml's side_frames ("phía Việt Nam", "phía bạn")."""
        items = toks.items
        for k in range(i - 1, max(-1, i - _FRAME_REACH), -1):
            w = items[k][2]
            if w == ".":
                return None
            if w.casefold() != "phía" or k + 1 >= i:
                continue
            nxt = items[k + 1]
            if nxt[3] is not None and nxt[3].locality is not None:
                return nxt[3].locality.country
            words = toks.text[nxt[0]:items[min(k + 3, i - 1)][1]].casefold()
            for frame, side in self._side_frames.items():
                if words.startswith(frame):
                    return side
        return None

    def _absent_frame(self, text: str, start: int, last_absent_end: int) -> bool:
        """Whether the person whose title (or honorific) starts at ``start`` is named in a frame
        of absence: right after "thay mặt", "nhân dịp", after "chuyến thăm ... của", or joined
        by "và" to a person who is ("của Tổng Bí thư A và Chủ tịch B")."""
        lo = max(0, start - 120)
        if self._absent_before is not None and self._absent_before.search(text, lo, start):
            return True
        if self._absent_of is not None and self._absent_of.search(text, lo, start):
            return True
        m = self._and_end.search(text, lo, start)
        return bool(m and last_absent_end >= 0 and text[last_absent_end:m.start()].strip(" ,") == "")

    @staticmethod
    def _takes_part(text: str, name: str, absent_at: set[int]) -> bool:
        """A person named only in frames of absence or in related-article lists is mentioned,
        not taking part; one named anywhere else (with or without a title) takes part."""
        k = text.find(name)
        while k >= 0:
            end = k + len(name)
            whole = (k == 0 or not text[k - 1].isalnum()) and (end == len(text) or not text[end].isalnum())
            if whole and k not in absent_at and not _LISTED_HEADLINE.match(
                    text, text.rfind("\n", 0, k) + 1):
                return True
            k = text.find(name, end)
        return False

    def find(self, text: str, places: list[PlacedMention], sentences=None) -> list[Official]:
        # Only sentences with a possible name (a family name, then a capitalized word) are
        # tokenized: most of an article's text never needs to be.
        # Where a name may start, found in one pass over the text (a search per sentence cost
        # more than the rest of this function), then the sentences holding one.
        if sentences is None:
            spans = [(0, len(text))]
        else:
            # (not where a place name starts, "Lạng Sơn", "Hà Nội": a name never starts on a place)
            at_places = {p.start for p in places}
            starts = [m.start() for m in self._candidate.finditer(text) if m.start() not in at_places]
            if self._anchor_candidate is not None:
                starts = sorted(starts + [m.start() for m in self._anchor_candidate.finditer(text)])
            spans = []
            for i in range(len(sentences)):
                lo, hi = sentences.span(i)
                k = bisect.bisect_left(starts, lo)
                if k < len(starts) and starts[k] < hi:
                    spans.append((lo, hi))
        # "ông Cát Lâm" (吉林, a person) is also Jilin: after an honorific, a place name that
        # starts with a family name is the person's name.
        places = [p for p in places if not (
            text[p.start:p.end].split(" ", 1)[0] in self.surnames
            and self._honorific_end.search(text, max(0, p.start - 12), p.start))]
        toks = _Tokens(text, places, spans)
        names = self._names(toks)
        names_at = {k for i, j in names for k in range(i, j)}
        found: dict[str, list[tuple[str | None, str, Locality | None, tuple[int, int]]]] = {}
        order: list[str] = []
        absent_at: set[int] = set()  # where a person is named in an absent frame
        last_absent_end = -1
        for i, j in names:
            items = toks.items
            name = text[items[i][0]:items[j - 1][1]]
            if name in self._not_officials or self._is_place_after_prefix(toks, i, j):
                continue  # a tribute to a past leader; "huyện Hà Quảng", "khu Từ Hối": a place
            prev = items[i - 1][2].casefold() if i > 0 else ""
            prev2 = (items[i - 2][2] + " " + items[i - 1][2]).casefold() if i > 1 else ""
            honorific = prev in self.honorifics or prev2 in self.honorifics
            spans = []
            after = self._title_after(toks, j, names_at)
            before = None if honorific and after else self._title_before(
                toks, i - (2 if prev2 in self.honorifics else 1 if honorific else 0), names_at)
            span = after if honorific and after else before or after
            if span is None:
                continue  # no title next to the name: not counted as an official
            start = items[min(span[0], i - (2 if prev2 in self.honorifics else 1 if honorific else 0))][0]
            if self._absent_frame(text, start, last_absent_end):
                absent_at.add(items[i][0])
                last_absent_end = items[j - 1][1] if span[1] <= i else items[span[1] - 1][1]
            side, loc = self._side(toks, span, i)
            title = text[items[span[0]][0]:items[span[1] - 1][1]]
            spans.append((items[span[0]][0], items[span[1] - 1][1]))
            if name not in found:
                order.append(name)
            found.setdefault(name, []).append((side, title, loc, spans[0]))
        # "ông Cảnh Văn Bác ... Phó Thị trưởng Cảnh Văn Bác": where the family name is not on
        # the list, the title's reading starts the name one word late ("Văn Bác"); a name that
        # ends another found name is that person
        for name in list(order):
            longer = next((n for n in order if n.endswith(" " + name)), None)
            if longer is not None:
                found[longer] += found.pop(name)
                order.remove(name)
        out = []
        for name in order:
            if not self._takes_part(text, name, absent_at):
                continue
            obs = found[name]
            sides: dict[str, int] = {}  # (a dict: a Counter per name cost more than the rest of this loop)
            for s, *_ in obs:
                if s:
                    sides[s] = sides.get(s, 0) + 1
            # the most frequent side; of equals, the first seen (as Counter.most_common(1) gives)
            side = max(sides, key=sides.get) if sides else None
            with_place = [o for o in obs if o[2] is not None and o[0] == side]
            best = with_place[0] if with_place else obs[0]
            out.append(Official(name, best[1], side, best[2], [o[3] for o in obs]))
        return out
