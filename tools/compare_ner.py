"""Side-by-side: citycoop's gazetteer matcher vs underthesea's NER for finding the localities of
the labelled meetings (seeds/expected.jsonl), with timing.

underthesea is not a citycoop dependency (its NER model is a large download); run this with a
Python that has it, and citycoop's source on the path:

    python3 -m venv /tmp/uts && /tmp/uts/bin/pip install underthesea pyyaml numpy
    PYTHONPATH=src /tmp/uts/bin/python tools/compare_ner.py
"""
import json
import time
from pathlib import Path

from citycoop.clean import clean_document
from citycoop.extract import Extractor
from citycoop.load import iter_documents

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from underthesea import ner

    ex = Extractor()
    gaz = ex.gazetteer
    labels = {json.loads(x)["doc"]: json.loads(x) for x in (ROOT / "seeds/expected.jsonl").read_text().splitlines()}
    articles = [clean_document(d) for d in iter_documents([ROOT / "seeds"])]
    totals = {"gaz": [0, 0, 0.0], "ner": [0, 0, 0.0]}  # found, spurious, seconds
    wanted_total = 0
    ner("khởi động mô hình")  # load the model outside the timing
    for a in articles:
        lab = labels[a.id]
        wanted = set(lab["vn"]) | set(lab["cn_provinces"]) | set(lab["cn_cities"])
        wanted_total += len(wanted)
        t0 = time.perf_counter()
        record = ex.extract(a)
        t_gaz = time.perf_counter() - t0
        gaz_found = {m["name"] for m in record["mentions"]}
        t0 = time.perf_counter()
        tags = []
        for para in a.text.split("\n\n"):
            tags += ner(para)
        t_ner = time.perf_counter() - t0
        spans, cur = [], []
        for word, _pos, _chunk, tag in tags:
            if tag.startswith("B-LOC"):
                if cur:
                    spans.append(" ".join(cur))
                cur = [word]
            elif tag.startswith("I-LOC") and cur:
                cur.append(word)
            else:
                if cur:
                    spans.append(" ".join(cur))
                cur = []
        if cur:
            spans.append(" ".join(cur))
        ner_found, spurious = set(), 0
        for s in spans:  # NER finds spans; naming them still needs the gazetteer
            hits = gaz.find(s)
            if hits:
                ner_found |= {c.name for h in hits for c in h.candidates}
            else:
                spurious += 1
        gaz_spurious = len({m["name"] for m in record["mentions"]} - wanted)
        for key, found, sp, t in (("gaz", gaz_found, gaz_spurious, t_gaz), ("ner", ner_found, spurious, t_ner)):
            totals[key][0] += len(wanted & found)
            totals[key][1] += sp
            totals[key][2] += t
        print(f"{a.id}: wanted {sorted(wanted)}\n  gazetteer found {sorted(wanted & gaz_found)}; "
              f"NER found {sorted(wanted & ner_found)}; NER spans not in the gazetteer: {spurious}")
    n = len(articles)
    for key, name in (("gaz", "citycoop gazetteer matcher (+ party rules)"), ("ner", "underthesea NER (LOC spans)")):
        found, sp, t = totals[key]
        print(f"{name}: recall of labelled localities {found}/{wanted_total}, "
              f"other names/spans {sp}, {1000 * t / n:.1f} ms per article")


if __name__ == "__main__":
    main()
