"""Extracted records (Parquet) against the generator's labels, field by field."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

FIELDS = ["published", "event_date", "direction", "vn", "cn_provinces", "cn_cities", "topics", "duplicate_of"]
COLUMNS = ["id", "published", "event_date", "direction", "vn_localities_json", "partners_json",
           "topic_transport", "topic_logistics", "topic_metro", "topic_tourism", "duplicate_of", "text"]


def accuracy(parquet: Path, labels: Path, show: int = 0) -> dict:
    df = pd.read_parquet(parquet, columns=COLUMNS).set_index("id")
    labs = [json.loads(x) for x in labels.read_text(encoding="utf-8").splitlines()]
    hits = dict.fromkeys(FIELDS, 0)
    missing, shown = 0, 0
    body, body_lost = 0, 0  # labelled body paragraphs, and those not in the record's text
    for lab in labs:
        if lab["id"] not in df.index:
            missing += 1
            continue
        r = df.loc[lab["id"]]
        partners = json.loads(r.partners_json)
        got = {
            "published": r.published if isinstance(r.published, str) else None,
            "event_date": r.event_date if isinstance(r.event_date, str) else None, "direction": r.direction,
            "vn": sorted(v["name"] for v in json.loads(r.vn_localities_json)),
            "cn_provinces": sorted({p["province"] for p in partners}),
            "cn_cities": sorted({p["name"] for p in partners if p["level"] in ("city", "county", "municipality")}),
            "topics": {t: bool(r[f"topic_{t}"] > 0) for t in ("transport", "logistics", "metro", "tourism")},
            "duplicate_of": r.duplicate_of if isinstance(r.duplicate_of, str) and r.duplicate_of else None,
        }
        text = " ".join(str(r.text).split())
        for para in lab.get("body", []):
            body += 1
            if " ".join(para.split()) not in text:
                body_lost += 1
                if shown < show:
                    shown += 1
                    print(f"  {lab['id']} body paragraph lost: {para[:80]!r}")
        want = {**lab, "vn": sorted(lab["vn"]), "cn_provinces": sorted(lab["cn_provinces"]),
                "cn_cities": sorted(lab["cn_cities"])}
        for f in FIELDS:
            ok = got[f] == want[f]
            hits[f] += ok
            if not ok and shown < show:
                shown += 1
                print(f"  {lab['id']} {f}: got {got[f]!r}, label {want[f]!r}")
    n = len(labs)
    per_field = {f: round(hits[f] / n, 4) for f in FIELDS}
    return {"fields": per_field, "overall": round(sum(per_field.values()) / len(FIELDS), 4), "missing": missing,
            "body_paragraphs": body, "body_lost": body_lost}


if __name__ == "__main__":
    import sys

    print(json.dumps(accuracy(Path(sys.argv[1]), Path(sys.argv[2]), show=int(sys.argv[3]) if len(sys.argv) > 3 else 20), indent=1))
