"""JSONL and CSV exports: aliases, encodings line by line, rows read in parts as a whole read, flat memory."""
import json
import tracemalloc

import pytest

from citycoop.load import discover, read_file, split_export
from citycoop.models import Reject
from load_samples import VI, docs, only


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
    from citycoop.load import exports

    path = tmp_path / "e.jsonl"
    path.write_bytes(_awkward_export())
    [f] = discover([path])
    every_part = list(split_export(f, 700))
    real_cuts = exports._jsonl_cuts

    def failing_cuts(*args):
        for i, cut in enumerate(real_cuts(*args)):
            if i == 40:
                raise OSError("device went away")
            yield cut

    monkeypatch.setattr(exports, "_jsonl_cuts", failing_cuts)
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

    from citycoop.load import exports

    monkeypatch.setattr(exports, "_READ_BLOCK", block)
    rng = random.Random(block)
    for _ in range(60):
        data = bytes(rng.choice(b"ab\r\n\r\xc3\xa9") for _ in range(rng.randint(0, 60)))
        data = data.replace(b"\xc3\xc3", b"\xc3\xa9")
        if rng.random() < 0.2:
            data = b"x" * 200 + data + b"y" * 150 + b"\r" + b"z" * 90
        text = io.TextIOWrapper(io.BytesIO(data), encoding="latin-1", newline="").readlines()
        lines = list(exports._byte_lines(io.BytesIO(data)))
        assert [x.decode("latin-1") for x in lines] == text
        starts = [0]
        for x in lines:
            starts.append(starts[-1] + len(x))
        i, j = sorted(rng.sample(range(len(starts)), 2)) if len(starts) > 1 else (0, 0)
        fh = io.BytesIO(data)
        fh.seek(starts[i])
        assert list(exports._byte_lines(fh, starts[j])) == lines[i:j]


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


def test_rows_of_two_exports_with_one_stem_have_different_ids(tmp_path):
    row = {"title": "A", "text": VI}
    (tmp_path / "export.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "export.csv").write_text("title,text\nA," + VI.replace(",", "") + "\n", encoding="utf-8")
    assert sorted(d.id for d in docs(tmp_path)) == ["export.csv#1", "export.jsonl#1"]
