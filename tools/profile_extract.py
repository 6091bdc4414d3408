"""CPU cost per article of ``pipeline.worker.process_file`` on a corpus sample, plus a JSONL dump of
every result so an optimisation can be checked byte for byte against a baseline.

    PYTHONPATH=src python tools/profile_extract.py CORPUS --n 3000 --out /tmp/after.jsonl [--stages]
    cmp /tmp/speed_baseline.jsonl /tmp/after.jsonl

``--stages`` also times load / clean / extract / signature separately (small wrapper overhead).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict

from citycoop.pipeline import worker
from citycoop.pipeline.settings import Settings
from citycoop import clean, dedup, load
from citycoop.extract import Extractor
from citycoop.models import Reject


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--out", default=None)
    ap.add_argument("--stages", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="best of N timing passes")
    args = ap.parse_args()

    files = sorted(load.discover([args.corpus]), key=lambda f: f.path)[: args.n]
    settings = Settings()
    worker.worker_state(settings)  # gazetteer, taxonomy, rules: built once, not timed
    import trafilatura  # noqa: F401  (import cost is not per article)

    stage = defaultdict(float)
    if args.stages:
        def timed(name, fn):
            def wrapper(*a, **k):
                t = time.process_time()
                try:
                    return fn(*a, **k)
                finally:
                    stage[name] += time.process_time() - t
            return wrapper

        orig_read = load.read_file

        def read_file(*a, **k):  # a generator: time the list it yields
            t = time.process_time()
            items = list(orig_read(*a, **k))
            stage["load"] += time.process_time() - t
            return iter(items)

        load.read_file = read_file
        # iter_file imports these by name at each call, so patching the modules reaches it
        clean.clean_document = timed("clean", clean.clean_document)
        Extractor.extract = timed("extract", Extractor.extract)
        dedup.signature = timed("signature", dedup.signature)

    best: dict[str, float] = {}
    counts: dict[str, int] = defaultdict(int)
    results = None
    for rep in range(args.repeat):
        cpu: dict[str, float] = defaultdict(float)
        counts = defaultdict(int)
        results = []
        stage.clear()
        for f in files:
            kind = os.path.splitext(f.path)[1].lower().lstrip(".")
            t = time.process_time()
            items = worker.process_file(f, settings)
            cpu[kind] += time.process_time() - t
            counts[kind] += len(items)
            results.append(items)
        for k, v in cpu.items():
            best[k] = min(best.get(k, v), v)

    total_cpu, total_n = sum(best.values()), sum(counts.values())
    for kind in sorted(best):
        print(f"{kind:6s} {counts[kind]:6d} articles  {1000 * best[kind] / max(1, counts[kind]):7.3f} ms/article")
    print(f"{'all':6s} {total_n:6d} articles  {1000 * total_cpu / max(1, total_n):7.3f} ms/article")
    if args.stages:
        for name, v in sorted(stage.items(), key=lambda kv: -kv[1]):
            print(f"  stage {name:10s} {1000 * v / max(1, total_n):7.3f} ms/article (last pass)")

    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for items in results:
                for item in items:
                    if isinstance(item, Reject):
                        row = {"reject": item.to_dict()}
                    else:
                        row = {k: v for k, v in item.items() if k != "_signature"}
                    fh.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")


if __name__ == "__main__":
    main()
