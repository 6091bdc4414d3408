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

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng (NFD combining marks)
# In NFD, "hoà" is h o a U+0300. Move the tone from the second vowel of an open oa/oe/uy
# syllable (no letter after it; "qu" is a consonant so "quý" is left alone) to the first.
_OPEN_DIPHTHONG = re.compile(
    rf"(?<![qQ])([oO][aAeE]|[uU][yY])([{_TONES}])(?![^\W\d_]|[\u0300-\u036f])"
)
# Zero-width characters and BOMs that scrapers leave inside words.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalize_tone_marks(text: str) -> str:
    """Return ``text`` (any normal form) in NFC with the first-vowel tone style."""
    nfd = unicodedata.normalize("NFD", text)
    moved = _OPEN_DIPHTHONG.sub(lambda m: m.group(1)[0] + m.group(2) + m.group(1)[1], nfd)
    return unicodedata.normalize("NFC", moved)


def normalize_text(text: str) -> str:
    """NFC, one tone-mark style, Unix newlines, no invisible characters, single spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    text = _SPACES.sub(" ", text)
    return normalize_tone_marks(text)


def fold(text: str) -> str:
    """Lower-case key for matching (case-insensitive, diacritics kept: "Hà" ≠ "Ha")."""
    return text.casefold()
