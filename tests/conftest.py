import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def expected():
    """seeds/expected.jsonl keyed by file name."""
    return {json.loads(line)["doc"]: json.loads(line)
            for line in (SEEDS / "expected.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}


# A story of two localities' meeting, for corpora made in tests: the lead and one more paragraph.
LEAD = ("Ngày 12/5/2024, Chủ tịch UBND tỉnh Quảng Ninh đã tiếp đoàn đại biểu thành phố Phòng Thành "
        "Cảng (Trung Quốc). Hai bên trao đổi về hợp tác du lịch, logistics và phát triển cảng biển, "
        "kết nối giao thông qua cửa khẩu Móng Cái – Đông Hưng trong thời gian tới.")
MORE = ("Lãnh đạo hai địa phương thống nhất tăng cường trao đổi đoàn, tổ chức diễn đàn xúc tiến "
        "thương mại, đầu tư và giao lưu văn hóa, thể thao giữa nhân dân hai bên trong năm tới.")


# One meeting reported twice (a portal, a paper: 4 May 2024) and another of the same pair (9 Aug),
# as three short .txt articles: the meetings and corrections tests read them.
LANGSON_GUANGXI = {
    "portal.txt": ("Lạng Sơn hội đàm với Quảng Tây",
                   "Ngày 4/5/2024, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu Khu tự trị dân tộc "
                   "Choang Quảng Tây (Trung Quốc), bàn về du lịch và logistics qua cửa khẩu Hữu Nghị."),
    "paper.txt": ("Tăng cường hợp tác cửa khẩu Lạng Sơn – Quảng Tây",
                  "Chiều 4/5/2024, lãnh đạo tỉnh Lạng Sơn tiếp đoàn đại biểu Khu tự trị dân tộc Choang "
                  "Quảng Tây (Trung Quốc); hai bên thảo luận thông quan hàng hóa và phát triển du lịch."),
    "later.txt": ("Lạng Sơn tiếp đoàn Quảng Tây",
                  "Ngày 9/8/2024, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu Khu tự trị dân tộc "
                  "Choang Quảng Tây (Trung Quốc), bàn về thương mại biên giới."),
}


def write_articles(folder: Path, articles: dict[str, tuple[str, str]]) -> Path:
    """``articles`` (name → (title, body)) as .txt files in ``folder``, made if missing."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, body) in articles.items():
        (folder / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return folder


def corpus_with_copies(root: Path) -> Path:
    """The seed stories, an exact copy of one, a story and its near copy, and an empty file."""
    root.mkdir()
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, root / p.name)
    (root / "z_copy.txt").write_text((SEEDS / "001_a4814d28160ff6be.txt").read_text(encoding="utf-8"),
                                     encoding="utf-8")
    (root / "qn_a.txt").write_text(f"Quảng Ninh tiếp đoàn Phòng Thành Cảng\n\n{LEAD}\n\n{MORE}", encoding="utf-8")
    near = MORE.replace("trong năm tới", "trong năm 2025")  # syndicated copy, one edit
    (root / "qn_b.txt").write_text(f"Quảng Ninh đón đoàn Phòng Thành Cảng\n\n{LEAD}\n\n{near}", encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    return root


def run_corpus(paths, **kw):
    """What ``iter_corpus`` yields for ``paths`` (records and rejects) with default settings,
    and the run's counts."""
    from citycoop.dataset import RunStats, Settings, iter_corpus

    stats = RunStats()
    items = list(iter_corpus(paths, Settings(), stats=stats, **kw))
    return items, stats


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    # Tests never read or write the user's record cache.
    monkeypatch.setenv("CITYCOOP_CACHE", str(tmp_path / "cache.sqlite"))
    yield


# ------------------------------------------------------------------ reports, built once per session
# Shared by tests/report/ (files) and test_browser (Chromium).
XSS_TITLE = "Lạng Sơn tiếp đoàn Quảng Tây <script>window.__xss = 1</script>"
XSS_BODY = ("Ngày 4/5/2024, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu Khu tự trị dân tộc "
            "Choang Quảng Tây (Trung Quốc), bàn về du lịch <img src=x onerror=\"window.__xss = 2\"> "
            "và logistics qua cửa khẩu Hữu Nghị.")


def run_report(corpus, out, *extra):
    return subprocess.run([sys.executable, "-m", "citycoop", "report", *map(str, corpus), "--out", str(out),
                           "--no-cache", "-q", *extra], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="session")
def seed_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    p = run_report([ROOT / "seeds"], out, "--jobs", "2")
    assert p.returncode == 0, p.stderr
    return out, p


@pytest.fixture(scope="session")
def xss_reports(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("xss")
    (corpus / "evil.jsonl").write_text(json.dumps({"title": XSS_TITLE, "text": XSS_BODY,
                                                   "url": "javascript:alert(1)"}, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    out = tmp_path_factory.mktemp("xss_reports")
    p = run_report([corpus], out, "--topic", "tourism")
    assert p.returncode == 0, p.stderr
    return out


