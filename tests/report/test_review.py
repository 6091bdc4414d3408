"""``report.review``: the review page's lists on the development set — every kind of flag the
extractor writes is found, meetings whose articles disagree and articles naming other parties
are listed with their meeting, every entry proposed is one the corrections file accepts, and an
article whose field in question was corrected leaves the list."""
import pandas as pd
import pytest

from citycoop import dataset
from citycoop.corrections import Vocabulary, read_entries
from citycoop.report import review, views
from conftest import ROOT


@pytest.fixture(scope="module")
def dev_view(tmp_path_factory):
    out = tmp_path_factory.mktemp("dev") / "corpus.parquet"
    dataset.write_dataset([ROOT / "tests" / "dev"], out, jobs=1)
    return views.corpus_view(out, light=True)


@pytest.fixture(scope="module")
def lists(dev_view):
    return review.flagged(dev_view), review.disagreeing(dev_view), review.differing(dev_view)


def test_every_kind_of_flag_is_found_and_each_row_says_what_to_check(lists):
    flagged, disagreeing, differing = lists
    checks = flagged["check"].tolist()
    for flag in review.FLAGS[:3]:
        assert flag.check in checks, flag.warning
    assert any(c.startswith("'Hà Khẩu' was read as a Vietnamese place") for c in checks)
    # in FLAGS' order, then by event date
    kinds = [next(i for i, f in enumerate(review.FLAGS) if c == f.check or (not f.check and c.startswith("'")))
             for c in checks]
    assert kinds == sorted(kinds)
    assert len(disagreeing) >= 1 and disagreeing["check"].str.contains(r"its meeting: .*\(meeting m[0-9a-f]{12}\)").all()
    assert len(differing) >= 1 and differing["check"].str.contains("its meeting names").all()
    for rows in lists:
        assert list(rows.columns) == review.COLUMNS
        assert rows["entry"].str.startswith('- id: "').all()


def test_every_entry_proposed_is_accepted_by_the_corrections_file(lists, dev_view, tmp_path):
    path = tmp_path / "corrections.yml"
    path.write_text("".join(e for rows in lists for e in rows["entry"]), encoding="utf-8")
    entries, messages = read_entries(str(path), 0, Vocabulary(dev_view.taxonomy))
    assert [m.text for m in messages if m.problem] == []
    assert len(entries) == sum(len(rows) for rows in lists)
    # what they set is what the record (or its meeting) has now: the analyst confirms or changes it
    by_id = dev_view.articles.set_index("id")
    year = next(e for e in entries if "event_date" in e.changes and by_id.loc[e.value, "event_date"].startswith("--")
                and e.value in set(lists[0]["id"]))
    assert year.changes["event_date"] == by_id.loc[year.value, "event_date"]


def test_the_lead_sentence_is_the_first_of_the_text_cut_at_a_word(lists, dev_view):
    flagged = lists[0]
    leads = review.lead_sentences(dev_view, flagged)
    assert set(leads) == set(flagged["id"])
    assert all(len(s) <= review.LEAD_CHARS + 2 for s in leads.values())
    assert any(s.endswith(" …") for s in leads.values())


def test_an_article_whose_field_was_corrected_leaves_the_list(dev_view):
    flagged = review.flagged(dev_view)
    year = flagged[flagged["check"] == review.FLAGS[2].check]["id"].iloc[0]
    corrected = dev_view.articles.assign(corrected=[
        "event_date" if i == year else "" for i in dev_view.articles["id"]])
    after = review.flagged(views.View(**{**dev_view.__dict__, "articles": corrected}))
    assert year not in set(after.loc[after["check"] == review.FLAGS[2].check, "id"])
    assert len(after) == len(flagged) - 1
    assert review.summary(flagged, flagged.iloc[:0], pd.DataFrame({"id": ["a", "a", "b"]})) == (
        f"{flagged['id'].nunique()} articles the extractor flagged; 0 articles that differ from their meeting "
        "on the date or the direction; 2 articles naming other parties than their meeting.")
