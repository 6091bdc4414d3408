import unicodedata

from citycoop.normalize import normalize_text, normalize_tone_marks


def test_old_and_new_tone_styles_become_one():
    assert normalize_tone_marks("Thành uỷ Hà Nội hoà thuỷ khoẻ xoá") == "Thành ủy Hà Nội hòa thủy khỏe xóa"
    assert normalize_tone_marks("Thành ủy hòa thủy") == "Thành ủy hòa thủy"


def test_syllables_with_final_consonant_or_qu_are_left_alone():
    for word in ["hoàn", "toàn", "thuyền", "quý", "quả", "khoẻn"[:-1] + "n", "Quỳnh"]:
        assert normalize_tone_marks(word) == unicodedata.normalize("NFC", word)


def test_upper_case_and_nfd_input():
    nfd = unicodedata.normalize("NFD", "HOÀ BÌNH, Khánh Hoà")
    out = normalize_tone_marks(nfd)
    assert out == "HÒA BÌNH, Khánh Hòa"
    assert unicodedata.is_normalized("NFC", out)


def test_normalize_text_spaces_and_invisible_characters():
    assert normalize_text("Hà\u00a0Nội\u200b  và\r\nTP\tHCM") == "Hà Nội và\nTP HCM"


def test_fast_tone_pattern_equals_the_reference_alternation():
    """The optimised matcher (no lookbehind, q checked in the replacement) gives the same text
    as the original "(?<![qQ])(?:oà|…)(?!letter)" alternation, on every edge case."""
    import itertools
    import re

    from citycoop.normalize import _MOVES

    reference = re.compile("(?<![qQ])(?:%s)(?![^\\W\\d_])" % "|".join(
        sorted(map(re.escape, _MOVES), key=len, reverse=True)))
    pieces = ["", " ", "q", "Q", "h", "o", "O", "u", "U", "n", "1", ".", "\n", *list(_MOVES)[::4],
              "oÀ", "uÝ", "Oà"]
    for parts in itertools.product(pieces, repeat=3):
        text = "".join(parts)
        expected = reference.sub(lambda m: _MOVES[m.group(0)], text)
        assert normalize_tone_marks(text) == expected, text
