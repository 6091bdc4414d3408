"""Corrections (citycoop.corrections): entries read and checked against the gazetteers and the
taxonomy, YAML and CSV, every kind valid and invalid; applied to records and to Arrow chunks;
what cannot be applied found at the end of a run (no such article, a move that leads nowhere),
also for the kept parts of a folder output; the meeting flags read by meetings.group."""
import pyarrow as pa
import pytest

from citycoop import corrections
from citycoop.corrections import Corrector, Vocabulary, apply_entries, read_entries
from citycoop.dataset import RunStats, Settings, Tuning, load_taxonomy, write_dataset
from citycoop.pipeline.chunks import Chunk
from citycoop.records import flat_row, parquet_schema, record_from_row
from citycoop.gazetteer import load_gazetteer
from citycoop.meetings import Report, group, meeting_id
from conftest import SEEDS

TAXONOMY = load_taxonomy()
VOCABULARY = Vocabulary(TAXONOMY)
GAZETTEER = load_gazetteer()


def read(tmp_path, text, name="corrections.yml"):
    """(entries, problems, warnings) of a corrections file holding ``text``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    entries, messages = read_entries(str(path), 0, VOCABULARY)
    return (entries, [m.text for m in messages if m.problem], [m.text for m in messages if not m.problem])


def one_problem(tmp_path, text) -> str:
    entries, problems, _ = read(tmp_path, text)
    assert not entries and len(problems) == 1, problems
    return problems[0]


ABOUT = "  note: checked against the portal\n  by: Lan\n  when: 2025-03-02\n"


# ----------------------------------------------------------------------------- the gazetteer
@pytest.mark.parametrize("country, name, found", [
    ("cn", "Quảng Châu", ["Guangzhou"]), ("cn", "quảng châu", ["Guangzhou"]), ("cn", "TP Quảng Châu", ["Guangzhou"]),
    ("cn", "Guangzhou", ["Guangzhou"]), ("cn", "Taizhou (Zhejiang)", ["Taizhou (Zhejiang)"]),
    ("cn", "Khu tự trị dân tộc Choang Quảng Tây", ["Guangxi"]), ("vn", "TP HCM", ["Ho Chi Minh City"]),
    ("vn", "Hà Nam", ["Ha Nam"]), ("vn", "Trùng Khánh", []), ("cn", "Atlantis", []),
])
def test_the_gazetteer_finds_a_place_however_a_person_writes_it(country, name, found):
    assert [loc.name for loc in GAZETTEER.named(country, name)] == found


def test_a_name_of_several_places_is_all_of_them():
    assert {loc.name for loc in GAZETTEER.named("cn", "Taizhou")} == {"Taizhou (Jiangsu)", "Taizhou (Zhejiang)"}


# ----------------------------------------------------------------------------- valid entries
def test_every_field_an_entry_sets_is_read_as_the_record_holds_it(tmp_path):
    entries, problems, warnings = read(tmp_path, f"""
- id: a.txt
  vn_localities: [Lạng Sơn, Cao Bang]
  partners: [Quảng Tây, Guangzhou, TP Quảng Châu]
  event_date: 2024-05-04
  direction: outbound
  topics: [metro, trade]
{ABOUT}- url: https://example.vn/b.htm
  event_date: --09-26
  topics: [+tourism, -transport]
{ABOUT}- id: c.txt
  event_date: null
  partners: []
  not_a_meeting: true
{ABOUT}- id: d.txt
  meeting: own
{ABOUT}- id: e.txt
  meeting: m0123456789ab
{ABOUT}- id: f.txt
  same_meeting_as: a.txt
{ABOUT}""")
    assert not problems and not warnings
    a, b, c, d, e, f = entries
    assert (a.key, a.value, a.where) == ("id", "a.txt", "entry 1")
    assert [v["name"] for v in a.changes["vn_localities"]] == ["Lang Son", "Cao Bang"]
    assert a.changes["vn_localities"][0] == GAZETTEER.get("vn", "Lang Son").as_vn()
    # each place once, as the extractor gives it
    assert a.changes["partners"] == [GAZETTEER.get("cn", n).as_partner() for n in ("Guangxi", "Guangzhou")]
    assert (a.changes["event_date"], a.changes["direction"]) == ("2024-05-04", "outbound")
    assert a.changes["topics"] == ("set", {"metro", "transport", "trade"}, set())  # a topic brings its parent
    assert a.note == "checked against the portal (Lan, 2025-03-02)"
    assert (b.key, b.value, b.changes["event_date"]) == ("url", "https://example.vn/b.htm", "--09-26")
    assert b.changes["topics"] == ("edit", {"tourism"}, {"transport", "metro"})  # and takes its children
    assert c.changes == {"event_date": None, "partners": [], "not_a_meeting": True}
    assert d.changes == {"meeting_move": "own"}
    assert e.changes == {"meeting_move": "meeting:m0123456789ab"}
    assert f.changes == {"meeting_move": "article:a.txt"}


def test_a_csv_file_has_the_same_entries(tmp_path):
    entries, problems, _ = read(tmp_path, (
        "id,url,partners,event_date,direction,topics,not_a_meeting,same_meeting_as,note,by,when\n"
        "a.txt,,Quảng Tây; Guangzhou,2024-05-04,outbound,metro; trade,,,checked,Lan,2025-03-02\n"
        ",https://example.vn/b.htm,-,-,,,yes,,not a meeting,Lan,2025-03-02\n"
        "\n"
        "f.txt,,,,,,,a.txt,same visit,Minh,2025-03-03\n"), "corrections.csv")
    assert not problems
    a, b, f = entries
    assert [p["name"] for p in a.changes["partners"]] == ["Guangxi", "Guangzhou"]
    assert a.changes["topics"] == ("set", {"metro", "transport", "trade"}, set())
    assert (a.where, a.note) == ("line 2", "checked (Lan, 2025-03-02)")
    assert b.changes == {"partners": [], "event_date": None, "not_a_meeting": True}  # '-' empties a field
    assert (f.where, f.changes) == ("line 5", {"meeting_move": "article:a.txt"})


def test_an_id_that_yaml_reads_as_a_number_or_a_date_is_the_text_written(tmp_path):
    entries, _, _ = read(tmp_path, f"- id: 2024-05-04\n  direction: inbound\n{ABOUT}- id: 17\n  direction: none\n{ABOUT}")
    assert [e.value for e in entries] == ["2024-05-04", "17"]


# ----------------------------------------------------------------------------- warnings
def test_a_missing_note_who_or_when_is_a_warning_and_the_entry_applies(tmp_path):
    entries, problems, warnings = read(tmp_path, "- id: a.txt\n  direction: inbound\n  note: x\n  when: last week\n")
    assert len(entries) == 1 and not problems
    assert warnings == [
        "{0}: entry 1 (id a.txt): warning: no by (say why, who and when: the record carries it)".format(tmp_path / "corrections.yml"),
        "{0}: entry 1 (id a.txt): warning: when 'last week' is not a date (YYYY-MM-DD)".format(tmp_path / "corrections.yml")]
    assert entries[0].note == "x (last week)"


def test_two_entries_setting_one_field_of_one_article_warn_and_the_later_wins(tmp_path):
    entries, _, warnings = read(tmp_path, f"- id: a.txt\n  direction: inbound\n{ABOUT}- id: a.txt\n  direction: outbound\n{ABOUT}")
    assert len(entries) == 2
    assert warnings == [f"{tmp_path / 'corrections.yml'}: entry 2 (id a.txt): warning: sets direction again "
                        "(entry 1 sets it too): the later entry wins"]
    record = apply_entries({"id": "a.txt", "direction": "unknown"}, entries)
    assert record["direction"] == "outbound"


# ----------------------------------------------------------------------------- invalid entries
@pytest.mark.parametrize("body, reason", [
    ("  partners: [Quang Chou]", "unknown Chinese locality 'Quang Chou'"),
    ("  partners: [Guangzhuo]", "unknown Chinese locality 'Guangzhuo' (did you mean Guangzhou,"),
    ("  vn_localities: [Quảng Tây]", "unknown Vietnamese locality 'Quảng Tây'"),
    ("  partners: [Taizhou]", "'Taizhou' names several Chinese localities: Taizhou (Jiangsu), Taizhou (Zhejiang); give the id"),
    ("  topics: [metro, trades]", "unknown topic 'trades' (did you mean trade? topics: transport,"),
    ("  topics: [metro, +trade]", "topics are either the list of the article's topics or changes to them"),
    ("  direction: north", "unknown direction 'north' (one of inbound, outbound, none, unknown)"),
    ("  direction: no", "unknown direction 'False'"),  # YAML reads no as false
    ("  event_date: 2024-13-01", "event_date '2024-13-01' is not a day: YYYY-MM-DD, --MM-DD when the year is unknown"),
    ("  event_date: 2024-05", "event_date '2024-05' is not a day"),
    ("  event_date: --02-30", "event_date '--02-30' is not a day"),
    ("  partner: [Guangxi]", "no field 'partner' (did you mean partners?); an entry has id, url,"),
    ("  officials: [Ông A]", "officials cannot be corrected (an entry sets vn_localities, partners,"),
    ("  not_a_meeting: false", "not_a_meeting 'False': the one value is true (to undo, remove the entry)"),
    ("  meeting: the other one", "meeting 'the other one' is neither 'own' (out of its meeting) nor a meeting id"),
    ("  same_meeting_as: a.txt", "same_meeting_as names the article itself"),
    ("  not_a_meeting: true\n  meeting: own", "not_a_meeting and a move into a meeting contradict each other"),
    ("  meeting: own\n  same_meeting_as: b.txt", "give meeting or same_meeting_as, not both"),
    ("  note: nothing else", "sets nothing (an entry sets one or more of vn_localities,"),
    ("  url: https://example.vn/a\n  direction: none", "give its id or its url, not both"),
])
def test_an_entry_with_a_wrong_field_or_value_is_named_with_why_and_not_applied(tmp_path, body, reason):
    line = one_problem(tmp_path, f"- id: a.txt\n{body}\n")
    assert line.startswith(f"{tmp_path / 'corrections.yml'}: entry 1 (id a.txt): not applied: {reason}"), line


def test_the_other_entries_of_a_file_still_apply(tmp_path):
    entries, problems, _ = read(tmp_path, f"- id: a.txt\n  direction: north\n{ABOUT}- direction: inbound\n{ABOUT}"
                                          f"- 'a string'\n- id: b.txt\n  direction: inbound\n{ABOUT}")
    assert [e.value for e in entries] == ["b.txt"]
    assert [p.split(": not applied: ")[1] for p in problems] == [
        "unknown direction 'north' (one of inbound, outbound, none, unknown)",
        "give the article's id or its url",
        "an entry is a set of 'field: value' lines, not a str"]
    assert [p.split(": not applied")[0].split(": ", 1)[1] for p in problems] == [
        "entry 1 (id a.txt)", "entry 2", "entry 3"]


def test_moves_round_in_a_circle_are_not_applied(tmp_path):
    entries, problems, _ = read(tmp_path, f"- id: a.txt\n  same_meeting_as: b.txt\n{ABOUT}"
                                          f"- id: b.txt\n  same_meeting_as: a.txt\n{ABOUT}"
                                          f"- id: c.txt\n  same_meeting_as: a.txt\n{ABOUT}")
    assert [e.value for e in entries] == ["c.txt"]
    assert problems[0].endswith("entry 1 (id a.txt): not applied: same_meeting_as goes round in a circle "
                                "(a.txt → b.txt → a.txt)")


@pytest.mark.parametrize("name, text, reason", [
    ("corrections.yml", "- id: a.txt\n  direction: [inbound\n", "not YAML: "),
    ("corrections.yml", "id: a.txt\ndirection: inbound\n", "the file is a list of entries"),
    ("corrections.csv", "article,direction\na.txt,inbound\n", "no 'id' or 'url' column (its first row names 'article', 'direction')"),
])
def test_a_malformed_file_is_one_problem_naming_it(tmp_path, name, text, reason):
    entries, problems, _ = read(tmp_path, text, name)
    assert not entries and len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / name}: not applied: {reason}"), problems


def test_a_file_that_is_not_utf8_or_a_csv_row_that_does_not_fit_is_named(tmp_path):
    path = tmp_path / "corrections.yml"
    data = "- id: a.txt\n  note: s\u01b0\u0309a\n".encode("cp1258")  # "sửa" as a Windows editor saves it
    path.write_bytes(data)
    _, messages = read_entries(str(path), 0, VOCABULARY)
    first = next(i for i, b in enumerate(data) if b >= 0x80)
    assert [m.text for m in messages] == [f"{path}: not applied: not UTF-8 (byte {first})"]
    entries, problems, _ = read(tmp_path, "id,direction\na.txt,inbound,extra\nb.txt,none\n", "corrections.csv")
    assert [e.value for e in entries] == ["b.txt"]
    assert problems == [f"{tmp_path / 'corrections.csv'}: line 2: not applied: 3 cells where the header names 2"]


def test_an_empty_file_has_no_entry_and_no_problem(tmp_path):
    assert read(tmp_path, "# nothing yet\n") == ([], [], [])


# ----------------------------------------------------------------------------- applying
def record(id, *, url=None, partners=("Guangxi",), vn=("Lang Son",), event_date="2024-05-04",
           direction="inbound", topics=None, evidence=None, published="2024-05-05", duplicate_of=None):
    return {"id": id, "source": id, "format": "txt", "title": f"title of {id}", "url": url, "outlet": None,
            "byline": None, "published": published, "published_source": "field", "encoding": "utf-8",
            "n_chars": 10, "content_hash": id, "duplicate_of": duplicate_of, "event_date": event_date,
            "event_date_source": "text", "event_date_phrase": "Ngày 4/5/2024", "direction": direction,
            "vn_localities": [GAZETTEER.get("vn", v).as_vn() for v in vn],
            "partners": [GAZETTEER.get("cn", c).as_partner() for c in partners], "mentions": [],
            "officials": [], "topics": {t: (topics or {}).get(t, 0) for t in TAXONOMY.ids},
            "evidence": evidence or {}, "warnings": [], "furniture_removed": [], "text": "…"}


def test_an_entry_sets_its_fields_and_says_so(tmp_path):
    entries, _, _ = read(tmp_path, f"""
- id: a.txt
  partners: [Vân Nam]
  event_date: --05-04
  topics: [-transport, +trade]
{ABOUT}- id: a.txt
  direction: outbound
  note: the delegation travelled
""")
    before = record("a.txt", topics={"transport": 2, "metro": 1, "tourism": 3},
                    evidence={"transport": ["s1"], "metro": ["s2"], "tourism": ["s3"]})
    after = apply_entries(dict(before), entries)
    assert [p["name"] for p in after["partners"]] == ["Yunnan"]
    assert (after["event_date"], after["event_date_source"], after["event_date_phrase"]) == ("--05-04", "correction", None)
    assert after["direction"] == "outbound"
    assert {t for t, n in after["topics"].items() if n} == {"tourism", "trade"}
    assert after["topics"]["tourism"] == 3 and after["topics"]["trade"] == 1  # added: counts once
    assert after["evidence"] == {"tourism": ["s3"]}
    assert after["corrected"] == ["partners", "event_date", "direction", "topics"]
    assert after["correction_note"] == "checked against the portal (Lan, 2025-03-02) | the delegation travelled"


def chunk_of(*records):
    return Chunk(pa.Table.from_pylist([flat_row(r, TAXONOMY.ids) for r in records], schema=parquet_schema(TAXONOMY)), [])


def run_corrector(tmp_path, text, chunks, name="corrections.yml", folder=None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    corrector = Corrector(Settings(corrections=(str(path),)), folder)
    out = list(corrector.corrected(chunks))
    stats = RunStats()
    corrector.finish(stats)
    rows = [r for c in out if c.table is not None for r in c.table.to_pylist()]
    return rows, stats


def test_a_chunk_has_only_the_rows_an_entry_is_for_changed_in_place(tmp_path):
    records = [record("a.txt"), record("b.txt", url="https://example.vn/b.htm"), record("c.txt")]
    rows, stats = run_corrector(tmp_path, f"""
- url: https://example.vn/b.htm
  direction: outbound
{ABOUT}- id: c.txt
  not_a_meeting: true
{ABOUT}""", [chunk_of(*records)])
    plain = [flat_row(r, TAXONOMY.ids) for r in records]
    assert [r["id"] for r in rows] == ["a.txt", "b.txt", "c.txt"]
    assert rows[0] == plain[0]
    assert rows[1] == {**plain[1], "direction": "outbound", "corrected": "direction",
                       "correction_note": "checked against the portal (Lan, 2025-03-02)"}
    assert rows[2]["not_a_meeting"] is True and rows[2]["corrected"] == "not_a_meeting"
    assert stats.corrections == {"files": [str(tmp_path / "corrections.yml")], "applied": 2, "invalid": 0,
                                 "warnings": 0, "messages": []}
    assert stats.summary().endswith(", corrections 2 (applied 2, invalid 0)")


def test_what_cannot_be_applied_is_known_at_the_end_of_the_run(tmp_path):
    records = [record("a.txt"), record("b.txt"), record("c.txt", partners=()), record("d.txt"),
               record("e.txt"), record("f.txt", partners=()), record("g.txt")]
    rows, stats = run_corrector(tmp_path, f"""
- id: zz.txt
  direction: inbound
{ABOUT}- id: a.txt
  same_meeting_as: nowhere.txt
{ABOUT}- id: b.txt
  same_meeting_as: c.txt
{ABOUT}- id: d.txt
  meeting: m0123456789ab
{ABOUT}- id: e.txt
  meeting: {meeting_id("g.txt")}
{ABOUT}- id: f.txt
  meeting: own
{ABOUT}- id: g.txt
  direction: north
""", [chunk_of(*records[:4]), chunk_of(*records[4:])])
    file = tmp_path / "corrections.yml"
    assert stats.corrections["messages"] == [
        f"{file}: entry 1 (id zz.txt): not applied: no article with this id in the corpus",
        f"{file}: entry 2 (id a.txt): move not applied: same_meeting_as names no article of the corpus (nowhere.txt)",
        f"{file}: entry 3 (id b.txt): move not applied: c.txt is in no meeting (no Chinese partner, or marked not a meeting)",
        f"{file}: entry 4 (id d.txt): move not applied: no meeting m0123456789ab in the corpus (a meeting's id "
        "comes from its first article: see the meetings table)",
        f"{file}: entry 6 (id f.txt): move not applied: the article has no Chinese partner, so it is in no meeting",
        f"{file}: entry 7 (id g.txt): not applied: unknown direction 'north' (one of inbound, outbound, none, unknown)"]
    assert (stats.corrections["applied"], stats.corrections["invalid"]) == (1, 6)  # e.txt into g.txt's meeting
    assert stats.summary().endswith("corrections 7 (applied 1, invalid 6)")
    assert [r["meeting_move"] for r in rows][:2] == ["article:nowhere.txt", "article:c.txt"]


def test_no_corrections_file_changes_nothing_and_adds_nothing_to_the_summary():
    chunks = [chunk_of(record("a.txt"))]
    stats = RunStats()
    assert list(corrections.corrected_chunks(iter(chunks), Settings(), stats)) == chunks
    assert stats.corrections == {} and "corrections" not in stats.summary()


def test_an_entry_for_a_record_in_a_kept_part_still_meets_it(tmp_path):
    """A folder output's kept parts are not handed on, but were corrected with the same file:
    their ids are read from the part files."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in sorted(SEEDS.glob("*.txt"))[:3]:
        (corpus / f.name).write_bytes(f.read_bytes())
    first, second, third = sorted(p.name for p in corpus.glob("*.txt"))
    (corpus / "corrections.yml").write_text(f"- id: {first}\n  direction: outbound\n{ABOUT}"
                                            f"- id: {second}\n  same_meeting_as: {first}\n{ABOUT}", encoding="utf-8")
    settings = Settings(corrections=(str(corpus / "corrections.yml"),), tuning=Tuning(files_per_output_part=1))
    out, cache = tmp_path / "parts", tmp_path / "cache"
    stats, _ = write_dataset([corpus], out, settings, cache=cache)
    assert stats.output_parts == (0, 3) and stats.corrections["applied"] == 2
    (corpus / third).write_text((corpus / third).read_text(encoding="utf-8") + "\nThêm một dòng.\n", encoding="utf-8")
    stats, _ = write_dataset([corpus], out, settings, cache=cache)
    assert stats.output_parts == (2, 1)
    assert (stats.corrections["applied"], stats.corrections["invalid"]) == (2, 0), stats.corrections["messages"]


# ----------------------------------------------------------------------------- meetings
def report(id, event_date="2024-05-04", *, cn=("Guangxi",), published="2024-05-05", duplicate_of=None,
           not_a_meeting=False, meeting_move=None):
    r = record(id, partners=cn, event_date=event_date, published=published, duplicate_of=duplicate_of)
    return Report.of_record({**r, "not_a_meeting": not_a_meeting, "meeting_move": meeting_move})


def together(*reports):
    return sorted(sorted(m["article_ids"]) for m in group(reports))


def test_an_article_marked_not_a_meeting_leaves_its_meeting_with_its_copies():
    assert together(report("a"), report("b"), report("c", duplicate_of="b")) == [["a", "b", "c"]]
    assert together(report("a"), report("b", not_a_meeting=True), report("c", duplicate_of="b")) == [["a"]]


def test_an_article_moved_out_of_its_meeting_is_a_meeting_of_its_own():
    meetings = group([report("a", published="2024-05-04"), report("b", meeting_move="own"), report("c")])
    assert sorted(sorted(m["article_ids"]) for m in meetings) == [["a", "c"], ["b"]]
    assert {m["meeting_id"] for m in meetings} == {meeting_id("a"), meeting_id("b")}


def test_an_article_moved_into_a_meeting_joins_it_and_the_meeting_keeps_its_id():
    a, b = report("a", published="2024-06-01"), report("b", published="2024-06-01")
    other_day = report("x", "2024-09-09", cn=("Yunnan",), published="2024-01-01")  # reported first
    assert together(a, b, other_day) == [["a", "b"], ["x"]]
    for move in ("article:a", f"meeting:{meeting_id('a')}", "article:b"):
        moved = report("x", "2024-09-09", cn=("Yunnan",), published="2024-01-01", meeting_move=move)
        meetings = group([a, b, moved])
        assert [sorted(m["article_ids"]) for m in meetings] == [["a", "b", "x"]], move
        assert meetings[0]["meeting_id"] == meeting_id("a")
        assert {p["name"] for p in meetings[0]["partners"]} == {"Guangxi", "Yunnan"}


def test_a_move_follows_other_moves_and_copies():
    # y goes with x, which goes with a copy of b: all in b's meeting
    reports = [report("b"), report("copy", duplicate_of="b"), report("x", "2024-09-09", meeting_move="article:copy"),
               report("y", "2024-10-10", meeting_move="article:x")]
    assert together(*reports) == [["b", "copy", "x", "y"]]


@pytest.mark.parametrize("move, target", [
    ("article:nowhere", report("t", "2024-09-09")),  # no such article
    ("article:t", report("t", "2024-09-09", cn=())),  # in no meeting: no partner
    ("article:t", report("t", "2024-09-09", not_a_meeting=True)),  # in no meeting: marked so
    ("meeting:m0123456789ab", report("t", "2024-09-09")),  # no such meeting
    ("article:y", report("y", "2024-09-09", meeting_move="article:b")),  # a circle: b → y → b
])
def test_a_move_that_leads_nowhere_is_not_made(move, target):
    a, b = report("a"), report("b", meeting_move=move)
    assert ["a", "b"] in together(a, b, target)


def test_meeting_flags_are_read_from_flat_rows_too():
    row = flat_row({**record("a"), "not_a_meeting": True, "meeting_move": "own"}, TAXONOMY.ids)
    assert Report.of_row(row).not_a_meeting and Report.of_row(row).meeting_move == "own"
    as_csv = {**row, "not_a_meeting": "True"}
    assert Report.of_row(as_csv).not_a_meeting
    assert not Report.of_row({**row, "not_a_meeting": "False"}).not_a_meeting


def test_corrected_fields_survive_the_round_trip_through_a_flat_row():
    rec = {**record("a"), "corrected": ["partners", "direction"], "correction_note": "n (Lan, 2025-03-02)",
           "not_a_meeting": False, "meeting_move": "article:b"}
    back = record_from_row(flat_row(rec, TAXONOMY.ids), TAXONOMY.ids)
    assert {k: back[k] for k in corrections.CORRECTED_FIELDS[-2:] + ("corrected", "correction_note")} == {
        "not_a_meeting": False, "meeting_move": "article:b", "corrected": ["partners", "direction"],
        "correction_note": "n (Lan, 2025-03-02)"}


def test_when_is_a_day_or_a_time():
    assert corrections._day("2025-03-02") == "2025-03-02"
    assert corrections._day("2025-03-02T10:00") == "2025-03-02"
    assert corrections._day("2025-02-30") is None
