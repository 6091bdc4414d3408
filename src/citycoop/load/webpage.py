"""An HTML page → a raw document: its main text and metadata by trafilatura (options built
once), pages nested past the parser's depth flattened, the lead from the summary box, and the
date line printed by the headline."""
from __future__ import annotations

import re

from ..models import RawDocument, Reject
from .discovery import InputFile

_HTML_OPTIONS = None


def _html_options():
    """trafilatura's options, built once per process (not per page).

    - The fallback extractors (readability, justext) stay on (``fast=False``): ``fast=True``
      saves ~0.45 ms a page and changed nothing on the benchmark's generated pages, but those
      are tidy; on real pages whose main block trafilatura misses, the fallbacks are what
      recovers the text.
    - Passing a ready ``Extractor`` saves re-reading its settings from the ConfigParser on
      every call (~0.2 ms per page). trafilatura never mutates it (it copies before changing
      the focus, and copies ``date_params`` before adding the URL).
    """
    global _HTML_OPTIONS
    if _HTML_OPTIONS is None:
        from trafilatura.settings import Extractor

        _HTML_OPTIONS = Extractor(
            output_format="python", fast=False, precision=True, comments=False, tables=False,
            with_metadata=True,
            # only dates the page states (meta, visible date lines), never a guess
            date_params={"extensive_search": False, "original_date": True})
    return _HTML_OPTIONS


def _html_tree(html: str):
    """The page parsed as trafilatura parses it (``load_html``: its parser, its repairs), or
    None, and whether the parse stopped at libxml2's depth limit: past 255 nested elements it
    drops the rest of the page without an error anyone sees."""
    from trafilatura.utils import HTML_PARSER, load_html

    tree = load_html(html, _html_options().max_file_size)
    last = HTML_PARSER.error_log.last_error  # the depth limit ends the parse: its error is the last
    return tree, last is not None and last.type_name == "ERR_RESOURCE_LIMIT" and "depth" in last.message


def _read_html(f: InputFile, html: str, codec: str, warnings: tuple[str, ...] = ()) -> RawDocument | Reject:
    import trafilatura

    tree, too_deep = _html_tree(html)
    if too_deep:  # 10 000 nested <div>s had lost the body and been rejected as "no body"
        html = flatten_deep_html(html)
        tree, too_deep = _html_tree(html)
        if too_deep:
            return Reject(f.source, "unreadable", f"HTML nested more than {_LIBXML_MAX_DEPTH} elements deep, "
                                                  "past what the HTML parser reads")
    # the tree, not the text: parsed once (trafilatura takes a copy of a tree it is given)
    doc = trafilatura.bare_extraction(tree, options=_html_options()) if tree is not None else None
    text = (doc.text if doc is not None else None) or ""
    if not text.strip():
        return Reject(f.source, "empty", "no main text in the HTML page")
    text = _with_summary(text, summary_box(html) or doc.description)
    title = doc.title
    if title and doc.sitename:  # "Headline - Báo X" → "Headline"
        for sep in (" - ", " | ", " – "):
            if title.endswith(sep + doc.sitename):
                title = title[: -len(sep + doc.sitename)]
    return RawDocument(f.id, f.source, "html", codec, text, title=title or None, url=doc.url,
                       published=doc.date or date_line_near_headline(html),
                       outlet=doc.sitename or doc.hostname, byline=doc.author, warnings=warnings)


_LIBXML_MAX_DEPTH = 255  # elements libxml2's HTML parser nests before it stops reading a page
# Nesting kept by flatten_deep_html: under the limit, with room for the html and body elements
# the parser adds and for the end tags the flattener cannot see are implied.
_FLAT_DEPTH = 200
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_BLOCK_TAGS = frozenset("address article aside blockquote dd details div dl dt figcaption figure footer form "
                        "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul".split())
_IMPLIED_END = frozenset("p li dt dd option tr td th".split())  # a second one ends the first


def flatten_deep_html(html: str) -> str:
    """The page with the tags of elements nested deeper than _FLAT_DEPTH left out and their
    content kept (a block's tags become line breaks, so its paragraphs stay apart), so that the
    HTML parser reads it to the end. Only for pages the parser found too deep: the nesting of a
    real page is kept as it is."""
    from html.parser import HTMLParser

    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # open elements: (tag, its tags kept)
    kept = 0  # open elements whose tags are kept

    class Flattener(HTMLParser):
        def handle_starttag(self, tag, attrs):
            nonlocal kept
            raw = self.get_starttag_text()
            if tag in _VOID_TAGS:
                out.append(raw)
                return
            if tag in _IMPLIED_END and stack and stack[-1][0] == tag:
                self.handle_endtag(tag)
            keep = kept < _FLAT_DEPTH
            kept += keep
            stack.append((tag, keep))
            out.append(raw if keep else "<br>" if tag in _BLOCK_TAGS else "")

        def handle_startendtag(self, tag, attrs):
            out.append(self.get_starttag_text())

        def handle_endtag(self, tag):
            nonlocal kept
            at = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == tag), None)
            if at is None:  # an end tag nothing opened: the parser ignores it too
                return
            for _, keep in stack[at:]:
                kept -= keep
            keep = stack[at][1]
            del stack[at:]
            out.append(f"</{tag}>" if keep else "<br>" if tag in _BLOCK_TAGS else "")

        def handle_data(self, data):
            out.append(data)

        def handle_entityref(self, name):
            out.append(f"&{name};")

        def handle_charref(self, name):
            out.append(f"&#{name};")

        def handle_decl(self, decl):
            out.append(f"<!{decl}>")

        def unknown_decl(self, data):
            out.append(f"<![{data}]>")

    parser = Flattener(convert_charrefs=False)
    parser.feed(html)
    parser.close()
    return "".join(out)


# The box outlets print the lead in: "sapo" on most Vietnamese sites, the English words
# elsewhere. Found with a pattern on the raw page (a few µs) rather than a second parse (ms).
_SUMMARY_BOX = re.compile(
    r"<(div|p|h2|strong)\b[^>]*\bclass\s*=\s*[\"'][^\"']*\b(?:sapo|summary|lead|excerpt|chapeau|"
    r"intro|description)\b[^\"']*[\"'][^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def summary_box(html: str) -> str | None:
    """The text of the page's first summary box (``<div class="sapo">…</div>``) after its
    headline, if any: before the <h1> such boxes belong to other articles' teasers."""
    h1 = html.find("<h1")
    m = _SUMMARY_BOX.search(html, max(h1, 0))
    if not m:
        return None
    import html as html_lib

    text = " ".join(html_lib.unescape(_TAG.sub(" ", m[2])).split())
    return text or None


# A summary shorter than this is a tagline, not the article's lead.
_SUMMARY_MIN_WORDS = 14


def _with_summary(text: str, description: str | None) -> str:
    """The text with the page's summary as its first paragraph. Vietnamese outlets print the
    lead (the "sapo": who met whom, when, where) in a box of its own above the body and repeat
    it as the meta description; trafilatura often leaves that box out, or puts it after the
    body, and the article then starts at its second paragraph."""
    if not description or len(description.split()) < _SUMMARY_MIN_WORDS:
        return text
    head = " ".join(description.split()).rstrip(".… ")[:80]
    lines = text.split("\n")
    at = next((i for i, line in enumerate(lines) if head in " ".join(line.split())), None)
    if at == 0:
        return text
    lead = description.strip() if at is None else lines.pop(at)
    return "\n".join([lead, *lines])


_DATE_SCAN = 40  # elements after the headline searched for a date line
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def date_line_near_headline(html: str) -> str | None:
    """The publication date that Vietnamese outlets print as a line of its own by the headline
    ("Thứ Sáu, 17/05/2024 10:00 (GMT+7)"), often with no <meta> date. trafilatura, asked not to
    guess, does not report it (and mostly drops the line from the text). Only an element that is
    a timestamp and nothing else, among the first elements after the <h1> and outside header,
    nav, aside and footer, counts: never a date from a sidebar, a related link or the body."""
    from lxml import html as lxml_html

    from ..metadata import timestamp_line_date
    from ..normalize import normalize_text

    try:
        tree = lxml_html.document_fromstring(_XML_DECLARATION.sub("", html))
    except (ValueError, lxml_html.etree.ParserError):
        return None
    h1 = next(tree.iter("h1"), None)
    if h1 is None:
        return None
    for el in h1.xpath(f"following::*[position() <= {_DATE_SCAN}]"):
        if el.xpath("ancestor-or-self::*[self::header or self::footer or self::nav or self::aside]"):
            continue
        text = " ".join(el.text_content().split())
        if text and len(text) <= 60:
            date = timestamp_line_date(normalize_text(text))
            if date:
                return date
    return None
