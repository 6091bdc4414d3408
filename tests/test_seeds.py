"""The acceptance test of the extractor: `citycoop extract seeds --format jsonl` against the
hand labels in seeds/expected.jsonl. Nothing in the code is keyed to these files."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT

CITY_LEVELS = {"city", "county", "municipality"}


@pytest.fixture(scope="module")
def records():
    out = subprocess.run([sys.executable, "-m", "citycoop", "extract", "seeds", "--format", "jsonl",
                          "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert "files read 5, articles 5, records 5" in out.stderr
    return {r["id"]: r for r in lines}


def test_exactly_five_records(records):
    assert len(records) == 5


@pytest.mark.parametrize("field", ["published", "event_date", "direction", "vn", "cn_provinces",
                                   "cn_cities", "topics", "officials", "title", "url", "outlet"])
def test_fields_match_hand_labels(records, expected, field):
    for doc, e in expected.items():
        r = records[doc]
        got = {
            "published": r["published"], "event_date": r["event_date"], "direction": r["direction"],
            "vn": sorted(v["name"] for v in r["vn_localities"]),
            "cn_provinces": sorted({p["province"] for p in r["partners"]}),
            "cn_cities": sorted({p["name"] for p in r["partners"] if p["level"] in CITY_LEVELS}),
            "topics": {t: r["topics"][t] > 0 for t in e["topics"]},
            "officials": sorted((o["name"], o["side"]) for o in r["officials"]),
            "title": r["title"], "url": r["url"], "outlet": r["outlet"],
        }[field]
        want = {
            "vn": sorted(e["vn"]), "cn_provinces": sorted(e["cn_provinces"]),
            "cn_cities": sorted(e["cn_cities"]),
            "officials": sorted((o["name"], o["side"]) for o in e["officials"]),
        }.get(field, e.get(field))
        if field in ("title", "url", "outlet") and want is None:
            continue  # the label does not say; only non-null labels are checked
        assert got == want, (doc, field)


def test_evidence_sentences_contain_their_topic_terms(records):
    for r in records.values():
        for topic, count in r["topics"].items():
            assert (count > 0) == bool(r["evidence"].get(topic)), (r["id"], topic)
