"""Corrections from the command line, on a tiny corpus: `citycoop extract` applies the
corrections.yml beside the corpus (or `--corrections FILE`, YAML or CSV), says what it could
not apply and counts it; a correction survives a re-run on the cache, and a changed file is
applied again without extracting anything; not-a-meeting and moves change the meetings table;
`citycoop report` shows the corrected value; `citycoop evaluate` scores corrected records;
the Dask engine applies them as the local one does."""
import json
import subprocess
import sys

import pytest

from citycoop.meetings import meeting_id
from conftest import LANGSON_GUANGXI, ROOT, SEEDS, write_articles

HCMC = "001_a4814d28160ff6be.txt"  # a seed with a URL: Ho Chi Minh City and Chongqing
HCMC_URL = ("https://baotintuc.vn/thoi-su/thuc-day-hop-tac-giua-tp-ho-chi-minh-va-tp-trung-khanh-trung-quoc"
            "-20231013131403518.htm")
ABOUT = "  note: checked against the portal\n  by: Lan\n  when: 2025-03-02\n"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "citycoop", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def corpus(tmp_path):
    folder = write_articles(tmp_path / "corpus", LANGSON_GUANGXI)
    (folder / HCMC).write_bytes((SEEDS / HCMC).read_bytes())
    return folder


def records(path) -> dict:
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def meetings(path) -> list[list[str]]:
    return sorted(sorted(m["article_ids"]) for m in map(json.loads, path.read_text(encoding="utf-8").splitlines()))


def extract(corpus, out, *extra):
    done = run("extract", corpus, "-o", out, "-j", "1", *extra)
    assert done.returncode == 0, done.stderr
    return done


def test_the_corrections_beside_the_corpus_set_fields_and_say_so(corpus, tmp_path):
    (corpus / "corrections.yml").write_text(f"""
- id: later.txt
  vn_localities: [Cao Bằng]
  partners: [Vân Nam, Guangxi]
  event_date: 2024-08-10
  direction: outbound
  topics: [trade, tourism]
{ABOUT}- url: {HCMC_URL}
  event_date: --10-13
  topics: [-trade, +metro]
{ABOUT}""", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = extract(corpus, out, "--no-cache")
    # corrections.yml is no article: ignored, as the outputs beside a corpus are
    assert done.stderr.splitlines()[-1] == ("citycoop: files read 4, articles 4, records 4, duplicates 0 (near 0), "
                                            "rejects 0, ignored 1, corrections 2 (applied 2, invalid 0)")
    got = records(out)
    later = got["later.txt"]
    assert [v["name"] for v in later["vn_localities"]] == ["Cao Bang"]
    assert [p["name"] for p in later["partners"]] == ["Yunnan", "Guangxi"]
    assert (later["event_date"], later["event_date_source"], later["direction"]) == ("2024-08-10", "correction", "outbound")
    assert {t for t, n in later["topics"].items() if n} == {"trade", "tourism"}
    assert later["corrected"] == ["vn_localities", "partners", "event_date", "direction", "topics"]
    assert later["correction_note"] == "checked against the portal (Lan, 2025-03-02)"
    hcmc = got[HCMC]
    assert hcmc["event_date"] == "--10-13" and hcmc["corrected"] == ["event_date", "topics"]
    assert hcmc["topics"]["metro"] and hcmc["topics"]["transport"] and not hcmc["topics"]["trade"]
    assert got["portal.txt"]["corrected"] == [] and got["portal.txt"]["correction_note"] is None
    # the meeting of later.txt is read from the corrected record
    table = [json.loads(x) for x in (tmp_path / "out.meetings.jsonl").read_text(encoding="utf-8").splitlines()]
    moved = next(m for m in table if m["article_ids"] == ["later.txt"])
    assert (moved["event_date"], moved["direction"]) == ("2024-08-10", "outbound")
    assert [p["name"] for p in moved["partners"]] == ["Yunnan", "Guangxi"]


def test_every_wrong_entry_is_named_with_why_counted_and_the_rest_applied(corpus, tmp_path):
    fixes = corpus / "corrections.yml"
    fixes.write_text(f"""
- id: gone.txt
  direction: inbound
{ABOUT}- id: portal.txt
  directions: outbound
{ABOUT}- id: portal.txt
  direction: sideways
{ABOUT}- id: portal.txt
  partners: [Atlantis]
{ABOUT}- id: portal.txt
  topics: [karaoke]
{ABOUT}- id: portal.txt
  event_date: 2024-02-30
{ABOUT}- id: paper.txt
  same_meeting_as: gone.txt
{ABOUT}- id: paper.txt
  meeting: m0123456789ab
{ABOUT}- id: later.txt
  direction: outbound
""", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = extract(corpus, out, "--no-cache")
    lines = done.stderr.splitlines()
    f = fixes  # as the run found it: beside the corpus it was given
    assert lines == [
        f"citycoop: {f}: entry 1 (id gone.txt): not applied: no article with this id in the corpus",
        f"citycoop: {f}: entry 2 (id portal.txt): not applied: no field 'directions' (did you mean direction?); "
        "an entry has id, url, vn_localities, partners, event_date, direction, topics, not_a_meeting, meeting, "
        "same_meeting_as, note, by, when",
        f"citycoop: {f}: entry 3 (id portal.txt): not applied: unknown direction 'sideways' (one of inbound, "
        "outbound, none, unknown)",
        f"citycoop: {f}: entry 4 (id portal.txt): not applied: unknown Chinese locality 'Atlantis'; the "
        "gazetteers list them (docs/gazetteers.md)",
        f"citycoop: {f}: entry 5 (id portal.txt): not applied: unknown topic 'karaoke' (topics: transport, logistics, "
        "metro, tourism, trade, investment, industry_technology, energy, environment, culture_education, health, "
        "agriculture, people_exchange, party_government, urban_planning, border)",
        f"citycoop: {f}: entry 6 (id portal.txt): not applied: event_date '2024-02-30' is not a day: YYYY-MM-DD, "
        "--MM-DD when the year is unknown, or null (YAML; '-' in CSV) when there is none",
        f"citycoop: {f}: entry 7 (id paper.txt): move not applied: same_meeting_as names no article of the corpus "
        "(gone.txt)",
        f"citycoop: {f}: entry 8 (id paper.txt): move not applied: no meeting m0123456789ab in the corpus (a "
        "meeting's id comes from its first article: see the meetings table)",
        f"citycoop: {f}: entry 8 (id paper.txt): warning: sets its meeting again (entry 7 sets it too): the "
        "later entry wins",
        f"citycoop: {f}: entry 9 (id later.txt): warning: no note, by, when (say why, who and when: the record "
        "carries it)",
        "citycoop: files read 4, articles 4, records 4, duplicates 0 (near 0), rejects 0, ignored 1, "
        "corrections 9 (applied 1, invalid 8, warnings 2)"]
    got = records(out)
    assert got["later.txt"]["direction"] == "outbound"
    assert got["portal.txt"]["corrected"] == []
    assert meetings(tmp_path / "out.meetings.jsonl") == [[HCMC], ["later.txt"], ["paper.txt", "portal.txt"]]
    quiet = extract(corpus, tmp_path / "quiet.jsonl", "--no-cache", "-q")  # -q: the count, not the lines
    assert quiet.stderr.splitlines() == lines[-1:]


def test_a_malformed_file_is_said_in_a_line_and_the_run_goes_on(corpus, tmp_path):
    (corpus / "corrections.yml").write_text("- id: later.txt\n  direction: [outbound\n", encoding="utf-8")
    done = extract(corpus, tmp_path / "out.jsonl", "--no-cache")
    assert "corrections.yml: not applied: not YAML: " in done.stderr.splitlines()[0]
    assert done.stderr.splitlines()[-1].endswith("ignored 1, corrections 1 (applied 0, invalid 1)")
    assert records(tmp_path / "out.jsonl")["later.txt"]["direction"] == "inbound"


def test_a_csv_file_named_on_the_command_line_is_applied_and_never_read_as_an_article(corpus, tmp_path):
    fixes = corpus / "fixes.csv"  # in the corpus folder, where a CSV would be an export of articles
    fixes.write_text("id,partners,not_a_meeting,note,by,when\n"
                     "later.txt,-,,no Chinese delegation after all,Lan,2025-03-02\n"
                     "paper.txt,,yes,an opinion piece,Lan,2025-03-02\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = extract(corpus, out, "--no-cache", "--corrections", fixes)
    assert done.stderr.splitlines()[-1].endswith("rejects 0, ignored 1, corrections 2 (applied 2, invalid 0)")
    got = records(out)
    assert got["later.txt"]["partners"] == [] and got["later.txt"]["corrected"] == ["partners"]
    assert got["paper.txt"]["not_a_meeting"] is True
    # no partner, no meeting; not a meeting, in none
    assert meetings(tmp_path / "out.meetings.jsonl") == [[HCMC], ["portal.txt"]]


def test_a_corrections_file_that_is_not_there_stops_the_run_before_it_starts(corpus, tmp_path):
    done = run("extract", corpus, "-o", tmp_path / "out.jsonl", "--corrections", tmp_path / "nope.yml")
    assert (done.returncode, done.stderr) == (2, f"citycoop extract: --corrections {tmp_path / 'nope.yml'}: no such file\n")
    assert not (tmp_path / "out.jsonl").exists()
    fixes = tmp_path / "fixes.yml"
    fixes.write_text(f"- id: later.txt\n  direction: outbound\n{ABOUT}", encoding="utf-8")
    built = tmp_path / "built.parquet"
    extract(corpus, built, "--no-cache", "-q")
    done = run("report", built, "--out", tmp_path / "reports", "--corrections", fixes)
    assert done.returncode == 2 and "is a built dataset, reported on as it is" in done.stderr
    done = run("evaluate", "--records", tmp_path / "x.jsonl", "--gold", tmp_path / "x.jsonl", "--corrections", fixes)
    assert done.returncode == 2 and "--records are scored as they are" in done.stderr


def test_a_correction_survives_a_rerun_and_a_changed_file_is_applied_without_extracting(corpus, tmp_path):
    fixes = corpus / "corrections.yml"
    fixes.write_text(f"- id: later.txt\n  direction: outbound\n{ABOUT}", encoding="utf-8")
    out, cache = tmp_path / "out.parquet", tmp_path / "cache"
    stats_file = tmp_path / "out.stats.json"

    def direction() -> str:
        import pyarrow.parquet as pq

        rows = pq.read_table(out, columns=["id", "direction"]).to_pylist()
        return next(r["direction"] for r in rows if r["id"] == "later.txt")

    first = extract(corpus, out, "--cache", cache, "-q")
    assert "corrections 1 (applied 1, invalid 0)" in first.stderr
    assert json.loads(stats_file.read_text())["cached_files"] == 0 and direction() == "outbound"
    again = extract(corpus, out, "--cache", cache, "-q")
    assert again.stderr.strip().endswith("corrections 1 (applied 1, invalid 0); no input changed since "
                                         f"{out} was written: kept as is")
    assert direction() == "outbound"
    fixes.write_text(f"- id: later.txt\n  direction: unknown\n{ABOUT}", encoding="utf-8")
    changed = extract(corpus, out, "--cache", cache, "-q")
    assert "kept as is" not in changed.stderr
    assert json.loads(stats_file.read_text())["cached_files"] == 4  # every file from the cache: none extracted
    assert direction() == "unknown"
    fixes.unlink()  # no corrections: the extractor's own reading, again from the cache
    extract(corpus, out, "--cache", cache, "-q")
    assert json.loads(stats_file.read_text())["cached_files"] == 4 and direction() == "inbound"


def test_not_a_meeting_and_moves_change_the_meetings_table(corpus, tmp_path):
    fixes = corpus / "corrections.yml"
    out = tmp_path / "out.jsonl"
    table = tmp_path / "out.meetings.jsonl"
    extract(corpus, out, "--no-cache", "-q")
    assert meetings(table) == [[HCMC], ["later.txt"], ["paper.txt", "portal.txt"]]
    founder = next(json.loads(x)["meeting_id"] for x in table.read_text(encoding="utf-8").splitlines()
                   if "portal.txt" in x)
    cases = [
        (f"- id: paper.txt\n  not_a_meeting: true\n{ABOUT}", [[HCMC], ["later.txt"], ["portal.txt"]]),
        (f"- id: paper.txt\n  meeting: own\n{ABOUT}", [[HCMC], ["later.txt"], ["paper.txt"], ["portal.txt"]]),
        (f"- id: later.txt\n  same_meeting_as: paper.txt\n{ABOUT}", [[HCMC], ["later.txt", "paper.txt", "portal.txt"]]),
        (f"- id: later.txt\n  meeting: {founder}\n{ABOUT}", [[HCMC], ["later.txt", "paper.txt", "portal.txt"]]),
    ]
    for text, expected in cases:
        fixes.write_text(text, encoding="utf-8")
        done = extract(corpus, out, "--no-cache", "-q")
        assert "corrections 1 (applied 1, invalid 0)" in done.stderr, done.stderr
        assert meetings(table) == expected, text
    # the meeting later.txt joined keeps its id: its first article's (no publication dates: by id)
    joined = next(json.loads(x) for x in table.read_text(encoding="utf-8").splitlines() if "later.txt" in x)
    assert joined["meeting_id"] == founder == meeting_id("paper.txt")


def test_evaluate_scores_the_corrected_records(tmp_path):
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    for f in SEEDS.glob("*.txt"):
        (corpus / f.name).write_bytes(f.read_bytes())
    gold = SEEDS / "expected.jsonl"
    plain = run("evaluate", corpus, "--gold", gold, "--format", "json", "--no-cache", "-j", "1")
    assert json.loads(plain.stdout)["metrics"]["direction"] == 1.0, plain.stderr
    (corpus / "corrections.yml").write_text(f"- id: 002_390b886b67dc50da.txt\n  direction: outbound\n{ABOUT}",
                                            encoding="utf-8")
    fixed = run("evaluate", corpus, "--gold", gold, "--format", "json", "--no-cache", "-j", "1")
    assert json.loads(fixed.stdout)["metrics"]["direction"] == 0.8
    assert "corrections 1 (applied 1, invalid 0)" in fixed.stderr


def test_a_report_page_shows_the_corrected_value_and_marks_the_row(corpus, tmp_path):
    (corpus / "corrections.yml").write_text(f"- id: later.txt\n  partners: [Vân Nam]\n{ABOUT}", encoding="utf-8")
    out = tmp_path / "reports"
    done = run("report", corpus, "--out", out, "--overview-only", "--no-cache", "-q")
    assert done.returncode == 0, done.stderr
    assert "corrections 1 (applied 1, invalid 0)" in done.stderr
    page = (out / "corpus_overview.html").read_text(encoding="utf-8")
    row = next(r for r in page.split("<tr>") if "Lạng Sơn tiếp đoàn Quảng Tây" in r)  # later.txt's title
    assert "Vân Nam (Yunnan)" in row and "(corrected)" in row
    assert 'title="corrected: partners — checked against the portal (Lan, 2025-03-02)"' in row
    # once in the meetings table (beside the article in its meeting's row), once in the article table
    assert page.count('class="citycoop-corrected"') == 2


def test_the_dask_engine_applies_the_corrections_as_the_local_engine_does(corpus, tmp_path):
    from dask.distributed import LocalCluster

    from citycoop.dataset import Settings
    from citycoop.pipeline.engines import DaskEngine

    fixes = corpus / "corrections.yml"
    fixes.write_text(f"- id: later.txt\n  direction: outbound\n{ABOUT}- id: paper.txt\n  meeting: own\n{ABOUT}"
                     f"- id: gone.txt\n  direction: none\n{ABOUT}", encoding="utf-8")
    local = tmp_path / "local.jsonl"
    extract(corpus, local, "--no-cache", "-q")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        stats, _ = DaskEngine(scheduler=cluster.scheduler_address).extract(
            [corpus], Settings(corrections=(str(fixes),)), out=str(tmp_path / "dask.jsonl"), fmt="jsonl")
    assert records(tmp_path / "dask.jsonl") == records(local)
    assert meetings(tmp_path / "dask.meetings.jsonl") == meetings(tmp_path / "local.meetings.jsonl")
    assert (stats.corrections["applied"], stats.corrections["invalid"]) == (2, 1)
