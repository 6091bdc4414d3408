"""Corpus-level furniture as a user meets it: lines a site repeats on many pages leave every
record, body sentences stay, a small corpus is cleaned by the rules alone, and the result is the
same whatever the jobs, the cache or the order of runs."""
import json

import pytest

from citycoop import load
from citycoop.dataset import RunStats, Settings, Tuning, iter_corpus
from citycoop.cli import main
from citycoop.data import __file__ as data_init

# A site's furniture that no packaged rule knows (rules catch "Theo dõi … trên Zalo", "©", …).
MASTHEAD = "Sông Hồng Online – nhịp sống vùng biên"
FOLLOW = "Mời quý độc giả gửi tin bài về hộp thư của tòa soạn"
FOOTER = "Sông Hồng Online thuộc Hội Nhà báo tỉnh, số 12 đường Hoàng Liên"
PROVINCES = ["Lào Cai", "Lạng Sơn", "Hà Giang", "Cao Bằng", "Quảng Ninh", "Điện Biên", "Lai Châu",
             "Hải Phòng", "Thái Nguyên", "Bắc Giang", "Sơn La", "Tuyên Quang", "Yên Bái", "Bắc Kạn"]
# A stock sentence of the wire service, repeated in every story: it reads like body text, so it stays.
STOCK = "Hai bên nhất trí tăng cường trao đổi đoàn các cấp, thúc đẩy hợp tác trong các lĩnh vực cùng quan tâm."


def body(i: int) -> list[str]:
    place = PROVINCES[i % len(PROVINCES)]
    return [f"Sáng {i % 27 + 1}/3, tại trụ sở UBND tỉnh {place}, lãnh đạo tỉnh đã tiếp đoàn công tác "
            f"tỉnh Vân Nam (Trung Quốc) do ông Vương Kiến dẫn đầu, lần thứ {i + 2} trong năm.",
            f"Hai bên bàn về hợp tác thương mại qua cửa khẩu và du lịch biên giới của tỉnh {place}, "
            f"với {i * 7 + 3} dự án đang được triển khai.",
            STOCK]


def page(i: int, masthead: str = MASTHEAD, lines: list[str] | None = None) -> str:
    # FOLLOW stands between two paragraphs of the body, where the rules of position keep a
    # short line (a subheading); above and below the body they take furniture away on one page.
    lines = lines or body(i)
    return "\n\n".join([masthead, f"Phòng Trị sự – 09{i % 10}2 345 6{i % 7}8", lines[0], FOLLOW,
                         *lines[1:], FOOTER])


def write_site(folder, n: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        (folder / f"p{i:03d}.txt").write_text(page(i), encoding="utf-8")


def extract(corpus, out, *options) -> list[dict]:
    assert main(["extract", str(corpus), "-f", "jsonl", "-o", str(out), "-q", *map(str, options)]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def furniture_left(record: dict) -> list[str]:
    return [line for line in (MASTHEAD, "Phòng Trị sự", FOLLOW, FOOTER) if line in record["text"]]


def test_lines_a_site_repeats_leave_every_record_and_the_record_says_so(tmp_path):
    write_site(tmp_path / "corpus", 12)
    records = extract(tmp_path / "corpus", tmp_path / "out.jsonl", "--no-cache")
    assert len(records) == 12
    for record in records:
        i = int(record["id"][1:4])
        assert furniture_left(record) == []
        assert all(sentence in record["text"] for sentence in body(i))
        removed = record["furniture_removed"]
        assert MASTHEAD in removed and FOLLOW in removed and FOOTER in removed
        assert any(line.startswith("Phòng Trị sự") for line in removed)


def test_one_page_or_a_small_corpus_is_cleaned_by_the_rules_alone(tmp_path):
    write_site(tmp_path / "one", 1)
    write_site(tmp_path / "five", 5)
    for corpus in ("one", "five"):
        for record in extract(tmp_path / corpus, tmp_path / f"{corpus}.jsonl", "--no-cache"):
            assert FOLLOW in record["text"]
            assert record["furniture_removed"] == []
            assert all(sentence in record["text"] for sentence in body(int(record["id"][1:4])))


def test_syndicated_copies_of_one_story_keep_their_body(tmp_path):
    corpus = tmp_path / "corpus"
    write_site(corpus / "home", 10)
    story = body(99)
    for n in range(6):  # one wire story on six sites, each with its own masthead
        site = corpus / f"site{n}"
        site.mkdir()
        (site / "copy.txt").write_text("\n\n".join([f"Báo điện tử tỉnh số {n} - Cơ quan của Tỉnh ủy",
                                                    *story, f"Liên hệ quảng cáo: {n}@bao.vn"]),
                                       encoding="utf-8")
    records = extract(corpus, tmp_path / "out.jsonl", "--no-cache")
    copies = [r for r in records if r["id"].endswith("copy.txt")]
    assert len(copies) == 6
    for record in copies:
        assert all(sentence in record["text"] for sentence in story[:2])


def test_the_threshold_is_read_from_the_rules_file(tmp_path):
    write_site(tmp_path / "corpus", 12)
    rules = tmp_path / "rules.yml"
    text = open(data_init.replace("__init__.py", "boilerplate.yml"), encoding="utf-8").read()
    rules.write_text(text.replace("min_stories: 5", "min_stories: 13"), encoding="utf-8")
    for record in extract(tmp_path / "corpus", tmp_path / "out.jsonl", "--no-cache", "--rules", rules):
        assert FOLLOW in record["text"] and record["furniture_removed"] == []


def test_jobs_and_the_cache_give_the_same_records_and_a_cached_run_reads_nothing(tmp_path, monkeypatch):
    write_site(tmp_path / "corpus", 40)
    cache = tmp_path / "cache"
    one = extract(tmp_path / "corpus", tmp_path / "one.jsonl", "--jobs", 1, "--cache", cache)
    two = extract(tmp_path / "corpus", tmp_path / "two.jsonl", "--jobs", 2, "--no-cache")
    assert one == two and all(furniture_left(r) == [] for r in one)

    def no_reading(*args, **kwargs):
        raise AssertionError("a cached run read an input file")

    monkeypatch.setattr(load, "read_file", no_reading)
    again = extract(tmp_path / "corpus", tmp_path / "again.jsonl", "--jobs", 1, "--cache", cache)
    assert again == one


def test_an_incremental_run_equals_a_clean_run_even_when_the_furniture_changes(tmp_path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_site(corpus, 6)  # below the corpus size: the furniture stays in the cached records
    first = extract(corpus, tmp_path / "first.jsonl", "--cache", cache)
    assert all(FOLLOW in r["text"] for r in first)
    write_site(corpus, 8, start=6)  # now 14 stories: the same files lose their furniture
    grown = extract(corpus, tmp_path / "grown.jsonl", "--cache", cache)
    clean = extract(corpus, tmp_path / "clean.jsonl", "--no-cache")
    assert grown == clean and all(furniture_left(r) == [] for r in grown)
    write_site(corpus, 3, start=14)  # the furniture set is the same: the old files stay cached
    stats = RunStats()
    more = [record_for_json(r) for r in iter_corpus([corpus], Settings(), cache=cache, stats=stats)]
    assert stats.cached_files == 14
    assert more == extract(corpus, tmp_path / "clean2.jsonl", "--no-cache")


def record_for_json(record: dict) -> dict:
    return json.loads(json.dumps(record, ensure_ascii=False))


@pytest.mark.slow
def test_the_dask_engine_removes_the_same_furniture(tmp_path):
    from dask.distributed import LocalCluster

    from citycoop.pipeline.engines import DaskEngine

    write_site(tmp_path / "corpus", 12)
    local = extract(tmp_path / "corpus", tmp_path / "local.jsonl", "--no-cache")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = tmp_path / "dask.jsonl"
        DaskEngine(scheduler=cluster.scheduler_address).extract(
            [tmp_path / "corpus"], Settings(tuning=Tuning(files_per_task=5)), out=str(out), fmt="jsonl")
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == local


def test_explain_tells_an_analyst_why_each_line_went(tmp_path):
    from citycoop.furniture import explain, line_hash

    text = page(1) + "\n\nChia sẻ Zalo Facebook"  # a share widget the rules drop
    reasons = dict(explain(text, frozenset({line_hash(FOLLOW)})))
    assert reasons[FOLLOW] == "repetition" and reasons[MASTHEAD] == "title"  # (no other candidate)
    headline = "Lạng Sơn và Quảng Tây bàn về hợp tác cửa khẩu"
    assert dict(explain("\n\n".join([MASTHEAD, headline, *body(1), FOOTER])))[headline] == "title"
    # the widget by its words, the footer by its place under the body
    assert reasons["Chia sẻ Zalo Facebook"] == "rules" and reasons[FOOTER] == "rules"
    assert all(reasons[s] == "kept" for s in body(1))
