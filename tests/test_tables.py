"""Report tables at scale: each lists at most MAX_ROWS rows and says what it left out, and the
evidence and keyword tables are the same whether the heavy columns (text, evidence) come with
the articles or are read from the built dataset for just the rows a table shows."""
import dataclasses
import json
import re
import sys

import pandas as pd
import pytest

from citycoop import dataset, tables
from citycoop.markup import esc, place_label
from citycoop.report import build, views
from citycoop.report.html import write_index
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A generated corpus of 300 articles, as a Parquet folder and extracted in memory."""
    work = tmp_path_factory.mktemp("generated")
    generate(300, 11, work)
    out = work / "extract"
    dataset.write_dataset([work / "corpus"], out, jobs=1)
    return work / "corpus", out


@pytest.fixture
def small_tables(monkeypatch):
    """Caps small enough for 300 articles to reach them; the dataset read a few rows at a time."""
    monkeypatch.setattr(tables, "MAX_ROWS", 40)
    monkeypatch.setattr(tables, "EVIDENCE_MIN_PER_TOPIC", 3)
    monkeypatch.setattr(dataset, "ROW_BATCH", 16)


def _kwic_in_order(articles, terms, width=70):
    """The table's definition, written plainly: articles by event date, every occurrence of
    each, until MAX_ROWS."""
    pattern = re.compile(r"(?<![\w])(?:%s)(?![\w])" % "|".join(
        re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    rows = []
    for a in tables.by_event_date(articles).itertuples(index=False):
        for m in pattern.finditer(a.text):
            rows.append((a.id, m.group(0), a.text[max(0, m.start() - width):m.start()].replace("\n", " ")))
    return rows


def test_a_view_of_a_built_dataset_holds_no_heavy_column(built):
    _, out = built
    view = views.corpus_view(out)
    assert view.source == out.resolve()
    assert not set(dataset.HEAVY_COLUMNS) & set(view.articles.columns)
    # everything else is there: the light view is the full one minus the heavy columns
    full = pd.read_parquet(out)
    assert set(view.all_articles.columns) == set(full.columns) - set(dataset.HEAVY_COLUMNS)
    assert len(view.all_articles) == len(full)
    # what the report notebooks read: the columns they use, and of the whole table (duplicates
    # too) the two its figures and duplicates table need
    slim = views.corpus_view(out, light=True)
    assert list(slim.articles.columns) == (views.REPORT_COLUMNS + [f"topic_{t}" for t in slim.taxonomy.ids]
                                           + views.CORRECTION_COLUMNS)
    assert list(slim.all_articles.columns) == ["id", "duplicate_of"]
    pd.testing.assert_frame_equal(slim.all_articles, view.all_articles[["id", "duplicate_of"]])


def test_evidence_and_keywords_read_for_the_rows_shown_equal_the_in_memory_tables(built, small_tables):
    corpus, out = built
    light, raw = views.corpus_view(out), views.corpus_view(corpus)
    assert raw.source is None and "text" in raw.articles
    labels = light.labels
    for topic in ("transport", "logistics", "people_exchange"):
        terms = list(light.taxonomy.topics[topic].terms)
        kw_light = tables.kwic_table(light.articles, terms, texts=views.texts(light))
        kw_raw = tables.kwic_table(raw.articles, terms)
        pd.testing.assert_frame_equal(kw_light, kw_raw)
        assert kw_light.attrs == kw_raw.attrs
        expected = _kwic_in_order(raw.articles, terms)
        assert len(expected) > tables.MAX_ROWS, "premise: this topic has more occurrences than the table shows"
        assert len(kw_light) == tables.MAX_ROWS
        assert [re.sub("<[^>]+>", "", t) for t in kw_light["Term"]] == [e[1] for e in expected[:tables.MAX_ROWS]]
        assert kw_light.attrs["note"] == f"The first {tables.MAX_ROWS} of {len(expected)} occurrences, by event date."

        ev_light = tables.evidence_table(light.articles, [topic], labels, evidence=views.evidence(light, [topic]))
        pd.testing.assert_frame_equal(ev_light, tables.evidence_table(raw.articles, [topic], labels))
        assert len(ev_light) == tables.MAX_ROWS
        mentioning = int((light.articles[f"topic_{topic}"] > 0).sum())
        assert ev_light.attrs["note"].endswith(f"{labels[topic]} ({mentioning} articles).")

    # only the rows the evidence table may show are read
    picked = views.evidence(light, ["transport"])
    assert 0 < len(picked) <= tables.MAX_ROWS < (light.articles["topic_transport"] > 0).sum()
    assert set(picked["id"]) == set(tables.evidence_articles(light.articles, ["transport"])["id"])


def test_a_partner_page_gives_every_topic_its_share_of_the_evidence(built, small_tables):
    corpus, out = built
    light, raw = views.corpus_view(out, light=True), views.corpus_view(corpus)
    partner = light.parties["partner"].value_counts().index[0]
    mine, mine_raw = views.partner_view(light, partner), views.partner_view(raw, partner)
    assert mine.source == light.source
    topics = light.topic_ids
    ev = tables.evidence_table(mine.articles, topics, light.labels, evidence=views.evidence(mine, topics))
    pd.testing.assert_frame_equal(ev, tables.evidence_table(mine_raw.articles, topics, light.labels))
    cap = tables.evidence_cap(topics)
    per_topic = ev["Topic"].value_counts()
    assert per_topic.max() <= cap
    assert len(ev) <= max(tables.MAX_ROWS, tables.EVIDENCE_MIN_PER_TOPIC * len(topics))  # bounded
    mentioned = [t for t in topics if (mine.articles[f"topic_{t}"] > 0).any()]
    assert len(per_topic) == len(mentioned) > 1  # not only the first topic, as one shared cap would give


def test_keywords_keep_only_the_best_placed_articles_whatever_the_order_of_the_texts(monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 5)
    n = 12
    articles = pd.DataFrame({
        "id": [f"a{i:02d}" for i in range(n)],
        "event_date": [f"2024-{1 + (7 * i) % 12:02d}-01" for i in range(n)],  # not in id order
        "title": [f"T{i}" for i in range(n)], "url": [None] * n,
        "text": [("cảng biển và cảng cạn " * (i % 3)).strip() for i in range(n)]})
    whole = tables.kwic_table(articles, ["cảng"])
    light = articles.drop(columns="text")
    batches = [articles.iloc[[i]][["id", "text"]] for i in reversed(range(n))]
    batches.append(pd.DataFrame({"id": ["not-selected"], "text": ["cảng " * 50]}))
    streamed = tables.kwic_table(light, ["cảng"], texts=iter(batches))
    pd.testing.assert_frame_equal(streamed, whole)
    expected = _kwic_in_order(articles, ["cảng"])
    assert list(whole["Article"]) == [f"T{int(e[0][1:])}" for e in expected[:5]]
    assert whole.attrs["note"] == f"The first 5 of {len(expected)} occurrences, by event date."


def test_rows_are_streamed_and_filtered_by_id(built, monkeypatch):
    _, out = built
    monkeypatch.setattr(dataset, "ROW_BATCH", 10)
    ids = pd.read_parquet(out, columns=["id"])["id"].tolist()
    wanted = ids[3:200:7]
    got = list(dataset.iter_rows(out, ["text"], wanted))
    assert all(len(b) <= 10 for b in got) and len(got) > 1
    rows = pd.concat(got)
    assert sorted(rows["id"]) == sorted(wanted) and list(rows.columns) == ["id", "text"]
    assert rows["text"].str.len().gt(0).all()
    assert len(dataset.read_rows(out, ["evidence_json"], wanted[:3])) == 3
    none = dataset.read_rows(out, ["evidence_json"], [])
    assert none.empty and list(none.columns) == ["id", "evidence_json"]


def test_capped_tables_say_what_they_left_out(built, monkeypatch):
    _, out = built
    monkeypatch.setattr(tables, "MAX_ROWS", 7)
    view = views.corpus_view(out, include_duplicates=True)
    n = len(view.articles)
    arts = tables.article_table(view.articles, view.topic_ids, view.labels)
    html = tables.to_html(arts)
    assert len(arts) == 7 and f"The first 7 of {n:,} articles, by event date." in html
    n_meetings = len(view.meetings)
    reports = views.meeting_articles(view)
    officials = tables.officials_table(view.meetings, reports)
    assert len(officials) == 7 and officials.attrs["note"] == f"The first 7 of {n_meetings:,} meetings, by event date."
    met = tables.meetings_table(view.meetings, reports, view.topic_ids, view.labels)
    assert len(met) == 7 and met.attrs["note"] == f"The first 7 of {n_meetings:,} meetings, by event date."
    # the articles read are those of the meetings shown
    shown = tables.by_event_date(view.meetings, 7)
    assert set(reports["id"]) == {i for ids in shown["article_ids"] for i in ids[:tables.ARTICLES_PER_MEETING]}
    dups = tables.duplicates_table(view.all_articles)
    n_dups = int(view.all_articles["duplicate_of"].fillna("").ne("").sum())
    assert n_dups > 7 and dups.attrs["note"] == f"The first 7 of {n_dups} duplicates, in corpus order."
    assert len(view.rejects) < 7 and "note" not in tables.rejects_table(view.rejects).attrs
    # a table within its cap has no note
    few = tables.article_table(view.articles.head(3), view.topic_ids, view.labels)
    assert "citycoop-note" not in tables.to_html(few)
    assert json.loads(view.articles["officials_json"].iloc[0]) is not None


def test_keywords_show_every_term_the_extractor_counted_for_a_topic(built):
    """A subtopic's terms count for its parent (metro → transport), so the parent's keyword
    table looks for them too: each article shows at least as many occurrences as it counted
    (more where a term sat inside a place name, which the extractor leaves out)."""
    corpus, _ = built
    view = views.corpus_view(corpus)
    tax = view.taxonomy
    assert set(tax.topics["metro"].terms) < set(tax.counted_terms("transport"))
    assert tax.counted_terms("metro") == tax.topics["metro"].terms
    checked = 0
    for topic in view.topic_ids:
        terms = list(tax.counted_terms(topic))
        for i in range(0, len(view.articles), 2):
            counted = view.articles[f"topic_{topic}"].iloc[i]
            if counted:
                assert len(tables.kwic_table(view.articles.iloc[[i]], terms)) >= min(counted, tables.MAX_ROWS)
                checked += 1
    assert checked > 250


def test_the_evidence_note_names_only_topics_with_more_than_shown(monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 4)
    monkeypatch.setattr(tables, "EVIDENCE_MIN_PER_TOPIC", 1)
    ev = [{"port": ["p1", "p2"], "rail": ["r1"]}, {"port": ["p3", "p4"]}, {"rail": ["r2", "r3"]}]
    articles = pd.DataFrame({"id": ["a", "b", "c"], "event_date": ["2024-01-01", "2024-02-01", "2024-03-01"],
                             "title": ["A", "B", "C"], "url": [None] * 3,
                             "topic_port": [2, 2, 0], "topic_rail": [1, 0, 2],
                             "evidence_json": [json.dumps(e) for e in ev]})
    # cap 2 a topic: port shows p1, p2 and has more (p3, p4); rail shows r1, r2 and has more (r3)
    table = tables.evidence_table(articles, ["port", "rail"])
    assert list(table["Evidence"]) == ["p1", "p2", "r1", "r2"]
    assert table.attrs["note"] == "At most 2 sentences per topic, earliest events first; more in: port (2 articles), rail (2 articles)."
    # exactly as many as the cap: nothing more to announce
    articles.loc[1, "evidence_json"] = json.dumps({})
    articles.loc[1, "topic_port"] = 0
    articles.loc[2, "evidence_json"] = json.dumps({"rail": ["r2"]})
    table = tables.evidence_table(articles, ["port", "rail"])
    assert list(table["Evidence"]) == ["p1", "p2", "r1", "r2"] and "note" not in table.attrs


def test_keywords_in_a_text_whose_lower_case_is_longer_keep_their_context():
    # "İ".lower() is two characters: offsets on the lower-cased text would be off by one each
    articles = pd.DataFrame({"id": ["a"], "event_date": ["2024-01-01"], "title": ["A"], "url": [None],
                             "text": ["İİ Cảng biển İ và cảng cạn"]})
    table = tables.kwic_table(articles, ["cảng"], width=3)
    assert list(table["Term"]) == ["<b>Cảng</b>", "<b>cảng</b>"]
    assert list(table["Left"]) == ["…İİ ", "…và "] and list(table["Right"]) == [" bi…", " cạ…"]


def test_keywords_are_found_in_either_tone_mark_style_and_quoted_as_written():
    articles = pd.DataFrame({"id": ["a", "b"], "event_date": ["2024-01-01", "2024-01-02"],
                             "title": ["A", "B"], "url": [None, None],
                             "text": ["Hai bên bàn hợp tác văn hoá, du lịch.", "Giao lưu văn hóa."]})
    table = tables.kwic_table(articles, ["văn hóa"], width=8)
    assert list(table["Term"]) == ["<b>văn hoá</b>", "<b>văn hóa</b>"]


def test_long_tables_scroll_in_a_box_short_ones_do_not(built):
    _, out = built
    view = views.corpus_view(out)
    arts = tables.article_table(view.articles, view.topic_ids, view.labels)
    assert len(arts) > tables.SCROLL_ROWS
    long_html = tables.to_html(arts)
    assert long_html.startswith('<div class="citycoop-scroll"') and "overflow: auto" in long_html
    assert long_html.count("<tr") == len(arts) + 1  # the header and every row, in the box
    short = arts.head(tables.SCROLL_ROWS)
    assert "citycoop-scroll" not in tables.to_html(short)


def test_a_partner_summary_names_its_most_frequent_localities(built, monkeypatch):
    _, out = built
    view = views.corpus_view(out, light=True)
    busiest = view.parties.groupby("partner")["id"].nunique().idxmax()
    mine = views.partner_view(view, busiest)
    named = mine.parties[mine.parties["vn"].fillna("") != ""]
    per_place = named.groupby("vn")["id"].nunique()
    assert len(per_place) > 2
    monkeypatch.setattr(views, "LEAD_PLACES", 2)
    line = views.partner_summary(mine, busiest)
    first, second = sorted(per_place.items(), key=lambda kv: (-kv[1], kv[0]))[:2]  # counts, then names
    label = dict(zip(named["vn"], named["vn_vi"]))
    assert (f"with {len(per_place)} Vietnamese localities: {first[1]} meeting(s) with "
            f"{place_label(label[first[0]], first[0])}, {second[1]} with ") in line
    assert line.endswith(f", and {len(per_place) - 2} others.")
    assert f"{len(mine.meetings):,} meeting(s)" in line and len(mine.meetings) == mine.parties["id"].nunique()
    monkeypatch.setattr(views, "LEAD_PLACES", len(per_place))  # all of them fit: listed A to Z
    line = views.partner_summary(mine, busiest)
    listed = ", ".join(sorted(place_label(label[n], n) for n in per_place.index))
    assert line.endswith(f"; with {esc(listed)}.")


def test_a_topic_summary_counts_with_thousands_separators(built):
    _, out = built
    view = views.corpus_view(out, light=True)
    view.articles = pd.concat([view.articles] * 8, ignore_index=True)  # past a thousand articles
    n, k = len(view.articles), int((view.articles["topic_transport"].fillna(0) > 0).sum())
    assert n >= 1000 and k >= 1000
    line = views.topic_summary(view, "transport", with_terms=False)
    assert line.endswith(f"mentioned in {k:,} of {n:,} articles.") and "," in f"{n:,}"


def _parties_plainly(meetings):
    """``views.parties`` by its definition: a row per meeting × partner × Vietnamese side."""
    rows = []
    for m in meetings.to_dict("records"):
        partners = json.loads(m["partners_json"]) if isinstance(m["partners_json"], str) and m["partners_json"] else []
        sides = (json.loads(m["vn_localities_json"]) if isinstance(m["vn_localities_json"], str)
                 and m["vn_localities_json"] else []) or [None]
        for p in partners:
            for v in sides:
                rows.append([m["id"], m["title"], m["event_date"], m["year_known"], m["direction"], m["n_articles"],
                             m["n_outlets"], m["outlets"], p["name"], p["name_vi"], p["province"], p["level"],
                             p["lat"], p["lon"], v and v["name"], v and v["name_vi"], v and v["lat"], v and v["lon"]])
    return pd.DataFrame(rows, columns=views.PARTY_COLUMNS)


def test_parties_are_a_row_per_meeting_partner_and_side(built):
    _, out = built
    meetings = views.corpus_view(out, light=True).meetings.copy()
    assert len(meetings) > 20 and meetings["id"].is_unique
    # the generator's meetings have one partner and a side each: add the other shapes
    first, second = meetings.index[:6], meetings.index[6:12]
    meetings.loc[first, "vn_localities_json"] = "[]"  # no Vietnamese side named
    meetings.loc[second, "partners_json"] = [  # two partners (and as many sides as before)
        json.dumps(json.loads(a)[:1] + json.loads(b)[:1], ensure_ascii=False)
        for a, b in zip(meetings.loc[second, "partners_json"], meetings.loc[first, "partners_json"])]
    meetings.loc[meetings.index[12], "event_date"] = None
    # an empty list written otherwise, in both columns: a meeting without partners (a table
    # edited by hand), one without a side (parsed once, the same text must still mean "no side")
    meetings.loc[meetings.index[14], "partners_json"] = "[ ]"
    meetings.loc[meetings.index[13], "vn_localities_json"] = "[ ]"
    met = views.parties(meetings)
    assert met["id"].nunique() == len(meetings) - 1
    assert met["vn"].isna().sum() == 7 and met.duplicated("id").sum() >= 6
    expected = _parties_plainly(meetings)
    for c in expected.columns:
        expected[c] = expected[c].astype(met[c].dtype)
    pd.testing.assert_frame_equal(met, expected)
    assert views.parties(meetings.iloc[:0]).columns.tolist() == views.PARTY_COLUMNS


def test_counts_read_with_thousands_separators_in_figures_and_index(built, tmp_path):
    _, out = built
    view = views.corpus_view(out, light=True)
    copies = [view.meetings.assign(id=view.meetings["id"] + f"-{k}") for k in range(40)]  # past a thousand
    big = dataclasses.replace(view, meetings=pd.concat(copies, ignore_index=True),
                              all_articles=pd.concat([view.all_articles] * 40, ignore_index=True))
    figures = views.headline_figures(big)
    shown = dict(zip(*tables.figures_table(figures).to_dict("list").values()))
    assert shown["meetings"] == f"{len(big.meetings):,}" and "," in shown["meetings"]
    assert shown["articles read (copies of a story too)"] == f"{len(big.all_articles):,}"
    assert shown["articles reporting them"] == f"{int(big.meetings['n_articles'].sum()):,}"
    dated = big.meetings["event_date"].dropna()
    unknown = int(dated.str.startswith("--").sum())
    assert shown["meetings of unknown year"] == f"{unknown:,} of {len(dated):,}"
    assert shown["first meeting"] == figures["first meeting"]  # not a count: as it is
    plan = build.plan_jobs(view, str(out), [], [], None)
    index = write_index(tmp_path, plan, {j.name: (None, 0) for j in plan},
                               {"files": 12345, "records": 23456, "duplicates": 1200, "rejects": 7}).read_text()
    assert ("from 12,345 input files:\n23,456 articles extracted, 1,200 duplicates,\n7 rejected inputs."
            in index)


def test_index_names_the_dataset_the_pages_read(built, tmp_path):
    """Pages made from a dataset built elsewhere: the index gives its path (it had said "the
    dataset given"), also when an earlier run on a corpus left its data/corpus.parquet in the
    folder (the index had named that one); pages made from a corpus read the dataset written
    beside them, named relative to the folder."""
    _, out = built
    view = views.corpus_view(out, light=True)
    plan = build.plan_jobs(view, str(out), [], [], None)
    done = {j.name: (None, 0) for j in plan}
    assert f"Data: <code>{out}</code>." in write_index(tmp_path, plan, done, {}).read_text()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "corpus.parquet").mkdir()
    assert f"Data: <code>{out}</code>." in write_index(tmp_path, plan, done, {}).read_text()
    beside = build.plan_jobs(view, str(tmp_path / "data" / "corpus.parquet"), [], [], None)
    assert "Data: <code>data/corpus.parquet</code>." in write_index(tmp_path, beside, done, {}).read_text()

def test_tables_follow_event_order_whatever_the_rows_labels(built, small_tables):
    """The tables sort the articles' keys and take rows by position: shuffled rows with gaps
    in their labels (a filtered frame) give the same tables, in event order."""
    corpus, out = built
    view = views.corpus_view(corpus)
    shuffled = view.articles.sample(frac=1, random_state=3)
    shuffled.index = shuffled.index * 7 + 100
    ordered = tables.by_event_date(view.articles)
    assert list(tables.by_event_date(shuffled)["id"]) == list(ordered["id"])
    assert list(tables.by_event_date(shuffled, 5)["id"]) == list(ordered["id"][:5])
    dated = ordered["event_date"].dropna()
    dated = dated[dated.str.match(r"^\d{4}")]
    assert list(dated) == sorted(dated)
    topics, labels = view.topic_ids, view.labels
    for make in (lambda a: tables.article_table(a, topics, labels),
                 lambda a: tables.evidence_table(a, topics, labels),
                 lambda a: tables.evidence_table(a, ["transport"], labels),
                 lambda a: tables.kwic_table(a, list(view.taxonomy.counted_terms("transport")))):
        pd.testing.assert_frame_equal(make(shuffled), make(view.articles))
    assert list(tables.evidence_articles(shuffled, ["metro"])["id"]) == list(
        tables.evidence_articles(view.articles, ["metro"])["id"])
    meetings = view.meetings.sample(frac=1, random_state=3)
    meetings.index = meetings.index * 7 + 100
    reports = views.meeting_articles(view)
    for make in (tables.officials_table, lambda m, a: tables.meetings_table(m, a, topics, labels)):
        pd.testing.assert_frame_equal(make(meetings, reports), make(view.meetings, reports))


def _keyword_corpus(n=300):
    """Texts of every kind the keyword table meets: most without a term, terms in any case,
    inside longer words (no match), after letters whose lower case is longer, missing texts."""
    forms = ["Tàu chạy trên ĐƯỜNG SẮT mới.", "không có gì", "Cảng Biển Hải Phòng và cảng cạn",
             "İİ cảng biển İ", "xcảng và cảngx không tính", None, "đường sắtđường sắt, đường sắt"]
    return pd.DataFrame({
        "id": [f"k{i:03d}" for i in range(n)],
        "event_date": [f"202{i % 4}-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n)],
        "title": [f"K{i}" for i in range(n)], "url": [None] * n,
        "text": [forms[i % len(forms)] if i % 5 else "chỉ có chữ" for i in range(n)]})


@pytest.mark.parametrize("filtered", [True, False], ids=["substring filter", "pattern refused"])
def test_keyword_table_finds_what_the_plain_definition_finds(monkeypatch, filtered):
    """The texts are first narrowed to those holding a term anywhere (pyarrow's RE2); the
    table must be the plain definition's, whatever the case, and also when RE2 refuses the
    pattern (the table then scans every text)."""
    if not filtered:
        import pyarrow as pa
        import pyarrow.compute as pc

        def refuse(*a, **k):
            raise pa.ArrowInvalid("pattern too large")

        monkeypatch.setattr(pc, "match_substring_regex", refuse)
    monkeypatch.setattr(tables, "MAX_ROWS", 1000)
    articles = _keyword_corpus()
    terms = ["đường sắt", "cảng", "cảng biển"]
    expected = _kwic_in_order(articles.fillna({"text": ""}), terms)
    light = articles.drop(columns="text")
    batches = [articles.iloc[i:i + 64][["id", "text"]] for i in range(0, len(articles), 64)]
    # batches that are not all text (of articles not in the table): mixed, numbers, missing
    odd = pd.DataFrame({"id": ["x1", "x2", "x3"], "text": ["cảng biển", 12, None]}, dtype=object)
    batches += [odd, odd.iloc[[1]], odd.iloc[[2]]]
    for table in (tables.kwic_table(articles, terms), tables.kwic_table(light, terms, texts=iter(batches))):
        assert list(zip(table["Article"], table["Term"], table["Left"])) == [
            (f"K{int(i[1:])}", f"<b>{tables.esc(term)}</b>", "…" + tables.esc(left)) for i, term, left in expected]
        assert table.attrs.get("note") is None and len(table) == len(expected) > 100


def test_event_order_is_the_plain_sort_of_its_keys():
    """Dated events in time order, then day-and-month only, then undated (None, NaN or empty);
    the id breaks ties, in code point order (Vietnamese ids too); the rows' labels play no part."""
    import random

    rnd = random.Random(5)
    dates = [rnd.choice([None, float("nan"), "", f"--{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                         f"20{rnd.randint(20, 25)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                         f"20{rnd.randint(20, 25)}-{rnd.randint(1, 12):02d}"]) for _ in range(3000)]
    ids = [rnd.choice(["Hà Nội", "Hạ Long", "Ha Noi", "Đà Nẵng", "Zhuhai", "ắ", "a"]) + f"#{rnd.randint(0, 50)}"
           for _ in range(3000)]
    articles = pd.DataFrame({"event_date": dates, "id": ids}, index=rnd.sample(range(10**6), 3000))

    def key(i):
        d = dates[i] if isinstance(dates[i], str) else ""
        return (0 if d[:1].isdigit() else 1 if d.startswith("--") else 2, d, ids[i])

    plain = sorted(range(3000), key=key)  # Python's sort is stable too
    assert list(tables.event_order(articles)) == plain
    arrow = articles.astype({"event_date": "string[pyarrow]", "id": "string[pyarrow]"})
    assert list(tables.event_order(arrow)) == plain


def test_warnings_table_puts_quoted_values_together_with_examples():
    bad_dates = [f"'{i}/13/2024'" for i in range(2000)]
    rows = ([f"published field {d} is not a date citycoop reads, ignored" for d in bad_dates]
            + ["ambiguous place 'Hà Nam' read as Vietnamese (no sign of China); no Chinese partner found"] * 3
            + ["ambiguous place 'Trùng Khánh' read as Vietnamese (no sign of China)", "", None]
            + ["published field '<b>x</b>' is not a date citycoop reads, ignored"] * 2)
    t = tables.warnings_table(pd.DataFrame({"warnings": rows}))
    assert t.to_dict("records") == [
        {"Warning": esc("published field '…' is not a date citycoop reads, ignored"), "Articles": 2002,
         "Examples": esc("'<b>x</b>', '0/13/2024', '1/13/2024', …")},
        {"Warning": esc("ambiguous place '…' read as Vietnamese (no sign of China)"), "Articles": 4,
         "Examples": esc("'Hà Nam', 'Trùng Khánh'")},
        {"Warning": "no Chinese partner found", "Articles": 3, "Examples": ""},
    ]
    # Warnings that quote nothing give no examples column.
    t = tables.warnings_table(pd.DataFrame({"warnings": ["no event date in the lead", None]}))
    assert t.to_dict("records") == [{"Warning": "no event date in the lead", "Articles": 1}]


def test_warnings_table_with_several_quoting_warnings_in_one_article():
    # An article with two ambiguous places and a bad date: three warnings, two of them quoting;
    # it counts once among the articles with ambiguous places.
    rows = ["ambiguous place 'Hà Nam' read as Vietnamese (no sign of China); ambiguous place "
            "'Sơn Tây' read as Vietnamese (no sign of China); published field 'x' is not a date "
            "citycoop reads, ignored", "no Chinese partner found; ambiguous place 'Hà Nam' read as "
            "Vietnamese (no sign of China)"]
    t = tables.warnings_table(pd.DataFrame({"warnings": rows}))
    assert t.to_dict("records") == [
        {"Warning": esc("ambiguous place '…' read as Vietnamese (no sign of China)"), "Articles": 2,
         "Examples": esc("'Hà Nam', 'Sơn Tây'")},
        {"Warning": "no Chinese partner found", "Articles": 1, "Examples": ""},
        {"Warning": esc("published field '…' is not a date citycoop reads, ignored"), "Articles": 1,
         "Examples": esc("'x'")},
    ]
