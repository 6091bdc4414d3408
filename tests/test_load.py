"""Loading: formats, encodings, ids, ignore files, rejects — fixtures made here."""
import json
import tracemalloc
import unicodedata

import pytest

from citycoop.clean import clean_document
from citycoop.load import (DecodeError, decode_bytes, discover, iter_documents, read_file,
                           split_export)
from citycoop.models import RawDocument, Reject
from conftest import SEEDS

VI = "Ngày 16/5, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu Khu tự trị Quảng Tây (Trung Quốc), bàn hợp tác thủy sản."

PAGE = """<html><head><title>Lạng Sơn tiếp đoàn Quảng Tây - Báo Lạng Sơn</title>
<meta property="og:title" content="Lạng Sơn tiếp đoàn Quảng Tây">
<meta property="og:site_name" content="Báo Lạng Sơn">
{date}<link rel="canonical" href="https://baolangson.vn/tiep-doan-123.html">
<script>var leak = "SCRIPTTEXT";</script></head><body>
<nav><a href="/">Trang chủ</a> <a href="/x">NAVTEXT</a></nav>
<article><h1>Lạng Sơn tiếp đoàn Quảng Tây</h1><p>{body}</p>
<p>Hai bên trao đổi về hợp tác cửa khẩu, thông quan hàng hóa, du lịch và kết nối giao thông.</p>
<p>Lãnh đạo hai địa phương thống nhất tăng cường giao lưu nhân dân trong thời gian tới.</p></article>
<div class="related"><h3>Tin liên quan</h3><ul><li><a href="/a">RELATEDTEXT</a></li></ul></div>
<div id="comments" class="comments"><p>COMMENTTEXT bài viết hay</p></div>
<footer>FOOTERTEXT © Báo Lạng Sơn</footer></body></html>"""


def docs(*paths):
    return list(iter_documents(paths))


def only(items, kind=RawDocument):
    return [i for i in items if isinstance(i, kind)]


# ---------------------------------------------------------------- formats
def test_txt(tmp_path):
    (tmp_path / "a.txt").write_text(VI, encoding="utf-8")
    [d] = docs(tmp_path)
    assert (d.id, d.format, d.encoding, d.text) == ("a.txt", "txt", "utf-8", VI)


def test_html_main_text_and_metadata(tmp_path):
    date = '<meta property="article:published_time" content="2024-05-17T10:00:00+07:00">\n'
    (tmp_path / "p.html").write_text(PAGE.format(date=date, body=VI), encoding="utf-8")
    [d] = docs(tmp_path)
    assert d.format == "html" and VI in d.text
    for junk in ("SCRIPTTEXT", "NAVTEXT", "RELATEDTEXT", "COMMENTTEXT", "FOOTERTEXT"):
        assert junk not in d.text
    assert (d.title, d.outlet, d.published, d.url) == (
        "Lạng Sơn tiếp đoàn Quảng Tây", "Báo Lạng Sơn", "2024-05-17", "https://baolangson.vn/tiep-doan-123.html")
    a = clean_document(d)
    assert a.title == d.title and not a.text.startswith(d.title)  # title not repeated in the body


DATE_LINE = "Thứ Sáu, 17/05/2024 10:00 (GMT+7)"
HEADLINE = "<h1>Lạng Sơn tiếp đoàn Quảng Tây</h1>"


@pytest.mark.parametrize("where", [
    f"{HEADLINE}<div class='date'>{DATE_LINE}</div>",  # in the article, its own block
    f"<div><h1>Lạng Sơn tiếp đoàn Quảng Tây</h1><div class='meta'><span>{DATE_LINE}</span> | "
    f"<span>Nguyễn Văn A</span></div></div>",  # beside the byline, outside the article
])
def test_html_date_line_by_the_headline_is_the_publication_date(tmp_path, where):
    page = PAGE.format(date="", body=VI).replace(HEADLINE, where)
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    [d] = docs(tmp_path)
    assert d.published == "2024-05-17"
    assert clean_document(d).published_source == "field"


@pytest.mark.parametrize("where", [
    ("<footer>FOOTERTEXT", f"<footer><p>{DATE_LINE}</p>FOOTERTEXT"),  # footer: the site's, not the story's
    ("<nav>", f"<nav><span>{DATE_LINE}</span>"),  # before the headline, in the menu
    ("<p>{body}</p>", "<p>{body} Hợp đồng ký ngày 17/05/2024 10:00 tại Lạng Sơn.</p>"),  # a date in the body
])
def test_html_dates_elsewhere_are_not_the_publication_date(tmp_path, where):
    page = PAGE.replace(*where).format(date="", body=VI)
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    [d] = docs(tmp_path)
    assert d.published is None


def test_html_without_a_date_has_no_published(tmp_path):
    (tmp_path / "p.htm").write_text(PAGE.format(date="", body=VI), encoding="utf-8")
    [d] = docs(tmp_path)
    assert d.published is None


def test_jsonl_and_csv_exports_with_aliases(tmp_path):
    rows = [{"title": "A", "text": VI, "url": "https://x.vn/a", "published": "2024-05-17"},
            {"title": "B", "content": VI + " Hai.", "date": "17/05/2024", "author": "PV"}]
    (tmp_path / "e.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n",
                                      encoding="utf-8")
    (tmp_path / "e2.csv").write_text('title,content,date\nC,"' + VI + '\nđoạn hai, có dấu phẩy",2024-05-18\n',
                                     encoding="utf-8")
    items = docs(tmp_path)
    assert [d.id for d in items] == ["e.jsonl#1", "e.jsonl#2", "e2.csv#1"]
    assert items[1].text.endswith("Hai.") and items[1].published == "17/05/2024" and items[1].byline == "PV"
    assert "\nđoạn hai, có dấu phẩy" in items[2].text and items[2].source.endswith("e2.csv#1")


# ---------------------------------------------------------------- encodings
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


def test_utf16_export(tmp_path):
    (tmp_path / "e.jsonl").write_bytes((json.dumps({"text": VI}, ensure_ascii=False) + "\n").encode("utf-16"))
    [d] = docs(tmp_path)
    assert d.text == VI and d.encoding == "utf-16"


def _awkward_export(bom: bytes = b"") -> bytes:
    """JSONL with everything a line reader can trip on: blank and Unicode-space lines, the three
    line ends (a lone CR too), malformed rows, and past the first 64 KB lines in Windows-1258 and
    lines of bytes no encoding reads."""
    import random

    rng = random.Random(5)
    lines = [json.dumps({"text": "x" * 70_000}).encode()]  # the sniff window is all UTF-8
    for i in range(200):
        kind = rng.random()
        if kind < 0.05:
            lines.append(b"   ")
        elif kind < 0.07:
            lines.append("\u3000\u00a0".encode())
        elif kind < 0.09:
            lines.append(b"{broken")
        elif kind < 0.10:
            lines.append(json.dumps({"text": f"{VI} {i}"}, ensure_ascii=False).encode("cp1258", "replace"))
        elif kind < 0.11:
            lines.append(b'{"text": "' + bytes(range(0x80, 0xA0)) + b'"}')
        elif kind < 0.12:
            lines.append(json.dumps({"text": VI * 40}).encode())  # over max_bytes below
        else:
            lines.append(json.dumps({"title": f"t{i}", "text": f"{VI} {i}"}, ensure_ascii=False).encode())
    return bom + b"".join(line + rng.choice([b"\n", b"\r\n", b"\r"]) for line in lines)


def _read_all(files):
    return [(x.source, x.reason, x.detail) if isinstance(x, Reject) else (x.source, x.title, x.text)
            for f in files for x in read_file(f, max_bytes=6000)]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_large_jsonl_export_read_in_parts_gives_the_rows_of_a_whole_read(tmp_path, bom):
    """Parts begin at line starts and carry the row number they start from, so reading the
    parts one after the other gives exactly the documents, ids and messages of one whole read."""
    path = tmp_path / "e.jsonl"
    path.write_bytes(_awkward_export(bom))
    [f] = discover([path])
    whole = _read_all([f])
    kinds = {item[1] if item[1] in ("malformed_jsonl", "undecodable", "too_large") else "row"
             for item in whole}
    assert kinds == {"row", "malformed_jsonl", "undecodable", "too_large"}
    assert [r[0].rsplit("#", 1)[1] for r in whole] == [str(n) for n in range(1, len(whole) + 1)]
    for part_bytes in (40, 700, 5000):
        parts = list(split_export(f, part_bytes))
        assert len(parts) > 2 and parts[-1].part.last and not any(p.part.last for p in parts[:-1])
        assert [p.part.index for p in parts] == list(range(len(parts)))
        assert [p.part.start for p in parts[1:]] == [p.part.stop for p in parts[:-1]]
        assert _read_all(parts) == whole
    assert list(split_export(f, path.stat().st_size)) == [f]  # not larger than a part: whole


def test_each_line_is_decoded_on_its_own_and_one_no_encoding_reads_is_its_reject(tmp_path):
    good = json.dumps({"text": VI}, ensure_ascii=False)
    data = (json.dumps({"text": "x" * 70_000}) + "\n" + good + "\n").encode()
    data += good.encode("cp1258", "replace") + b"\n" + b'{"text": "' + bytes(range(0x80, 0xA0)) + b'"}\n'
    data += (good + "\n").encode()
    (tmp_path / "e.jsonl").write_bytes(data)
    items = docs(tmp_path)
    [bad] = only(items, Reject)
    assert bad.source.endswith("e.jsonl#4") and bad.reason == "undecodable"
    assert bad.detail.startswith("line 4: not UTF-8 from byte 10 on")
    assert [(d.source.rsplit("#")[1], d.encoding) for d in only(items)] == [
        ("1", "utf-8"), ("2", "utf-8"), ("3", "cp1258"), ("5", "utf-8")]


def test_a_read_error_while_splitting_leaves_the_rest_to_one_part(tmp_path, monkeypatch):
    from citycoop import load

    path = tmp_path / "e.jsonl"
    path.write_bytes(_awkward_export())
    [f] = discover([path])
    every_part = list(split_export(f, 700))
    real_cuts = load._jsonl_cuts

    def failing_cuts(*args):
        for i, cut in enumerate(real_cuts(*args)):
            if i == 40:
                raise OSError("device went away")
            yield cut

    monkeypatch.setattr(load, "_jsonl_cuts", failing_cuts)
    parts = list(split_export(f, 700))
    assert 2 < len(parts) < len(every_part) - 10 and parts[-1].part.stop is None
    assert _read_all(parts) == _read_all([f])


@pytest.mark.parametrize("block", [1, 2, 3, 7, 65536])
def test_byte_lines_cut_as_the_text_reader_at_any_block_size(monkeypatch, block):
    """Lines as universal newlines cut them ("\n", "\r\n", a lone "\r"), whatever the block
    edges; a line longer than many blocks and a file of lone "\r" only included; and up to
    a stop, from any line start."""
    import io
    import random

    from citycoop import load

    monkeypatch.setattr(load, "_READ_BLOCK", block)
    rng = random.Random(block)
    for _ in range(60):
        data = bytes(rng.choice(b"ab\r\n\r\xc3\xa9") for _ in range(rng.randint(0, 60)))
        data = data.replace(b"\xc3\xc3", b"\xc3\xa9")
        if rng.random() < 0.2:
            data = b"x" * 200 + data + b"y" * 150 + b"\r" + b"z" * 90
        text = io.TextIOWrapper(io.BytesIO(data), encoding="latin-1", newline="").readlines()
        lines = list(load._byte_lines(io.BytesIO(data)))
        assert [x.decode("latin-1") for x in lines] == text
        starts = [0]
        for x in lines:
            starts.append(starts[-1] + len(x))
        i, j = sorted(rng.sample(range(len(starts)), 2)) if len(starts) > 1 else (0, 0)
        fh = io.BytesIO(data)
        fh.seek(starts[i])
        assert list(load._byte_lines(fh, starts[j])) == lines[i:j]


def test_an_export_is_empty_only_if_it_is_all_whitespace(tmp_path):
    (tmp_path / "blank.jsonl").write_bytes(b"\n" * 100_000)
    (tmp_path / "late.jsonl").write_bytes(b"\n" * 70_000 + (json.dumps({"text": VI}) + "\n").encode() * 3)
    [blank, late] = discover([tmp_path / "blank.jsonl", tmp_path / "late.jsonl"])
    for files in ([blank], list(split_export(blank, 40))):
        assert [(r.reason, r.detail) for r in only(_read_docs(files), Reject)] == [("empty", "file is empty")]
    for files in ([late], list(split_export(late, 40))):
        assert [d.source.rsplit("#")[1] for d in _read_docs(files)] == ["1", "2", "3"]


def _read_docs(files):
    return [x for f in files for x in read_file(f)]


def _awkward_csv(bom: bytes = b"") -> bytes:
    """CSV with what a row splitter can trip on: quoted fields spanning lines (the three line
    ends inside and between rows), blank rows and rows of empty cells, a stray quote in an
    unquoted field, a wrong field count, a NUL byte, a field over the parser's limit."""
    import random

    rng = random.Random(7)
    rows = ['title,text', f'"start","{"x" * 70_000}"']
    for i in range(150):
        kind = rng.random()
        if kind < 0.05:
            rows.append("")
        elif kind < 0.08:
            rows.append(",")
        elif kind < 0.11:
            rows.append(f'ab"c{i},{VI}')
        elif kind < 0.14:
            rows.append(f"t{i},{VI},extra")
        elif kind < 0.15:
            rows.append(f"t{i},bad\x00byte")
        elif kind < 0.16:
            rows.append(f't{i},"{"y" * 1_100_000}"')  # past the 1 MB field limit
        else:
            end = rng.choice(["\n", "\r\n", "\r"])
            rows.append(f'"t{i}","{VI}{end}{end}lần {i}, ""trích dẫn"""')
    return bom + "".join(r + rng.choice(["\n", "\r\n", "\r"]) for r in rows).encode()


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_large_csv_export_read_in_parts_gives_the_rows_of_a_whole_read(tmp_path, bom):
    """A CSV row may span lines, so parts are cut where the parser ends a row; each part reads
    the header from the file's start. The parts give exactly the rows of one whole read."""
    path = tmp_path / "e.csv"
    path.write_bytes(_awkward_csv(bom))
    [f] = discover([path])
    whole = _read_all([f])
    assert {r[1] for r in whole if r[1] in ("malformed_csv", "too_large")} == {"malformed_csv", "too_large"}
    assert sum(r[1] == "malformed_csv" for r in whole) > 3 and len(whole) > 120
    assert any(r[1].startswith("t") and r[1][1:].isdigit() and "\n" in r[2] for r in whole)
    for part_bytes in (40, 5000, 400_000):
        parts = list(split_export(f, part_bytes))
        assert len(parts) > 2 and [p.part.start for p in parts[1:]] == [p.part.stop for p in parts[:-1]]
        assert [p.part.index for p in parts] == list(range(len(parts))) and parts[-1].part.last
        assert _read_all(parts) == whole


def test_a_csv_row_in_another_encoding_costs_that_row_only_in_parts_too(tmp_path):
    rows = ["title,text", f'"a","{"x" * 70_000}"'] + [f't{i},"{VI}"' for i in range(60)]
    data = "\n".join(rows[:40]).encode() + "\n".encode() + rows[40].encode("cp1258", "replace") + b"\n"
    data += b"junk," + bytes(range(0x80, 0xA0)) + b"\n" + "\n".join(rows[41:]).encode() + b"\n"
    (tmp_path / "e.csv").write_bytes(data)
    [f] = discover([tmp_path / "e.csv"])
    whole = _read_all([f])
    assert [r[0].rsplit("#")[1] for r in whole] == [str(n) for n in range(1, 63)]
    assert [r[0].rsplit("#")[1] for r in whole if r[1] == "undecodable"] == ["41"]
    assert whole[39][1] == "t38" and whole[40][1] == "undecodable" and whole[41][1:] == ("t39", VI)
    for part_bytes in (100, 2000):
        parts = list(split_export(f, part_bytes))
        assert len(parts) > 2 and _read_all(parts) == whole


def test_exports_that_cannot_be_split_at_bytes_stay_whole(tmp_path):
    rows = "".join(json.dumps({"text": f"{VI} {i}"}, ensure_ascii=False) + "\n" for i in range(50))
    (tmp_path / "u16.jsonl").write_bytes(rows.encode("utf-16"))  # a newline is two bytes
    (tmp_path / "u16.csv").write_bytes(("text\n" + f"{VI}\n" * 50).encode("utf-16"))
    (tmp_path / "a.txt").write_text(VI * 50, encoding="utf-8")
    for f in discover([tmp_path]):
        assert list(split_export(f, 100)) == [f]


def test_decode_refuses_what_it_cannot_know():
    with pytest.raises(DecodeError) as e:
        decode_bytes(b"\x00\x01\x02binary")
    assert e.value.reason == "binary"
    with pytest.raises(DecodeError) as e:
        decode_bytes(bytes(range(0x80, 0xA0)) * 3)  # C1 controls: neither UTF-8 nor Vietnamese
    assert e.value.reason == "undecodable"


# ---------------------------------------------------------------- ids and discovery
def test_ids_are_unique_and_stable(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(VI, encoding="utf-8")
    (tmp_path / "a" / "x.html").write_text(PAGE.format(date="", body=VI), encoding="utf-8")
    ids = [d.id for d in docs(tmp_path)]
    assert ids == ["a/x.html", "a/x.txt", "b/x.txt"] == [d.id for d in docs(tmp_path)]
    # two folders given: ids relative to their common parent, still unique
    assert [d.id for d in docs(tmp_path / "a", tmp_path / "b")] == ["a/x.html", "a/x.txt", "b/x.txt"]
    assert [d.id for d in docs(tmp_path / "b" / "x.txt")] == ["x.txt"]


def test_ignore_file_dotfiles_and_files_read_once(tmp_path):
    (tmp_path / "a.txt").write_text(VI, encoding="utf-8")
    (tmp_path / "labels.jsonl").write_text('{"doc": "a.txt"}\n', encoding="utf-8")
    (tmp_path / ".citycoopignore").write_text("# labels\nlabels.jsonl\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(VI, encoding="utf-8")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "b.txt").write_text(VI, encoding="utf-8")
    stats = {}
    files = list(discover([tmp_path, tmp_path / "a.txt"], stats=stats))
    assert [f.id for f in files] == ["a.txt"] and stats["ignored"] == 1
    assert len(list(discover([tmp_path / "labels.jsonl"]))) == 1  # named explicitly: read


def test_seeds_are_five_articles():
    items = docs(SEEDS)
    assert len(items) == 5 and all(isinstance(i, RawDocument) for i in items)


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        docs(tmp_path / "nope")


# ---------------------------------------------------------------- rejects
def test_every_reject_reason_and_the_others_still_read(tmp_path):
    (tmp_path / "good.txt").write_text(VI, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01PK\x03\x04")
    (tmp_path / "bad.txt").write_bytes(bytes(range(0x80, 0xA0)) * 2)
    (tmp_path / "big.txt").write_text(VI * 50, encoding="utf-8")
    (tmp_path / "pic.png").write_bytes(b"\x89PNG")
    (tmp_path / "rows.jsonl").write_text(
        json.dumps({"text": VI}) + "\n{broken\n[1, 2]\n" + json.dumps({"title": "no text"}) + "\n"
        + json.dumps({"text": VI * 50}) + "\n", encoding="utf-8")
    (tmp_path / "rows.csv").write_text(f'title,text\nA,"{VI}"\nB,x,extra\n', encoding="utf-8")
    (tmp_path / "page.html").write_text("<html><body><script>var a;</script></body></html>", encoding="utf-8")
    items = list(iter_documents([tmp_path], max_bytes=1000))
    rejects = {(r.source.split("/")[-1], r.reason) for r in only(items, Reject)}
    assert rejects == {
        ("empty.txt", "empty"), ("bin.txt", "binary"), ("bad.txt", "undecodable"),
        ("big.txt", "too_large"), ("pic.png", "unsupported_format"),
        ("rows.jsonl#2", "malformed_jsonl"), ("rows.jsonl#3", "malformed_jsonl"),
        ("rows.jsonl#4", "no_text_field"), ("rows.jsonl#5", "too_large"),
        ("rows.csv#2", "malformed_csv"), ("page.html", "empty"),
    }
    assert all(r.detail for r in only(items, Reject))
    assert sorted(d.source.split("/")[-1] for d in only(items)) == ["good.txt", "rows.csv#1", "rows.jsonl#1"]


def test_invariant_every_article_is_one_document_or_one_reject(tmp_path):
    (tmp_path / "a.txt").write_text(VI, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    lines = [json.dumps({"text": VI})] * 3 + ["oops"] + [""]
    (tmp_path / "c.jsonl").write_text("\n".join(lines), encoding="utf-8")
    items = docs(tmp_path)
    sources = [i.source.split("/")[-1] for i in items]
    assert sorted(sources) == ["a.txt", "b.txt", "c.jsonl#1", "c.jsonl#2", "c.jsonl#3", "c.jsonl#4"]


def test_exports_stream_with_flat_memory(tmp_path):
    path = tmp_path / "big.jsonl"
    line = json.dumps({"text": VI * 5}, ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        for _ in range(20000):
            fh.write(line)
    size = path.stat().st_size
    [f] = list(discover([path]))
    tracemalloc.start()
    n = 0
    for _ in read_file(f):
        n += 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert n == 20000 and peak < size / 20, (peak, size)


def test_html_lead_in_a_summary_box_is_kept_once(tmp_path):
    # The lead printed in a box above the body and repeated as the meta description: when the
    # main-text extraction leaves the box out, the description is the text's first paragraph;
    # when the box is in the text, it is not added again.
    body = ("<p>Cùng dự có lãnh đạo các sở, ngành của tỉnh và đại diện doanh nghiệp hai bên.</p>"
            "<p>Hai bên trao đổi về hợp tác cửa khẩu, thông quan hàng hóa, du lịch và kết nối giao "
            "thông giữa hai địa phương trong thời gian tới.</p>")
    page = PAGE.replace("{date}", f'<meta name="description" content="{VI}">\n').replace(
        "<p>{body}</p>", '<div class="article__meta"><span class="author">Thu Hà</span> <time '
        'datetime="2024-05-16T18:40:00+07:00">16/05/2024 18:40</time></div>'
        f'<div class="article__sapo"><p>{VI}</p></div><div class="article__body">{body}</div>')
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    [d] = docs(tmp_path)
    assert d.text.count(VI) == 1 and d.text.index(VI) < d.text.index("Cùng dự")


def test_rows_of_two_exports_with_one_stem_have_different_ids(tmp_path):
    row = {"title": "A", "text": VI}
    (tmp_path / "export.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "export.csv").write_text("title,text\nA," + VI.replace(",", "") + "\n", encoding="utf-8")
    assert sorted(d.id for d in docs(tmp_path)) == ["export.csv#1", "export.jsonl#1"]


def test_html_lead_in_its_own_element_is_kept(tmp_path):
    # Many Vietnamese CMSs print the lead ("sapo") in an element of its own above the body;
    # the main-text extractor takes the body block only and would lose the lead's who and where.
    lead = ("Sáng 9/9, tại thành phố Hà Giang, lãnh đạo tỉnh đã tiếp đoàn đại biểu châu Văn Sơn, "
            "tỉnh Vân Nam (Trung Quốc) sang thăm và làm việc.")
    paras = "".join(f"<p>Đoạn {n}: hai bên trao đổi về hợp tác thương mại, du lịch và quản lý biên "
                    f"giới trong thời gian tới, thống nhất nhiều nội dung cụ thể.</p>" for n in range(6))
    page = (f"<html><head><title>Hà Giang tiếp đoàn Văn Sơn</title></head><body>"
            f"<nav><a href='/'>Trang chủ</a></nav><div class='detail'>"
            f"<h1>Hà Giang tiếp đoàn Văn Sơn</h1><div class='box-sapo'><b>{lead}</b></div>"
            f"<div class='detail-content'>{paras}</div></div></body></html>")
    path = tmp_path / "a.html"
    path.write_text(page, encoding="utf-8")
    doc = next(iter_documents([path]))
    assert doc.text.startswith(lead) and doc.text.count("Sáng 9/9") == 1
