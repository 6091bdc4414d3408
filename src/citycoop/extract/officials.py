"""Officials named with their titles, and which side (Vietnam or China) each represents.

A person is an official when a title stands right before the name ("Phó Thị trưởng TP Quảng
Châu Lại Chí Hồng") or right after it ("bà Trương Quốc Trí, Phó Thị trưởng thành phố Trùng
Khánh"). Sino-Vietnamese renderings of Chinese names share surnames with Vietnamese names, so
the side comes from the title: the first place it names, else words only one side uses
("Thị trưởng", "Chính hiệp" for China; "UBND", "HĐND" for Vietnam).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..gazetteer import Locality

_WORD = re.compile(r"[^\W\d_]+|\(Trung Quốc\)|\(Việt Nam\)|[,\-–(]")
# Last syllables of title heads ("Chủ tịch", "Thị trưởng"): a title may end on them.
_HEAD_FINAL = frozenset("tịch thư trưởng đốc nhiệm sự ký viên trực vụ".split())
# Lower-case syllables that occur inside titles and organisation names.
_TITLE_LOWER = frozenset(
    "tịch thư trưởng trực vụ ủy ban nhân dân thành phố tỉnh khu tự trị tộc hiệp đốc nhiệm viên "
    "sứ quán tổng văn phòng hội đồng tổ quốc mặt trận chính phủ sở cục hành chánh thường kiêm "
    "choang duy ngô nhĩ đảng đoàn lãnh sự đại biểu nghị thương".split())


@dataclass
class PlacedMention:
    """A place mention already resolved to one locality (see ``places``)."""

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
        for lo, hi in spans:
            pi = next((i for i, p in enumerate(places) if p.end > lo), len(places))
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


def _by_first_letter(surnames, head_first_words) -> str:
    """``(?<![\\w])(?!HEAD_WORD(?![\\w]))(?:SURNAME)`` rewritten as one branch per first letter:
    ``N(?<![\\w]N)(?!<head words after N>(?![\\w]))(?:guyễn|gô|…)|T(?<![\\w]T)…``.

    It matches the same strings at the same positions (the "no letter before" and "no title
    word here" tests are made one character later, on the rest of the word), but it starts with
    a literal letter, so `re` jumps between the few capitals that can start a family name
    instead of running two assertions and a 114-way alternation at every position of every
    sentence. Only whether a sentence matches is used. Measured on 3 000 benchmark articles:
    0.13 → 0.02 ms per article; tests/test_extract.py checks it against the plain pattern.
    """
    branches = []
    for c in sorted({s[0] for s in surnames}):
        tails = sorted({s[1:] for s in surnames if s[0] == c}, key=len, reverse=True)
        heads = sorted({h[1:] for h in head_first_words if h[:1] == c})
        not_title = r"(?!(?:%s)(?![\w]))" % "|".join(map(re.escape, heads)) if heads else ""
        branches.append(r"%s(?<![\w]%s)%s(?:%s)" % (
            re.escape(c), re.escape(c), not_title, "|".join(map(re.escape, tails))))
    return "|".join(branches)


class OfficialFinder:
    def __init__(self, lexicon: dict):
        self.surnames = frozenset(lexicon["surnames"])
        heads = sorted(lexicon["title_heads"], key=len, reverse=True)
        self.modifiers = frozenset(lexicon["title_modifiers"])
        self.head_first_words = frozenset(h.split()[0] for h in heads) | self.modifiers
        self.honorifics = frozenset(h.casefold() for h in lexicon["honorifics"])
        self.cn_markers = [m for m in lexicon["cn_title_markers"]]
        self.vn_markers = [m for m in lexicon["vn_title_markers"]]
        self._head_re = re.compile(r"(?<![\w])(?:%s)(?![\w])" % "|".join(map(re.escape, heads)))
        upper = "".join(c for c in map(chr, range(0x41, 0x1F00)) if c.isalpha() and c.isupper())
        not_title = r"(?!(?:%s)(?![\w]))" % "|".join(map(re.escape, sorted(self.head_first_words)))
        # A family name followed by a capitalized word that does not start a title: the only
        # sentences worth tokenizing ("Phó Chủ tịch" starts with the family name Phó).
        self._candidate = re.compile(r"(?:%s) %s[%s]" % (
            _by_first_letter(self.surnames, self.head_first_words), not_title, re.escape(upper)))
        # A title starting here: modifiers ("Phó", "Quyền" = acting) then a head.
        self._title_start = re.compile(r"(?:(?:%s)\s+)*(?:%s)(?![\w])" % (
            "|".join(map(re.escape, self.modifiers)), "|".join(map(re.escape, heads))))

    # -- names -------------------------------------------------------------------------
    def _names(self, toks: _Tokens) -> list[tuple[int, int]]:
        """Index ranges [i, j) of person names: 2–4 capitalized syllables from a surname."""
        out, items, i = [], toks.items, 0
        while i < len(items):
            s, e, w, place = items[i]
            if place is None and w in self.surnames and not self._title_start.match(toks.text, s):
                j = i + 1
                while (j < len(items) and j - i < 4 and items[j][3] is None
                       and _is_cap(items[j][2]) and items[j][2].isalpha()
                       and toks.text[items[j - 1][1]:items[j][0]] == " "
                       and not self._title_start.match(toks.text, items[j][0])):
                    j += 1
                if j - i >= 2:
                    out.append((i, j))
                    i = j
                    continue
            i += 1
        return out

    # -- titles ------------------------------------------------------------------------
    def _title_token(self, w: str, place) -> bool:
        return place is not None or (w.isalpha() and (_is_cap(w) or w in _TITLE_LOWER)) or w in (
            "(Trung Quốc)", "(Việt Nam)")

    def _trim_title(self, toks: _Tokens, i: int, j: int) -> tuple[int, int] | None:
        """Cut [i, j) to start at a modifier/head and end at a capitalized word or a place."""
        items = toks.items
        while i < j and not (items[i][2] in self.head_first_words):
            i += 1
        while j > i and not (items[j - 1][3] is not None or _is_cap(items[j - 1][2])
                             or items[j - 1][2].startswith("(") or items[j - 1][2] in _HEAD_FINAL):
            j -= 1
        if i >= j:
            return None
        span_text = toks.text[items[i][0]:items[j - 1][1]]
        return (i, j) if self._head_re.search(span_text) else None

    def _title_before(self, toks: _Tokens, name_i: int, names_at: set[int]) -> tuple[int, int] | None:
        items, i = toks.items, name_i
        while i > 0:
            s, e, w, place = items[i - 1]
            if w == ",":
                # continue across a comma only into a locator ("TP Quảng Châu, tỉnh Quảng Đông")
                # or into a chained title ("Phó Bí thư Đảng ủy ..., Bí thư Thành ủy Urumqi")
                k = i - 2
                if k >= 0 and (items[k][3] is not None or _is_cap(items[k][2])) and k not in names_at:
                    i -= 1
                    continue
                break
            if i - 1 in names_at or not self._title_token(w, place) or w in ("-", "–", "("):
                break
            i -= 1
        return self._trim_title(toks, i, name_i)

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
            if k in names_at:
                return None  # the words run into another person's name: their title, not ours
            if w == ",":
                nxt = items[k + 1] if k + 1 < len(items) else None
                if nxt and (nxt[3] is not None or nxt[2] in self.head_first_words
                            or nxt[2] in ("tỉnh", "thành", "TP")):
                    k += 1
                    continue
                break
            if not self._title_token(w, place):
                break
            k += 1
        return self._trim_title(toks, i, k)

    # -- side --------------------------------------------------------------------------
    def _side(self, toks: _Tokens, span: tuple[int, int]) -> tuple[str | None, Locality | None]:
        items = toks.items
        for k in range(*span):
            place = items[k][3]
            if place is not None and place.locality is not None:
                return place.locality.country, place.locality
        text = toks.text[items[span[0]][0]:items[span[1] - 1][1]]
        if any(m in text for m in self.cn_markers):
            return "cn", None
        if any(m in text for m in self.vn_markers):
            return "vn", None
        # "đoàn đại biểu tỉnh Lạng Sơn do Bí thư Tỉnh ủy Đoàn Thị Hậu dẫn đầu": a title naming no
        # place belongs to the place named just before it in the sentence.
        for k in range(span[0] - 1, max(-1, span[0] - 12), -1):
            if items[k][2] == ".":
                break
            place = items[k][3]
            if place is not None and place.locality is not None:
                return place.locality.country, None
        return None, None

    def find(self, text: str, places: list[PlacedMention], sentences=None) -> list[Official]:
        # Only sentences with a possible name (a family name, then a capitalized word) are
        # tokenized: most of an article's text never needs to be.
        spans = [(0, len(text))] if sentences is None else [
            sentences.span(i) for i in range(len(sentences))
            if self._candidate.search(text, *sentences.span(i))]
        toks = _Tokens(text, places, spans)
        names = self._names(toks)
        names_at = {k for i, j in names for k in range(i, j)}
        found: dict[str, list[tuple[str | None, str, Locality | None, tuple[int, int]]]] = {}
        order: list[str] = []
        for i, j in names:
            items = toks.items
            name = text[items[i][0]:items[j - 1][1]]
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
            side, loc = self._side(toks, span)
            title = text[items[span[0]][0]:items[span[1] - 1][1]]
            spans.append((items[span[0]][0], items[span[1] - 1][1]))
            if name not in found:
                order.append(name)
            found.setdefault(name, []).append((side, title, loc, spans[0]))
        out = []
        for name in order:
            obs = found[name]
            sides = Counter(s for s, *_ in obs if s)
            side = sides.most_common(1)[0][0] if sides else None
            with_place = [o for o in obs if o[2] is not None and o[0] == side]
            best = with_place[0] if with_place else obs[0]
            out.append(Official(name, best[1], side, best[2], [o[3] for o in obs]))
        return out
