"""Bytes → text: which encoding a file or an export's line is in (a BOM's, UTF-8 with its stray
bytes replaced, or Vietnamese Windows-1258), and ``DecodeError`` naming why not."""
from __future__ import annotations

import codecs
import unicodedata
from typing import NamedTuple

class DecodeError(ValueError):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Letters only Vietnamese uses, and the combining tone marks Windows-1258 text decodes to.
_VIETNAMESE = set("ăâđêôơưĂÂĐÊÔƠƯ\u0300\u0301\u0303\u0309\u0323")


class Decoded(NamedTuple):
    text: str
    codec: str  # the codec used: a BOM's, utf-8, or cp1258
    warning: str | None = None  # bytes that were not UTF-8 and were replaced (for the record)


def _bom_codec(head: bytes) -> str | None:
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    return None


def _legacy_vietnamese(data: bytes) -> str | None:
    """``data`` decoded as Windows-1258 if it reads as Vietnamese (letters only Vietnamese uses
    or its tone marks, almost no control characters), else None."""
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        return None
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\r\n\t")
    if controls > len(text) / 100 or not (_VIETNAMESE & set(text)):
        return None
    return text


def decode_mixed(data: bytes, where: str = "file") -> Decoded:
    """Bytes without a BOM that are not all UTF-8 (``where``: file, line or row, for messages).

    UTF-8 with its stray bytes replaced by U+FFFD (and a warning saying how many and where)
    whenever the UTF-8 characters outnumber the stray bytes: a wrong codec for the whole text
    garbles every letter to save two quotes. Windows-1258 only when the bytes are mostly not
    UTF-8 and decode to plausible Vietnamese; a few stray bytes in ASCII text are replaced too.
    Anything else is undecodable (DecodeError)."""
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first = exc.start
    text = data.decode("utf-8", "replace")
    replaced = text.count("\ufffd")
    stray = replaced - data.count("\ufffd".encode())
    utf8_letters = len(text) - len(text.encode("ascii", "ignore")) - replaced
    warning = f"bytes not UTF-8 replaced by U+FFFD: '{stray} from byte {first} of the {where}'"
    if utf8_letters >= stray:
        return Decoded(text, "utf-8", warning)
    legacy = _legacy_vietnamese(data)
    if legacy is not None:
        return Decoded(legacy, "cp1258")
    if stray * 100 <= len(data):
        return Decoded(text, "utf-8", warning)
    raise DecodeError("undecodable", f"not UTF-8 from byte {first} on, and not plausible "
                                     "Vietnamese Windows-1258")


def decode_bytes(data: bytes) -> Decoded:
    """A whole file's text. Raises DecodeError(reason in binary | undecodable | empty)."""
    if not data.strip():
        raise DecodeError("empty", "file is empty")
    codec = _bom_codec(data)
    if codec is not None:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise DecodeError("undecodable", f"invalid {codec} at byte {exc.start}") from None
        decoded = Decoded(text, codec)
    elif b"\x00" in data:
        raise DecodeError("binary", "NUL bytes and no UTF-16/32 byte order mark")
    else:
        decoded = decode_mixed(data)
    if not decoded.text.strip():
        raise DecodeError("empty", "no text after decoding")
    return decoded


def _decode_line(raw: bytes, where: str) -> Decoded:
    """One line of an export (a row of its own: ``decode_mixed``); DecodeError if undecodable."""
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return decode_mixed(raw, where)
