"""Clean a raw document into an ``Article``: normalized text, boilerplate removed, metadata set.

The boilerplate rules live in ``data/boilerplate.yml`` so an analyst can add an outlet's
widgets without touching code; ``load_rules`` reads them (or a file the user passes).
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import metadata, yamlfile
from .furniture import line_hash
from .models import Article, RawDocument, Reject
from .normalize import normalize_text, normalize_tone_marks

_IMAGE_STUB = re.compile(r"^!\[[^\]]*\]\([^)]*\)\s*\|?$")
_PIPE_CELL = re.compile(r"^\|\s*(.*?)\s*\|$")
_SENTENCE_END = (".", "!", "?", "…")  # headlines in link lists rarely end so
# Where a furniture row is cut into cells: pipes, bullets, bracketed buttons ("[In bài] [Gửi]").
# Emoji and pictograms on buttons ("👍 Thích 37", "👁 812", "☀ Hà Nội 24°C") end a cell too.
_CELL_SPLIT = re.compile(r"[^\w\s()+#:/.,*&\-°]+")  # (cells are stripped after the split)
_RAW_CELL_GAP = re.compile(r"(?<=\S)(?: {2,}|\t)(?=\S)")  # columns of a row, before spaces are folded
# A list item: "• ", "- ", "› ", "» ", "► ", "· ", "1. ", "2) ".
_BULLET = re.compile(r"^(?:[•\-–—›»►▶◆■▪·*+◦‣⁃→]|\d{1,2}[.)])\s+")
# A headline's date or a video's duration at its end: "(31/07)", "(25-11-2019)", "(02:31)".
_TRAILING_DATE = re.compile(r"\s*\((?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{1,2}:\d{2})\)$")
_MARKER_DECOR = re.compile(r"^[>»›\s]+|[\s:]+$|\s*\(\d+\)$")  # ">> Xem thêm:", "Bình luận (2)"
# An image left in the text: its file name, or its markup ("<image>a.jpg alt=…</image>", "<img …>").
_IMAGE_NAME = re.compile(r"^(?:(?:<image>\s*)?\S+\.(?:jpe?g|png|gif|webp|bmp|svg)(?:\?\S*)?\s*\|?"
                         r"|<(?:image|img|figure|picture)\b.*)$", re.IGNORECASE)
# Half a table cell: a caption whose image was dropped, "Toàn cảnh buổi làm việc |".
_CAPTION_CELL = re.compile(r"^[^|]{3,200}\s\|$")
_MENU_MIN_CELLS = 4
_BYLINE_CELL = re.compile(r"(?:tác giả|người đăng|người viết|phóng viên|biên tập viên|biên tập|pv|bài|tin)\s*:\s*\S",
                          re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(?:\+84|0)\d{2,3}[ .-]?\d{3}[ .-]?\d{3,4}(?!\d)")
_JOINERS = ("-", "–", "&", "và")  # "Văn hóa - Giải trí", "Quốc phòng - An ninh" are one label
# A photo caption ending on its credit: "Quang cảnh buổi hội đàm. Ảnh: Minh Hà", "... (Ảnh: TTXVN)".
_CREDITED_CAPTION = re.compile(
    r"^.{2,250}?(?:[.!?…]\s*\(?|\s\()\s*(?:ảnh|nguồn ảnh|ảnh minh họa|ảnh tư liệu|nguồn)\s*:\s*"
    r"[^:()\n]{1,48}?\)?[\s.|]*$"
    # ... or on what the photo is, in brackets: "... (ảnh tư liệu)", "[ẢNH] Lãnh đạo hai bên ..."
    r"|^.{2,250}?\s\((?:ảnh|ảnh tư liệu|ảnh minh họa)\)[\s.|]*$|^\[ảnh\]\s.{2,250}$", re.IGNORECASE)
# A caption (right under an image, or standing alone): one short sentence; under an image, a
# lead opening on a time is body.
_CAPTION_MAX = 160
_TIME_OPENER = re.compile(r"^(?:sáng|chiều|trưa|tối|ngày|hôm|đêm|trong|từ|\d)", re.IGNORECASE)
_INNER_SENTENCE = re.compile(r"[.!?…] +[^\W\d_]")
_PLACE_NOTE = re.compile(r"\s*\([^)]{2,40}\)$")  # "Bế Huệ (Cao Bằng)": a signature with a place
_LONGEST_FURNITURE = 260  # characters; a menu row of twenty sections is about 200
_ROW_HINT = re.compile(r"[|•·\[\]]")  # a line with these may be a furniture row
_DROPS_REMEMBERED = 1 << 16  # lines whose drop_lines verdict is kept (BoilerplateRules.drops)
_MARKER_LEAD = re.compile(r"^[>»›\s]*([^:]{2,40}?)\s*:\s*(\S.*)$")  # "Xem thêm: <a headline>"


@dataclass(frozen=True)
class BoilerplateRules:
    drop_lines: re.Pattern
    block_markers: frozenset[str]
    section_labels: frozenset[str]
    source_line: re.Pattern
    byline_line: re.Pattern
    version: str
    widget_cells: re.Pattern = re.compile(r"(?!x)x")
    caption_lines: re.Pattern = re.compile(r"(?!x)x")
    caption_words: tuple[str, ...] = ()

    def is_caption(self, line: str) -> bool:
        """A photo caption standing alone: a short line ending on its credit ("... Ảnh: Minh
        Hà"), or one ``caption_lines`` matches whole, tested only when it holds one of
        ``caption_words`` (the patterns scan the whole line: most lines skip them).
        Remembered as ``drops`` is."""
        return self._remembered("_captions", line, self._caption)

    def _caption(self, line: str) -> bool:
        return ((("ảnh" in line or "Ảnh" in line or "ẢNH" in line or "guồn" in line)
                 and _CREDITED_CAPTION.match(line) is not None)
                or (len(line) <= _CAPTION_MAX and any(w in line.lower() for w in self.caption_words)
                    and self.caption_lines.fullmatch(line) is not None))

    def drops(self, line: str) -> bool:
        """Whether ``drop_lines`` matches the whole line. Remembered for up to 2¹⁶ lines:
        page furniture repeats across a corpus's pages (the ground of the corpus-level rule), and
        the alternation of every rule is a good part of cleaning's cost (in the generated corpus
        19 022 lines tested, 4 051 of them different)."""
        return self._remembered("_drops", line, lambda ln: self.drop_lines.fullmatch(ln) is not None)

    def _remembered(self, name: str, line: str, verdict) -> bool:
        """``verdict(line)``, kept in the dict ``name`` for up to 2¹⁶ lines."""
        seen = self.__dict__.get(name)
        if seen is None or len(seen) >= _DROPS_REMEMBERED:
            seen = {}  # (a dict, not an lru_cache of a lambda: the rules stay picklable)
            object.__setattr__(self, name, seen)
        known = seen.get(line)
        if known is None:
            known = seen[line] = verdict(line)
        return known

    @property
    def max_label_len(self) -> int:
        """Length of the longest block marker or section label (lines longer cannot be one)."""
        n = self.__dict__.get("_max_label_len")
        if n is None:
            n = max(map(len, self.block_markers | self.section_labels), default=-1)
            object.__setattr__(self, "_max_label_len", n)
        return n


def load_rules(path: str | Path | None = None) -> BoilerplateRules:
    """Rules from a YAML file (default: the packaged ``data/boilerplate.yml``)."""
    if path is None:
        return _default_rules()
    return _rules_from_text(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _default_rules() -> BoilerplateRules:
    text = resources.files("citycoop.data").joinpath("boilerplate.yml").read_text(encoding="utf-8")
    return _rules_from_text(text)


def _rules_from_text(text: str) -> BoilerplateRules:
    spec = yamlfile.safe_load(text)
    lines = [normalize_text(p) for p in spec.get("drop_lines", [])]
    # One alternation compiled once: a line is tested against all rules in one match call.
    drop = re.compile("|".join(f"(?:{p})" for p in lines) or r"(?!x)x", re.IGNORECASE)
    cells = [normalize_text(p) for p in spec.get("widget_cells", [])]
    captions = [normalize_text(p) for p in spec.get("caption_lines", [])]
    return BoilerplateRules(
        caption_lines=re.compile("|".join(f"(?:{p})" for p in captions) or r"(?!x)x", re.IGNORECASE),
        caption_words=tuple(normalize_text(w).lower() for w in spec.get("caption_words", [])),
        widget_cells=re.compile("|".join(f"(?:{p})" for p in cells) or r"(?!x)x", re.IGNORECASE),
        drop_lines=drop,
        block_markers=frozenset(normalize_text(m).casefold() for m in spec.get("block_markers", [])),
        section_labels=frozenset(normalize_text(m).casefold() for m in spec.get("section_labels", [])),
        source_line=re.compile(spec["source_line"], re.IGNORECASE),
        byline_line=re.compile(spec["byline_line"], re.IGNORECASE),
        version=hashlib.sha1(text.encode()).hexdigest()[:8],
    )


def content_hash(text: str) -> str:
    """Hash of the cleaned text, case and whitespace folded: equal hashes = exact duplicates."""
    folded = text.casefold()
    # A cleaned text is single-spaced lines joined by blank lines: then folding its whitespace
    # is one replace. Checked, not assumed: a printable text has no whitespace but the ASCII
    # space (every other is a separator or a control character); else split and join, which
    # cost more than the casefold (0.02 ms of cleaning's 0.25 ms an article).
    key = folded.replace("\n\n", " ")
    if not (key.isprintable() and "  " not in key and key[:1] != " " and key[-1:] != " "):
        key = " ".join(folded.split())
    return hashlib.blake2b(key.encode("utf-8"), digest_size=12).hexdigest()


def _is_caption(line: str, under_image: bool, rules: BoilerplateRules) -> bool:
    """A photo's caption: one short sentence right under an image that does not open as a lead
    does; a short line ending on the photo's credit ("... Ảnh: Minh Hà"); a short line of what
    photos show (boilerplate.yml's caption_lines: "Quang cảnh buổi hội đàm.")."""
    if (under_image and len(line) <= _CAPTION_MAX and line.count(" ") < 32
            and not _TIME_OPENER.match(line) and not _INNER_SENTENCE.search(line)):
        return True
    if len(line) > 300:
        return False  # (most body paragraphs: nothing more to test)
    return rules.is_caption(line)


def _reads_like_body(line: str) -> bool:
    """A sentence of running text, as opposed to a headline in a link list."""
    # Normalized text has single spaces: counting them is a cheap word count.
    return len(line) >= 160 or (line.endswith(_SENTENCE_END) and line.count(" ") >= 11)


def _sentence_ended(line: str) -> bool:
    """Ends as a sentence or a clause does (captions and leads do; headlines, menus, labels don't)."""
    return line.rstrip(" \"'”’»)").endswith(_SENTENCE_END + (";", ":")) or line.endswith(_SENTENCE_END)


def _headline_shape(line: str) -> tuple[bool, bool, bool]:
    """``(bulleted, headline, dated)`` for one line: a list bullet; the text (bullet and a
    trailing "(31/07)" removed) reads as a headline, not a sentence; it carried such a date."""
    if len(line) > 260:  # longer than any headline
        return False, False, False
    m = _BULLET.match(line)
    text = line[m.end():] if m else line
    d = _TRAILING_DATE.search(text)
    if d:
        text = text[:d.start()]
    words = text.count(" ") + 1
    headline = (3 <= words <= 35 and not _sentence_ended(text)
                and (text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"“'‘["))
    return m is not None, headline, d is not None


def _is_capitals(line: str) -> bool:
    """A masthead in capitals ("BÁO X ĐIỆN TỬ"): its letters are upper case."""
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _marker(line: str, rules: BoilerplateRules) -> bool:
    """A related-links (or comments) heading, decorated or not: ">> Xem thêm:", "BÌNH LUẬN (2)"."""
    if len(line) > rules.max_label_len + 8:
        return False
    folded = line.casefold()
    if folded in rules.block_markers:
        return True
    if folded[0] not in ">»› " and folded[-1] not in ":)":  # no decoration to take off
        return False
    return _MARKER_DECOR.sub("", folded) in rules.block_markers


def _furniture_row(line: str, raw_line: str | None, rules: BoilerplateRules):
    """The publication stamps of a furniture row ("Lượt xem: 233 | [In] [Gửi]", "Báo X • 1 giờ",
    "Cập nhật: 17/07/2025 16:20   Lượt xem: 214"), an empty list for a row without one; None when
    the line is not furniture. Cells are cut at pipes, bullets, buttons and (in the raw line,
    before spaces are folded) runs of spaces; every cell must be a widget, a counter or a stamp,
    except one short name beside a time (the outlet or the place of an aggregator's stamp)."""
    if raw_line is not None and _RAW_CELL_GAP.search(raw_line):
        line = normalize_text(_RAW_CELL_GAP.sub(" | ", raw_line.strip()))
    stamps, others, timed = [], [], False
    for cell in _CELL_SPLIT.split(line):
        cell = cell.strip(" -–,:")  # (the spaces around a separator, a button's colon)
        if not cell:
            continue
        stamp = metadata.read_stamp(cell)
        if stamp:
            stamps.append(stamp)
            timed = True
        elif rules.widget_cells.fullmatch(cell):
            timed = timed or any(c.isdigit() for c in cell)
        elif ":" not in cell or not _BYLINE_CELL.match(cell):  # ("Tác giả: Minh Ngọc" sits in stamp rows)
            others.append(cell)
    if not others:
        return stamps if (stamps or timed or len(line) < 120) else None
    if not stamps and _menu_cells(others):
        return []
    if timed and len(others) == 1 and len(others[0].split()) <= 5 and not _sentence_ended(others[0]):
        return stamps
    return None


def _menu_cells(cells: list[str]) -> bool:
    """A site's section menu cut into cells ("Thời sự   Kinh tế   Xã hội   Bình Dương 4.0"):
    four or more short capitalized labels, none a sentence."""
    return len(cells) >= _MENU_MIN_CELLS and all(
        len(c) <= 30 and len([w for w in c.split() if w not in _JOINERS]) <= 4 and c[:1].isupper()
        and not _sentence_ended(c)
        for c in cells)


def _title_candidate(line: str) -> bool:
    """A headline in the lines above the body: not a menu row, a label, a masthead, a list item or
    a contact line (a phone number)."""
    return (metadata.is_title_like(line) and len(line.split()) >= 4 and not _is_capitals(line)
            and "|" not in line and not _BULLET.match(line) and not _sentence_ended(line)
            and not _PHONE.search(line))


def _strip_by_position(kept: list[str], captions: set[int], want_title: bool):
    """Remove the furniture that only its place tells: ``(kept, title, signature)``.

    The body runs from the first to the last line that reads like running text. Above it, the
    lines that do not end as sentences are the site's header (masthead, menus, section labels,
    the headline); the headline is the first title-like one, or one printed twice. Below it, the
    same lines are footer and link lists, except the author's name right under the body. Inside
    it, two or more headline-shaped lines in a row (a box of related links) or a list item with
    a date "(31/07)" are links; one such line alone is a subheading and stays, and so does a list
    that a line ending in ":" introduces."""
    body = [i for i, ln in enumerate(kept) if _reads_like_body(ln) and not _BULLET.match(ln)]
    if not body:
        return kept, None, None
    first, last = body[0], body[-1]
    title = None
    if want_title:
        candidates = [ln for ln in kept[:first] if _title_candidate(ln)]
        repeated = [ln for ln in candidates if candidates.count(ln) > 1]
        # the headline stands right above the story: the site's header comes first
        title = repeated[0] if repeated else candidates[-1] if candidates else None
    signature = None
    out = [ln for ln in kept[:first] if _sentence_ended(ln) and not _BULLET.match(ln)]
    if title and title not in out:
        out.insert(0, title)  # removed again with the other copies by the caller
    # Body lines are never headline-shaped: only the others are measured.
    is_body = set(body)
    shapes = {i: _headline_shape(kept[i]) for i in range(first, last + 1) if i not in is_body}
    not_headline = (False, False, False)
    i = first
    while i <= last:
        bulleted, headline, dated = shapes.get(i, not_headline)
        if not headline or i in captions:
            out.append(kept[i])
            i += 1
            continue
        j = i
        while j < last and shapes.get(j, not_headline)[1] and j not in captions:
            j += 1
        introduced = _lead_in(kept[i - 1])
        if j - i >= 2 and not introduced:
            i = j  # a run of links
            continue
        for n in range(i, j):
            if not (shapes[n][2] and not introduced):  # a lone dated headline is a link too
                out.append(kept[n])
        i = j
    in_list = _lead_in(kept[last])
    for n in range(last + 1, len(kept)):
        line = kept[n]
        if n == last + 1 and metadata.is_standalone_name(_PLACE_NOTE.sub("", line)):
            signature = line
            continue
        bulleted = _BULLET.match(line) is not None
        if (in_list and bulleted) or _lead_in(line) or (
                line.endswith(_SENTENCE_END) and not bulleted):
            out.append(line)
            in_list = _lead_in(line) or (in_list and bulleted)
        else:
            in_list = False
    return out, title, signature


def _lead_in(line: str) -> bool:
    """A sentence that introduces a list ("Hai bên thống nhất các nội dung sau:"), unlike a
    links heading ("Các tin khác:", "TIN CÙNG CHỦ ĐỀ:"), which is short or in capitals."""
    return (line.endswith(":") and line.count(" ") >= 5 and not _BULLET.match(line)
            and not _is_capitals(line))


def _as_written(written_text: str, lines: list[str]) -> dict[str, str]:
    """Normalized line → the line in its author's tone-mark style, for the lines that differ
    (``written_text``: the text normalized but for the tone-mark style)."""
    written = [ln.strip() for ln in written_text.split("\n")]
    if len(written) != len(lines):
        return {}
    return {ln: w for ln, w in zip(lines, written) if ln != w}


def clean_document(raw: RawDocument, rules: BoilerplateRules | None = None,
                   furniture: frozenset[int] = frozenset(), removed: list[str] | None = None) -> Article | Reject:
    """Normalize, strip boilerplate and pull metadata out of one document. ``furniture``: hashes
    of lines that repeat across the corpus (``furniture.scan_corpus``), removed too unless they
    read like body text; each line so removed is appended to ``removed``."""
    rules = rules or _default_rules()
    raw_text = raw.text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw.text else raw.text
    raw_lines = raw_text.split("\n")
    # normalize_text(raw_text) in two steps, the first of which is the text in its author's
    # tone-mark style: one pass over the text fewer than normalizing it twice.
    written_text = normalize_text(raw_text, tone_marks=False)
    lines = [ln.strip() for ln in normalize_tone_marks(written_text).split("\n")]
    if len(raw_lines) != len(lines):  # never expected (normalizing keeps lines); then no columns
        raw_lines = [None] * len(lines)
    # Rules read one tone-mark style; the text keeps its author's ("Uỷ ban", "văn hoá"), line by
    # line, so that what an analyst quotes from it is in the article (extraction normalizes it
    # again: moving a tone mark keeps the length, hence every offset).
    as_written = _as_written(written_text, lines)
    title = normalize_text(raw.title).strip() if raw.title else None
    url, outlet, byline = raw.url, raw.outlet, raw.byline
    published = metadata.parse_published(raw.published)
    published_source = "field" if published else None
    warnings = []
    if raw.published and not published:  # said, so that a wrong date format is seen, not lost
        # Quoted as the reports quote warnings' values: no quote and no "; " (which joins a
        # record's warnings in CSV and Parquet) inside, and short.
        value = " ".join(raw.published.split()).replace("'", "’").replace(";", ",")[:60]
        warnings.append(f"published field '{value}' is not a date citycoop reads, ignored")

    # Dated stamps as (rank, order, date): a stamp line with a time or a label first, then a bare
    # date line, then a date inside a furniture row (a site header's "today" is one of the last).
    stamps: list[tuple[int, int, str]] = []
    kept: list[str] = []
    captions: set[int] = set()  # indexes in kept of lines right under an image
    in_block = False  # inside a "Tin liên quan" link list or a comment box
    prev_image = False  # the previous line was an image: this one is its caption
    caption_above = False  # the previous line was a caption: an image next is its image
    last_caption = None  # a caption printed twice goes twice
    for line, raw_line in zip(lines, raw_lines):
        if not line:
            continue
        header_date, line = metadata.split_date_header(line)
        if header_date and not published:
            published, published_source = header_date, "date_header"
        line = line.strip()
        if not line:
            continue
        stamp = metadata.timestamp_line_date(line)
        if stamp:
            shape = metadata.read_stamp(line)
            stamps.append((1 if shape and not shape[1] else 0, len(stamps), stamp))
            continue
        colon = ":" in line  # both attribution rules need one: most lines skip them
        m = colon and rules.source_line.fullmatch(line)
        if m:
            outlet = outlet or m["outlet"].strip()
            url = url or m["url"].rstrip(".,;)")
            continue
        m = colon and len(line) <= 100 and rules.byline_line.fullmatch(line)
        if m:
            byline = byline or m["byline"].strip()
            continue
        # Case folding never shortens a string, so a line longer than every marker and label
        # cannot be one: most body lines skip the (slow, for Vietnamese) casefold (~0.01 ms
        # per article of the 0.15 ms cleaning costs, measured on 3 000 benchmark articles).
        if len(line) <= rules.max_label_len + 8:
            if _marker(line, rules):
                in_block = True
                continue
            if line.casefold() in rules.section_labels:  # (folded twice only for short lines)
                continue
        elif len(line) < 240 and ":" in line:
            lead = _MARKER_LEAD.match(line)  # "Xem thêm: <headline> | <headline>" on one line
            if lead and lead[1].casefold() in rules.block_markers and (
                    not _reads_like_body(lead[2]) or lead[2].rstrip().endswith(("...", "…"))):
                continue  # (a teaser cut short with "..." is a headline, however long)
        if in_block:
            if not _reads_like_body(line) or _BULLET.match(line):
                continue
            in_block = False
        if _IMAGE_STUB.match(line) or _IMAGE_NAME.match(line) or line == ".":
            # (a lone "." is where a scrape lost an image); an image whose caption came above
            # it has no caption below
            prev_image = not caption_above
            caption_above = False
            continue
        if _is_caption(line, prev_image, rules) or line == last_caption:
            prev_image, caption_above, last_caption = False, not prev_image, line
            continue
        caption_above = False
        if line[-1] == "|" and _CAPTION_CELL.match(line):
            continue
        cell = _PIPE_CELL.match(line)
        if cell:
            # A "| ... |" table cell right under an image is its caption: keep the words.
            # Anywhere else it is a boxed link to another article (seed 002's Korea line).
            if not prev_image:
                continue
            line = cell[1]
        labelled = "đăng" in line or "Đăng" in line or "nhật" in line or "bản" in line  # (every label holds one)
        if labelled and (labelled := metadata.labelled_date(line)):
            stamps.append((0, len(stamps), labelled))  # the article's own, by its label
            continue
        # Rows first: a row that the menu rule would drop may hold the article's stamp.
        if len(line) < 300 and (len(line) <= 60 or _ROW_HINT.search(line)
                                or (raw_line is not None and "  " in raw_line)):
            row = _furniture_row(line, raw_line, rules)
            if row is not None:
                # (a row's stamp with a time is the article's; one without, a header's "today")
                stamps.extend((2 if timed else 3, len(stamps), date) for date, timed in row if date)
                continue
        # Furniture lines are short; a paragraph of the body is not tested against every rule.
        if len(line) < _LONGEST_FURNITURE and rules.drops(line):
            continue
        if furniture and not _reads_like_body(line) and line_hash(line) in furniture:
            if removed is not None:
                removed.append(line)
            continue
        if kept and kept[-1] == line:
            continue  # a caption repeated twice in a row
        if prev_image:
            captions.add(len(kept))
        prev_image = False
        kept.append(line)

    if not published and stamps:
        published, published_source = min(stamps)[2], "timestamp_line"
    # (counted before the furniture around the body goes: one copy of a caption may be there)
    counts = Counter(ln for ln in kept if len(ln) <= _CAPTION_MAX and not _reads_like_body(ln))
    kept, found_title, signature = _strip_by_position(kept, captions, title is None)
    title = title or found_title
    if title:
        kept = [ln for ln in kept if ln != title]
    # A short line printed twice apart that does not read as a sentence of the body (a caption
    # under its photo and again in the gallery, a teaser) is furniture. (Twice: text repeated
    # more often is a page repeating itself, read as it is.)
    if any(n == 2 for n in counts.values()):
        kept = [ln for ln in kept if counts.get(ln, 0) != 2]
    byline = byline or signature
    # An author signature alone on the last line ("Nguyễn Thúc Hoàng Linh").
    if len(kept) >= 2 and metadata.is_standalone_name(kept[-1]):
        signature = kept.pop()
        byline = byline or signature

    if not published:
        published = metadata.url_date(url)
        published_source = "url" if published else None
    outlet = outlet or metadata.outlet_from_url(url)

    if raw.title and title == normalize_text(raw.title).strip():
        title = normalize_text(raw.title, tone_marks=False).strip()
    elif title:
        title = as_written.get(title, title)
    # The kept lines in one tone-mark style make the content hash (one story in either style):
    # they are what normalizing the text as written gives, without a pass over it.
    normalized = "\n\n".join(kept)
    if as_written:
        kept = [as_written.get(ln, ln) for ln in kept]
    text = "\n\n".join(kept)
    if not text.strip():
        return Reject(raw.source, "no_body", "no body text left after removing boilerplate")
    return Article(
        id=raw.id,
        source=raw.source,
        format=raw.format,
        encoding=raw.encoding,
        text=text,
        title=title or None,
        url=url,
        outlet=outlet,
        byline=byline,
        published=published,
        published_source=published_source,
        content_hash=content_hash(normalized),
        n_chars=len(text),
        warnings=warnings,
    )
