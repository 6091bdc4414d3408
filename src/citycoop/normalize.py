"""Vietnamese text normalization shared by every stage: NFC and one tone-mark style.

Vietnamese text on the web mixes two tone-mark placements in the open syllables
oa, oe, uy: "hoà / hòa", "thuỷ / thủy", "Thành uỷ / Thành ủy". Counting and matching
must never split one word in two, so everything is brought to one style: the tone
on the first vowel ("hòa", "thủy", "ủy"), the style of most Vietnamese newsrooms and of
the gazetteers and taxonomy shipped with citycoop.

No maintained PyPI package does only this (the Vietnamese NLP toolkits bundle it with
models and heavy dependencies), and the rule is a single regular expression over the
decomposed text, so it is written here.
"""
from __future__ import annotations

import re
import unicodedata

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng (combining marks)


def _tone_moves() -> dict[str, str]:
    """NFC pairs whose tone sits on the second vowel ("oà", "uỷ") → the first-vowel form."""
    moves = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for a, b in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
            for tone in _TONES:
                old = unicodedata.normalize("NFC", a + b + tone)
                new = unicodedata.normalize("NFC", a + tone + b)
                moves[old] = new
    return moves


_MOVES = _tone_moves()


def _pair_alternation(pairs) -> str:
    """``o[àá…]|O[…]|u[…]|U[…]``: every pair is two characters, grouped by the first one."""
    seconds: dict[str, list[str]] = {}
    for pair in pairs:
        assert len(pair) == 2, pair
        seconds.setdefault(pair[0], []).append(pair[1])
    return "|".join(re.escape(a) + "[" + "".join(map(re.escape, sorted(b))) + "]"
                    for a, b in sorted(seconds.items()))


# Works on NFC text directly (no NFD round trip): an open oa/oe/uy syllable, i.e. no letter
# after it; "qu" is a consonant, so "quý" is left alone (checked in _move, see below).
# Speed: the pattern starts with literal characters, so `re` jumps from one o/O/u/U to the
# next instead of trying the "(?<![qQ])" lookbehind and a 45-way alternation at every
# position; the "not after q" test moved into the replacement function (a matched pair never
# starts inside another, so the result is the same). 0.150 → 0.010 ms per article.
_OPEN_DIPHTHONG = re.compile("(?:%s)(?![^\\W\\d_])" % _pair_alternation(_MOVES))


def _move(m: re.Match) -> str:
    start = m.start()
    if start and m.string[start - 1] in "qQ":
        return m.group(0)
    return _MOVES[m.group(0)]


_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = re.compile("[%s]" % _INVISIBLE_CHARS)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# The characters _SPACES rewrites alone; with no run of two spaces and none of these the
# substitution is a no-op and is skipped (most articles: saves a scan that stops at every space).
_ODD_SPACE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def normalize_tone_marks(text: str) -> str:
    """Return ``text`` (any normal form) in NFC with the first-vowel tone style."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _OPEN_DIPHTHONG.sub(_move, text)


def normalize_text(text: str, tone_marks: bool = True) -> str:
    """NFC, one tone-mark style, Unix newlines, no invisible characters, single spaces.
    ``tone_marks=False``: all but the tone style (the text as its author spelled it)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Six substring tests are ~6x cheaper than a regex pass, and most texts have none of them.
    if any(c in text for c in _INVISIBLE_CHARS):
        text = _INVISIBLE.sub("", text)
    if "  " in text or _ODD_SPACE.search(text):
        text = _SPACES.sub(" ", text)
    if not tone_marks:
        return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
    return normalize_tone_marks(text)


_OLD_STYLE = {new: old for old, new in _MOVES.items()}
_FIRST_VOWEL_PAIR = re.compile("(?:%s)(?![^\\W\\d_])" % _pair_alternation(_OLD_STYLE))


def tone_style_variants(term: str) -> list[str]:
    """``term`` (first-vowel style) and its spellings in the other style: "văn hóa" →
    ["văn hóa", "văn hoá"]. Moving a tone mark keeps a text's length, so a text can be matched
    in one style and quoted as written."""
    variants = [term]
    for m in _FIRST_VOWEL_PAIR.finditer(term):
        if m.start() and term[m.start() - 1] in "qQ":
            continue
        variants += [v[:m.start()] + _OLD_STYLE[m.group(0)] + v[m.end():] for v in variants]
    return variants


def fold(text: str) -> str:
    """Lower-case key for matching (case-insensitive, diacritics kept: "Hà" ≠ "Ha")."""
    return text.casefold()
