"""Writes the README's accuracy table: `citycoop evaluate`'s figures on the development set
(tests/dev, 107 hand-labelled articles), between the two marker comments of the "Accuracy"
section. `make eval` runs it after extraction changes; tests/test_evaluate.py reads the table
back (``table_figures``) and fails when a figure falls below it.

usage: python tools/accuracy_table.py
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from citycoop import evaluate
from citycoop.dataset import iter_corpus

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEV = ROOT / "tests" / "dev"
START, END = "<!-- accuracy:start -->", "<!-- accuracy:end -->"
_ROW = re.compile(r"^\|\s*(\w+)\s*\|[^|]*\|\s*([0-9.]+)\s*\|", re.M)


def dev_evaluation() -> evaluate.Evaluation:
    labels = evaluate.read_labels([DEV / "gold.jsonl"])
    return evaluate.evaluate(iter_corpus([DEV], jobs=1), labels)


def table_figures(readme: str) -> dict[str, float]:
    """field → figure, from the table between the markers (ValueError if the markers are missing)."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README.md has no {START} … {END} section")
    return {name: float(value) for name, value in _ROW.findall(readme[start:end])}


def with_table(readme: str, table: str) -> str:
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README.md has no {START} … {END} section to write the table into")
    return readme[: start + len(START)] + "\n" + table + "\n" + readme[end:]


def main() -> int:
    readme = README.read_text(encoding="utf-8")
    new = with_table(readme, evaluate.format_markdown(dev_evaluation()))
    if new != readme:
        README.write_text(new, encoding="utf-8")
        print("README.md: accuracy table rewritten")
    else:
        print("README.md: accuracy table already current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
