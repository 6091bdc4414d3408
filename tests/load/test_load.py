"""Loading as a whole (read_file, iter_documents): one file → its articles, every problem a reject."""
import json

from citycoop.load import iter_documents
from citycoop.models import RawDocument, Reject
from conftest import SEEDS
from load_samples import VI, docs, only


def test_txt(tmp_path):
    (tmp_path / "a.txt").write_text(VI, encoding="utf-8")
    [d] = docs(tmp_path)
    assert (d.id, d.format, d.encoding, d.text) == ("a.txt", "txt", "utf-8", VI)


def test_seeds_are_five_articles():
    items = docs(SEEDS)
    assert len(items) == 5 and all(isinstance(i, RawDocument) for i in items)


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
