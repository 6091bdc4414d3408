"""Article metadata from scraped text: publication date, source URL and outlet, byline, title.

Every function here reads normalized lines (see ``normalize``) and returns plain values;
``clean`` decides which lines are removed from the body.
"""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

_DATE_HEADER = re.compile(r"^\s*date\s*:?\s*(\d{4})-(\d{1,2})-(\d{1,2})\b[ \t:]*", re.IGNORECASE)

_WEEKDAY = r"(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|cn)"
_TIME = r"\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s*(?:am|pm|sa|ch))?"
_DMY = r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})"
_TZ = r"(?:\(?\s*(?:gmt|utc)\s*[+-]\s*\d{1,2}(?::?\d{2})?\s*\)?)"
# Whole-line timestamps as outlets print them:
#   "Thứ 4, 22.01.2025 | 10:53:03"   "16:07 | 17/05/2024 GMT+7"   "Cập nhật: 08:30 ngày 05/06/2024"
_TIMESTAMP_LINE = re.compile(
    rf"^(?:(?:cập nhật|đăng|ngày đăng|xuất bản|published|updated)\s*:?\s*)?"
    rf"(?:{_WEEKDAY}\s*,?\s*)?(?:{_TIME}\s*[|,\-–]?\s*)?(?:ngày\s*)?{_DMY}"
    rf"(?:\s*[|,\-–]?\s*(?:{_TIME}))?\s*{_TZ}?$",
    re.IGNORECASE,
)
# "...-20231013131403518.htm": an 8-digit date at the start of a long digit run or path segment.
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=\d{0,12}(?!\d))")
# ... or as folders or dashes of the path: "/2024/09/23/slug", "/2024-09-23/slug".
_URL_PATH_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[/-])")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_ANY_DMY = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)")
# Year first, as CMSs print ISO stamps: "2023-06-20 09:12", "2019/08/23".
_ANY_YMD = re.compile(r"(?<![\d./-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d./-])")
_LONG_DMY = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})\s*,?\s+năm\s+(\d{4})(?!\d)", re.IGNORECASE)
# English dates as RSS feeds and international exports write them: "Fri, 17 May 2024 10:00:00
# +0700", "17-May-2024", "May 17, 2024".
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_MONTH = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?")
_EN_DMY = re.compile(rf"(?<!\d)(\d{{1,2}})[\s-]+{_MONTH}[\s,-]+(\d{{4}})(?!\d)", re.IGNORECASE)
_EN_MDY = re.compile(rf"(?<![a-z]){_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
# A Unix time in seconds or milliseconds, as some scrapers export it.
_EPOCH = re.compile(r"^\s*(\d{9,10}|\d{12,13})(?:\.\d+)?\s*$")
VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7))


def iso_date(year: int, month: int, day: int) -> str | None:
    """``YYYY-MM-DD`` for a real calendar date in a plausible news range, else None."""
    if not 1945 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def split_date_header(line: str) -> tuple[str | None, str]:
    """``" date 2025-10-25 Theo ..."`` → ``("2025-10-25", "Theo ...")``; no header → (None, line)."""
    m = _DATE_HEADER.match(line)
    if not m:
        return None, line
    return iso_date(int(m[1]), int(m[2]), int(m[3])), line[m.end():]


def timestamp_line_date(line: str) -> str | None:
    """The date of a line that is only a timestamp, else None."""
    if len(line) > 90 or not _SOME_DATE.search(line):  # most lines: one quick search
        return None
    m = _TIMESTAMP_LINE.match(line.strip())
    if m:
        return iso_date(int(m[3]), int(m[2]), int(m[1]))
    stamp = read_stamp(line)
    return stamp[0] if stamp else None


# A stamp's words around its date, in any order: "Cập nhật lúc 16:20, Thứ Tư, 27/06/2012 (GMT+7)",
# "Thứ Ba, 07:15, 14/11/2023", "Đăng ngày: 03-12-2019 10:15", "Thứ Sáu, ngày 23 tháng 08 năm 2019".
_STAMP_LABEL = (r"(?:cập nhật|ngày đăng|đăng ngày|đăng lúc|đăng|ngày cập nhật|xuất bản|thời gian"
                r"|published|updated|posted)")
_STAMP_REST = re.compile(
    rf"(?:{_STAMP_LABEL}|lúc|ngày|{_WEEKDAY}|{_TIME}|{_TZ}|gmt\s*[+-]\s*\d{{1,2}}|[\s,.:|\-–—/\[\]()])*",
    re.IGNORECASE)
# A date without its year, as aggregators and small sites print it: "20/04 08:45", "10:40 24-01".
_DAY_MONTH = re.compile(r"(?<![\d/.-])(\d{1,2})[./-](\d{1,2})(?![\d/.-])")
_SOME_DATE = re.compile(r"\d[./-]\d|\d\s+tháng\s", re.IGNORECASE)  # a cheap test before the real parse
_HAS_TIME = re.compile(rf"{_TIME}|{_STAMP_LABEL}", re.IGNORECASE)


def read_stamp(text: str) -> tuple[str | None, bool] | None:
    """A publication stamp: ``(date, strong)`` when ``text`` is a date with only stamp words around
    it (a label, weekday, time, zone), else None. ``date`` is None for a stamp without a year
    ("20/04 08:45": the year is unknown, the line is still furniture). ``strong``: the stamp has a
    time or a label, as an article's own stamp has; a site header's "today" usually has neither."""
    text = text.strip()
    if not text or len(text) > 90 or not _SOME_DATE.search(text):
        return None
    m = _ANY_DMY.search(text) or _LONG_DMY.search(text)
    date = None
    ymd = None if m else _ANY_YMD.search(text)
    if m:
        date = iso_date(int(m[3]), int(m[2]), int(m[1]))
    elif ymd:
        m, date = ymd, iso_date(int(ymd[1]), int(ymd[3]), int(ymd[4]))
    else:
        m = _DAY_MONTH.search(text)
        if not m or not (1 <= int(m[1]) <= 31 and 1 <= int(m[2]) <= 12):
            return None
        rest = text[:m.start()] + " " + text[m.end():]
        # Without a year the stamp must show its time, else "20/4" could be anything.
        if not re.search(_TIME, rest, re.IGNORECASE):
            return None
    rest = text[:m.start()] + " " + text[m.end():]
    if _STAMP_REST.fullmatch(rest) is None:
        return None
    return date, bool(_HAS_TIME.search(rest))


# A date right after a publication label, in a line with other words ("Thái Bình - Đăng lúc:
# 06/11/2024 18:20 - Người đăng: Hồng Nhung", "Bài viết được cập nhật lúc 16:22 - 14/3/2024 |
# Lượt đọc: 1.204"): the label says what the date is, whatever else the line holds.
_LABELLED_DATE = re.compile(
    r"(?<![\w])(?:đăng lúc|đăng ngày|ngày đăng|cập nhật lúc|cập nhật ngày|ngày cập nhật|cập nhật|"
    r"xuất bản|đăng)\s*:?\s*(?:\d{1,2}:\d{2}(?::\d{2})?\s*[-–,|]?\s*)?(?:ngày\s+)?"
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)", re.IGNORECASE)


def labelled_date(line: str) -> str | None:
    """The date a publication label gives in a short line that is no sentence, else None."""
    if len(line) > 160 or line.rstrip().endswith((".", "!", "?")):
        return None
    m = _LABELLED_DATE.search(line)
    return iso_date(int(m[3]), int(m[2]), int(m[1])) if m else None


def url_date(url: str | None) -> str | None:
    """A publication date a URL's path holds (``YYYYMMDD`` in a slug, or ``/YYYY/MM/DD/``),
    else None."""
    if not url:
        return None
    path = urlparse(url).path
    m = _URL_DATE.search(path) or _URL_PATH_DATE.search(path)
    return iso_date(int(m[1]), int(m[2]), int(m[3])) if m else None


def parse_published(value: str | None) -> str | None:
    """An export's or a page's published field ("2024-05-17T10:00+07:00", "17/05/2024",
    "ngày 17 tháng 5 năm 2024", "Fri, 17 May 2024 10:00:00 +0700", "May 17, 2024", a Unix time
    such as 1715914800) → ISO date, else None. A Unix time is dated in Vietnam (UTC+7), where
    the articles are published; a written date is taken as written."""
    if not value:
        return None
    value = str(value).strip()
    m = _ISO_DATE.match(value)
    if m:
        return iso_date(int(m[1]), int(m[2]), int(m[3]))
    m = _ANY_DMY.search(value) or _LONG_DMY.search(value)
    if m:
        return iso_date(int(m[3]), int(m[2]), int(m[1]))
    m = _EN_DMY.search(value)
    if m:
        return iso_date(int(m[3]), _MONTHS[m[2][:3].lower()], int(m[1]))
    m = _EN_MDY.search(value)
    if m:
        return iso_date(int(m[3]), _MONTHS[m[1][:3].lower()], int(m[2]))
    m = _EPOCH.match(value)
    if m:
        seconds = int(m[1]) / (1000 if len(m[1]) > 10 else 1)
        day = dt.datetime.fromtimestamp(seconds, VIETNAM_TIME).date()
        return iso_date(day.year, day.month, day.day)
    return None


def outlet_from_url(url: str | None) -> str | None:
    """The site's domain ("baotintuc.vn") as a last-resort outlet name."""
    if not url:
        return None
    host = urlparse(url).netloc.lower()
    return host.removeprefix("www.") or None


def is_capitalized_word(word: str) -> bool:
    """"Nguyễn", "Hà": an upper-case letter followed by lower-case letters only."""
    return word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower())


def is_standalone_name(line: str) -> bool:
    """A line that is only a person's name (the author signature at the end of an article)."""
    words = line.split()
    return 2 <= len(words) <= 5 and all(is_capitalized_word(w) and len(w) > 1 for w in words)


def is_title_like(line: str) -> bool:
    """A headline: one short line that does not read like a sentence of the body."""
    s = line.strip()
    if not 8 <= len(s) <= 250:
        return False
    if s.endswith((".", ";", ",", ":")) and not s.endswith("..."):
        return False
    return s[0].isupper() or s[0].isdigit() or s[0] in "\"“'‘"
