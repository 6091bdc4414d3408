"""Decoding: BOMs, UTF-8, Windows-1258 and mixed bytes give the same clean text; what cannot be known is refused."""
import unicodedata

import pytest

from citycoop.clean import clean_document
from citycoop.load import DecodeError, decode_bytes
from load_samples import VI, docs


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 keeps â ê ô ơ ư ă đ precomposed and writes tones as combining marks."""
    keep = set("âêôơưăđÂÊÔƠƯĂĐ")
    out = []
    for ch in unicodedata.normalize("NFD", text):
        out.append(ch)
        if len(out) >= 2 and unicodedata.normalize("NFC", out[-2] + out[-1]) in keep:
            out[-2:] = [unicodedata.normalize("NFC", out[-2] + out[-1])]
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("name,data,codec", [
    ("utf8.txt", VI.encode("utf-8"), "utf-8"),
    ("bom.txt", b"\xef\xbb\xbf" + VI.encode("utf-8"), "utf-8-sig"),
    ("u16.txt", VI.encode("utf-16"), "utf-16"),
    ("nfd.txt", unicodedata.normalize("NFD", VI).encode("utf-8"), "utf-8"),
    ("win.txt", cp1258_bytes(VI), "cp1258"),
])
def test_encodings_decode_to_the_same_clean_text(tmp_path, name, data, codec):
    (tmp_path / name).write_bytes(data)
    [d] = docs(tmp_path)
    assert d.encoding == codec and not d.text.startswith("\ufeff")
    assert clean_document(d).text == VI


def test_decode_refuses_what_it_cannot_know():
    with pytest.raises(DecodeError) as e:
        decode_bytes(b"\x00\x01\x02binary")
    assert e.value.reason == "binary"
    with pytest.raises(DecodeError) as e:
        decode_bytes(bytes(range(0x80, 0xA0)) * 3)  # C1 controls: neither UTF-8 nor Vietnamese
    assert e.value.reason == "undecodable"
