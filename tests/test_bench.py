"""A tiny run of the benchmark (the real one is `make bench`, never part of `make test`)."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def test_bench_smoke(tmp_path):
    p = subprocess.run([sys.executable, str(ROOT / "bench/benchmark.py"), "--smoke", "--workdir", str(tmp_path / "w")],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    last = p.stdout.strip().splitlines()[-1]
    assert last.startswith("BENCH ")
    result = json.loads(last[len("BENCH "):])
    for key in ("n_articles", "floor_s", "extract_s", "ratio", "cached_ratio", "incremental_ratio", "incremental_file_ratio", "naive_ratio",
                "peak_rss_mb", "report_html_mb", "report_s", "pages_s", "pages_rss_mb", "page_s", "seeds_pages",
                "long_article_s", "long_article_growth", "accuracy"):
        assert key in result
    assert result["n_articles"] == 150 and result["accuracy"] >= 0.99


def test_generator_is_deterministic(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    a = generate(60, 7, tmp_path / "a")
    b = generate(60, 7, tmp_path / "b")
    assert a == b
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)
