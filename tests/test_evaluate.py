"""`citycoop evaluate` and citycoop.evaluate: the figures agree with the reference scorer
(tests/dev/score.py) on the same records, each kind of miss is counted and shown, what cannot
be scored is reported, the command's exit codes; and the regression guard: the development set
(tests/dev) scores no lower than the README's accuracy table."""
import importlib.util
import json
import subprocess
import sys

import pytest

from citycoop import evaluate
from conftest import ROOT

DEV = ROOT / "tests" / "dev"
SCORER = DEV / "score.py"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "citycoop", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True)


def reference_scores(records_file, gold_file) -> dict:
    """score.py's figures (the JSON on its last line)."""
    out = subprocess.run([sys.executable, str(SCORER), str(records_file), str(gold_file)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1].split(" ", 1)[1])


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def record(source, **fields):
    """A record as `citycoop extract -f jsonl` writes it, with only what scoring reads."""
    base = {"id": source.rsplit("/", 1)[-1], "source": source, "title": None, "url": None,
            "outlet": None, "published": None, "event_date": None, "direction": None,
            "vn_localities": [], "partners": [], "officials": [],
            "topics": {"transport": 0, "logistics": 0, "metro": 0, "tourism": 0, "trade": 0},
            "text": ""}
    return {**base, **fields}


def partner(name, province, level):
    return {"name": name, "province": province, "level": level}


LABEL = {"published": "2024-05-03", "event_date": "2024-05-02", "direction": "inbound",
         "vn": ["Lao Cai"], "cn_provinces": ["Yunnan"], "cn_cities": ["Honghe"],
         "officials": [{"name": "Trịnh Xuân Trường", "side": "vn"}, {"name": "Vương Ninh", "side": "cn"}],
         "topics": {"transport": True, "logistics": False, "metro": False, "tourism": True},
         "must_keep": ["Sáng 2/5, tại thành phố Lào Cai"], "must_drop": ["Đọc thêm"]}
PERFECT = dict(
    published="2024-05-03", event_date="2024-05-02", direction="inbound",
    vn_localities=[{"name": "Lao Cai"}],
    partners=[partner("Yunnan", "Yunnan", "province"), partner("Honghe", "Yunnan", "city")],
    officials=[{"name": "Trịnh Xuân Trường", "side": "vn"}, {"name": "Vương Ninh", "side": "cn"}],
    topics={"transport": 2, "logistics": 0, "metro": 0, "tourism": 1, "trade": 3},
    text="Sáng 2/5, tại thành phố Lào Cai, hai bên hội đàm.")


@pytest.fixture
def tiny(tmp_path):
    """Five labels, each record wrong in its own ways, one label without a record."""
    labels = [
        {"doc": "a/perfect.txt", **LABEL},
        # wrong places: an extra Vietnamese province, the city missed (its province still found)
        {"doc": "a/places.txt", **LABEL},
        # wrong people, topics, dates, direction and cleaning; a labelled title it misses
        {"doc": "a/other.txt", **LABEL, "title": "Lào Cai – Vân Nam hội đàm"},
        # no Vietnam–China meeting: the Vietnamese side is not scored
        {"doc": "a/none.txt", **LABEL, "direction": "none", "vn": ["Ha Nam"], "cn_provinces": [],
         "cn_cities": []},
        {"doc": "exports/site.jsonl#2", **LABEL, "reviewer": "T. Lan"},
        {"doc": "a/missing.txt", **LABEL},
    ]
    records = [
        record("corpus/a/perfect.txt", **PERFECT),
        record("corpus/a/places.txt", **{**PERFECT, "vn_localities": [{"name": "Lào Cai"}, {"name": "Lai Chau"}],
                                          "partners": [partner("Yunnan", "Yunnan", "province")]}),
        record("corpus/a/other.txt", **{
            **PERFECT, "published": None, "event_date": "2024-05-01", "direction": "unknown",
            "officials": [{"name": "Trịnh Xuân Trường", "side": None}, {"name": "Vương Ninh", "side": "cn"}],
            "topics": {"transport": 1, "logistics": 4, "metro": 0, "tourism": 0, "trade": 0},
            "text": "Đọc thêm. Hai bên hội đàm.", "title": "BÁO LÀO CAI"}),
        record("corpus/a/none.txt", **{**PERFECT, "direction": "none", "partners": [],
                                        "vn_localities": [{"name": "Lao Cai"}]}),
        # two exports share the id exports/site#2: only the source tells them apart
        record("corpus/exports/site.csv#2", id="exports/site#2"),
        record("corpus/exports/site.jsonl#2", id="exports/site#2", **PERFECT),
    ]
    gold = write_jsonl(tmp_path / "gold.jsonl", labels)
    recs = write_jsonl(tmp_path / "records.jsonl", records)
    return gold, recs


def tiny_evaluation(tiny):
    gold, recs = tiny
    return evaluate.evaluate(evaluate.read_records(recs), evaluate.read_labels([gold]))


# ----------------------------------------------------------------------------- agreement
def test_figures_agree_with_the_reference_scorer_on_hand_made_misses(tiny):
    gold, recs = tiny
    ours = tiny_evaluation(tiny).metrics()
    theirs = reference_scores(recs, gold)
    assert theirs == {k: ours[k] for k in theirs}
    assert ours["found"] < 1 and ours["event_date"] < 1 and ours["officials"] < 1  # the misses count


def test_figures_agree_with_the_reference_scorer_on_the_seeds(tmp_path):
    out = run("extract", "seeds", "-f", "jsonl", "--no-cache", "-j", "1")
    records = write_jsonl(tmp_path / "seeds.jsonl", [json.loads(x) for x in out.stdout.splitlines()])
    gold = ROOT / "seeds" / "expected.jsonl"
    ours = evaluate.evaluate(evaluate.read_records(records), evaluate.read_labels([gold])).metrics()
    theirs = reference_scores(records, gold)
    assert theirs == {k: ours[k] for k in theirs}
    # the seeds extract perfectly: every figure, title/url/outlet included, is 1.0
    assert {k: v for k, v in ours.items() if k != "n_gold"} == dict.fromkeys(
        [*evaluate.SET_FIELDS, *evaluate.SINGLE_FIELDS, *evaluate.OPTIONAL_FIELDS, "found", "keep", "drop"], 1.0)


@pytest.fixture(scope="module")
def dev_records(tmp_path_factory):
    out = run("extract", "tests/dev", "-f", "jsonl", "--no-cache", "-j", "1")
    assert out.returncode == 0, out.stderr
    assert "articles 107, records 107" in out.stderr and "rejects 0" in out.stderr
    path = tmp_path_factory.mktemp("dev") / "dev.jsonl"
    path.write_text(out.stdout, encoding="utf-8")
    return path


def test_figures_agree_with_the_reference_scorer_on_the_development_set(dev_records):
    gold = DEV / "gold.jsonl"
    ours = evaluate.evaluate(evaluate.read_records(dev_records), evaluate.read_labels([gold])).metrics()
    theirs = reference_scores(dev_records, gold)
    assert set(theirs) >= {*evaluate.SET_FIELDS, *evaluate.SINGLE_FIELDS, "found", "keep", "drop"}
    assert theirs == {k: ours[k] for k in theirs}
    assert theirs["n_gold"] == 107 and theirs["found"] == 1.0


def test_the_development_set_scores_no_lower_than_the_readme_table():
    """The regression guard: extraction changes may raise a figure (then `make eval` rewrites
    the table), never lower one."""
    spec = importlib.util.spec_from_file_location("accuracy_table", ROOT / "tools" / "accuracy_table.py")
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    floor = table.table_figures((ROOT / "README.md").read_text(encoding="utf-8"))
    assert set(floor) == {*evaluate.SET_FIELDS, *evaluate.SINGLE_FIELDS, "keep", "drop", "meetings"}
    out = run("evaluate", "tests/dev", "--gold", "tests/dev/gold.jsonl", "--format", "json", "--no-cache",
              "-j", "1")
    assert out.returncode == 0, out.stderr
    now = json.loads(out.stdout)["metrics"]
    assert now["n_gold"] == 107 and now["found"] == 1.0
    fallen = {k: (now[k], v) for k, v in floor.items() if now[k] < v}
    assert not fallen, f"below the README's accuracy table (now, table): {fallen}"


# ----------------------------------------------------------------------------- the misses
def test_each_kind_of_miss_is_counted_and_shown(tiny):
    ev = tiny_evaluation(tiny)
    misses = {(m.doc, m.field): m for m in ev.misses}
    # places: Lào Cai written with tone marks is Lao Cai; Lai Chau is extra; Honghe missed, but
    # Yunnan stays among the provinces of the meeting
    assert misses["a/places.txt", "vn"].extra == ["Lai Chau"]
    assert misses["a/places.txt", "cn_cities"].missing == ["Honghe"]
    assert ("a/places.txt", "cn_provinces") not in misses
    other = "a/other.txt"
    assert misses[other, "officials"].missing == ["Trịnh Xuân Trường (vn)"]
    assert misses[other, "officials"].extra == ["Trịnh Xuân Trường (?)"]
    assert (misses[other, "topics"].missing, misses[other, "topics"].extra) == (["tourism"], ["logistics"])
    assert (misses[other, "event_date"].label, misses[other, "event_date"].found) == ("2024-05-02", "2024-05-01")
    assert (misses[other, "published"].found, misses[other, "direction"].found) == (None, "unknown")
    assert misses[other, "title"].found == "BÁO LÀO CAI"
    assert misses[other, "must_keep"].label == "Sáng 2/5, tại thành phố Lào Cai"
    assert misses[other, "must_drop"].label == "Đọc thêm"
    assert ("a/missing.txt", "found") in misses
    # a/none.txt: direction none, its vn (Ha Nam against Lao Cai) not scored
    assert not [m for m in ev.misses if m.doc == "a/none.txt"]
    assert (ev.sets["vn"].tp, ev.sets["vn"].fp) == (4, 1)  # perfect, places (+Lai Chau), other, export
    assert (ev.singles["title"].right, ev.singles["title"].total) == (0, 1)
    assert (ev.keep.right, ev.keep.total, ev.drop.right, ev.drop.total) == (4, 5, 4, 5)
    text = evaluate.format_text(ev, show=True)
    assert "a/other.txt: must_keep lost from the text: 'Sáng 2/5, tại thành phố Lào Cai'" in text
    assert "a/other.txt: must_drop still in the text: 'Đọc thêm'" in text
    assert "a/places.txt: vn: label [Lao Cai], found [Lai Chau, Lào Cai]; extra [Lai Chau]" in text


def test_an_export_row_is_matched_by_its_file_not_by_the_id_two_exports_share(tiny):
    ev = tiny_evaluation(tiny)
    assert not [m for m in ev.misses if m.doc == "exports/site.jsonl#2"]  # the .jsonl's row 2, perfect


def test_unknown_fields_and_docs_not_in_the_corpus_are_reported(tiny):
    ev = tiny_evaluation(tiny)
    assert ev.unknown_fields == {"reviewer": ["exports/site.jsonl#2"]}
    assert list(ev.not_found) == ["a/missing.txt"]
    assert (ev.found.right, ev.found.total) == (5, 6)
    assert (ev.records, ev.unlabelled_records) == (6, 1)  # the CSV export's row 2 has no label
    text = evaluate.format_text(ev)
    assert "1 label(s) name a document not in the corpus" in text and "a/missing.txt" in text
    assert "unknown label field 'reviewer' in 1 label(s)" in text


def test_a_rejected_file_explains_its_missing_record(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("  \n", encoding="utf-8")
    (corpus / "ok.txt").write_text("Ngày 4/5/2024, Lạng Sơn tiếp đoàn Quảng Tây (Trung Quốc).", encoding="utf-8")
    gold = write_jsonl(tmp_path / "gold.jsonl", [{"doc": "empty.txt", **LABEL}, {"doc": "ok.txt", **LABEL}])
    out = run("evaluate", corpus, "--gold", gold, "--no-cache", "-j", "1", "--format", "json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["not_found"] == {"empty.txt": "rejected: empty (file is empty)"}
    assert result["found"] == {"matched": 1, "of": 2}


def test_a_label_missing_fields_or_with_an_unknown_direction_is_reported(tmp_path):
    gold = write_jsonl(tmp_path / "gold.jsonl", [{"doc": "a.txt", "direction": "sideways"}])
    recs = write_jsonl(tmp_path / "records.jsonl", [record("a.txt")])
    ev = evaluate.evaluate(evaluate.read_records(recs), evaluate.read_labels([gold]))
    assert set(ev.missing_fields) == {"vn", "cn_provinces", "cn_cities", "topics", "published", "event_date"}
    assert list(ev.unknown_values) == ["direction 'sideways' (directions: inbound, outbound, unknown, none)"]


# ----------------------------------------------------------------------------- the command
def test_min_gate_exit_codes(tiny):
    gold, recs = tiny
    ok = run("evaluate", "--records", recs, "--gold", gold, "--min", "vn=0.5", "--min", "keep=0.8")
    assert ok.returncode == 0, ok.stderr
    short = run("evaluate", "--records", recs, "--gold", gold, "--min", "vn=0.5", "--min", "event_date=0.9",
                "--min", "found=1")
    assert short.returncode == 1
    assert "below the minimum: event_date 0.800 < 0.9; found 0.833 < 1" in short.stderr
    unknown = run("evaluate", "--records", recs, "--gold", gold, "--min", "cities=0.5")
    assert unknown.returncode == 2
    assert "unknown field 'cities'" in unknown.stderr and "Traceback" not in unknown.stderr
    assert run("evaluate", "--records", recs, "--gold", gold, "--min", "vn=high").returncode == 2


def test_bad_label_and_record_lines_name_the_file_and_line(tmp_path, tiny):
    gold, recs = tiny
    bad_gold = tmp_path / "bad_gold.jsonl"
    bad_gold.write_text(gold.read_text(encoding="utf-8") + '{"doc": "x.txt", "vn": ["Lao Cai"\n'
                        + '{"vn": []}\n', encoding="utf-8")
    out = run("evaluate", "--records", recs, "--gold", bad_gold)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{bad_gold} line 7: not JSON" in out.stderr
    assert f"{bad_gold} line 8: no \"doc\"" in out.stderr
    bad_records = tmp_path / "bad_records.jsonl"
    bad_records.write_text(recs.read_text(encoding="utf-8") + "not json\n", encoding="utf-8")
    out = run("evaluate", "--records", bad_records, "--gold", gold)
    assert out.returncode == 2 and f"{bad_records} line 7: not JSON" in out.stderr
    assert "Traceback" not in out.stderr


def test_json_output_and_records_or_paths_not_both(tiny):
    gold, recs = tiny
    out = run("evaluate", "--records", recs, "--gold", gold, "--format", "json")
    result = json.loads(out.stdout)
    assert result["metrics"]["n_gold"] == 6 and result["labels"] == 6
    assert {"doc": "a/missing.txt", "field": "found", "label": "a/missing.txt", "found": None,
            "missing": [], "extra": []} in result["misses"]
    both = run("evaluate", "seeds", "--records", recs, "--gold", gold)
    assert both.returncode == 2 and "not both" in both.stderr
