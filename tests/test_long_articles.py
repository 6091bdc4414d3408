"""Cleaning and extraction do work in proportion to an article's length (issue 27: a 2 MB article
took 6.5 s, 19 MB never finished, as every place mention was checked against every official's
title). Work is counted, not timed: the lines of citycoop's code executed (loops and
comprehensions included) for an article and for the same article four times over."""
import random
import sys
from pathlib import Path

import pytest

from citycoop.clean import clean_document
from citycoop.dedup import signature
from citycoop.extract import Extractor
from citycoop.extract.text import SpanSet
from citycoop.models import RawDocument

DEV = Path(__file__).resolve().parent / "dev"
PACKAGE = str(Path(sys.modules["citycoop"].__file__).parent)


def dev_paragraphs(n: int) -> list[str]:
    """The first ``n`` paragraphs of the development set's .txt scrapes (places, officials'
    titles, dates, menus and related headlines: what the extractor reads)."""
    paragraphs = []
    for path in sorted(DEV.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        paragraphs += [p.strip() for p in text.split("\n\n") if p.strip()]
    return paragraphs[:n]


def lines_executed(fn, *args) -> int:
    """How many lines of citycoop's own code ``fn(*args)`` executes."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(PACKAGE) else None

    sys.settrace(calls)
    try:
        fn(*args)
    finally:
        sys.settrace(None)
    return count


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def read(ex, text):
    raw = RawDocument(id="long.txt", source="long.txt", format="txt", encoding="utf-8", text=text)
    record = ex.extract(clean_document(raw))
    signature(record["text"])
    return record


def test_work_grows_linearly_with_the_length_of_an_article(ex):
    article = "\n\n".join(dev_paragraphs(150))  # 29 KB
    once = lines_executed(read, ex, article)
    four_times = lines_executed(read, ex, "\n\n".join([article] * 4))
    # Linear: a little under 4× (3.4×: the title, the lead and the setup are read once). The
    # quadratic loops made it 7.5×; at 19 MB they never ended.
    assert four_times < 4.3 * once, (once, four_times)


def test_a_long_article_reads_as_its_parts(ex):
    article = "\n\n".join(dev_paragraphs(150))
    once, four_times = read(ex, article), read(ex, "\n\n".join([article] * 4))
    assert four_times["partners"] == once["partners"]
    assert four_times["vn_localities"] == once["vn_localities"]
    assert four_times["officials"] == once["officials"]
    assert {k: 4 * v for k, v in once["topics"].items()} == four_times["topics"]


def test_span_set_contains_what_any_span_contains():
    rng = random.Random(27)
    for _ in range(300):
        spans = [(s, s + rng.randint(-2, 15)) for s in (rng.randint(0, 100) for _ in range(rng.randint(0, 12)))]
        inside = SpanSet(spans)
        for offset in range(-3, 120):
            assert (offset in inside) == any(s <= offset < e for s, e in spans), (spans, offset)
