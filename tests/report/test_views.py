"""``report.views``: what the notebooks call — here, the articles a page counts (the views read
from a built dataset, the summaries and the meetings table are tested with the tables, on a
generated corpus: tests/test_tables.py)."""
import pandas as pd

from citycoop.report.views import select_articles


def test_select_articles_drops_duplicates_and_keeps_a_date_range_of_known_years():
    articles = pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f", "g"],
        "duplicate_of": [None, "a", "", None, None, "d", None],
        "event_date": ["2023-05-01", "2023-05-01", "2024-01-10", "--09-26", None, "2025-02-02", "2025-12-31"],
        "topic_metro": [1, 0, 2, 0, 3, 1, 0],
    }, index=[10, 3, 7, 1, 5, 2, 8]).astype({"id": "str", "duplicate_of": "str", "event_date": "str"})
    before = articles.copy()

    every_story = select_articles(articles)
    assert list(every_story["id"]) == ["a", "c", "d", "e", "g"]  # "" is no duplicate either
    assert list(every_story.index) == list(range(5))
    assert list(every_story.columns) == list(articles.columns)
    assert dict(every_story.dtypes) == dict(articles.dtypes)
    assert list(every_story["topic_metro"]) == [1, 2, 0, 3, 0]

    assert list(select_articles(articles, include_duplicates=True)["id"]) == list("abcdefg")
    # a range keeps only events whose year is known, inclusive at both ends
    ranged = select_articles(articles, date_from="2024-01-10", date_to="2025-12-31")
    assert list(ranged["id"]) == ["c", "g"]
    assert list(select_articles(articles, date_to="2024-12-31", include_duplicates=True)["id"]) == \
        ["a", "b", "c"]
    assert select_articles(articles, date_from="2030-01-01").empty
    pd.testing.assert_frame_equal(articles, before)  # the input is left as it was


# ----------------------------------------------------------------------------- meetings
import shutil  # noqa: E402

import pytest  # noqa: E402

from citycoop import dataset  # noqa: E402
from citycoop.meetings import meetings_path_for  # noqa: E402
from citycoop.report import views  # noqa: E402
from conftest import SEEDS  # noqa: E402


@pytest.fixture(scope="module")
def seeds_built(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds") / "corpus.parquet"
    dataset.write_dataset([SEEDS], out, jobs=1)
    return out


def test_a_built_datasets_meetings_table_and_grouping_in_memory_give_the_same_meetings(seeds_built, tmp_path):
    """The report reads the meetings table `citycoop extract` wrote; raw files, or a dataset whose
    table is missing (built before there were meetings), are grouped now, to the same rows."""
    from_table = views.corpus_view(seeds_built, light=True).meetings
    in_memory = views.corpus_view(SEEDS).meetings
    pd.testing.assert_frame_equal(from_table, in_memory)
    assert list(from_table.columns) == views.MEETING_COLUMNS + [f"topic_{t}" for t in views.load_taxonomy().ids]
    bare = tmp_path / "bare.parquet"
    shutil.copy(seeds_built, bare)
    assert not meetings_path_for(bare, "parquet").exists()
    pd.testing.assert_frame_equal(views.corpus_view(bare, light=True).meetings, from_table)
    first = from_table.set_index("id").loc[from_table["id"].iloc[0]]
    assert first["article_ids"] and first["title"] and first["n_articles"] == len(first["article_ids"])


def test_select_meetings_keeps_a_date_range_by_the_meetings_event_date():
    meetings = pd.DataFrame({"id": list("abcde"), "event_date": ["2023-05-01", "2024-01-10", "--09-26", None,
                                                                "2025-12-31"],
                             "year_known": [True, True, False, False, True]})
    assert list(views.select_meetings(meetings)["id"]) == list("abcde")
    assert list(views.select_meetings(meetings, date_from="2024-01-10")["id"]) == ["b", "e"]
    assert list(views.select_meetings(meetings, date_from="2023-01-01", date_to="2024-12-31")["id"]) == ["a", "b"]
    assert list(views.select_meetings(meetings, date_to="2030-01-01").index) == [0, 1, 2]


def test_coverage_counts_each_meeting_once_and_outlets_named_apart_from_unknown_ones():
    parties = pd.DataFrame({"id": ["m1", "m1", "m2", "m3"], "n_articles": [3, 3, 2, 1], "n_outlets": [3, 3, 2, 1],
                            "outlets": ["TTXVN; VnExpress", "TTXVN; VnExpress", "TTXVN", ""]})
    c = views.coverage(parties)
    assert (c.meetings, c.articles, c.outlets, c.unnamed) == (3, 6, 2, 3)
    assert c.reach() == "6 articles by 2 outlets and 3 of unknown outlet"
    assert views.Coverage(1, 1, 1, 0).reach() == "1 article by 1 outlet"
    assert views.Coverage(1, 2, 0, 2).reach() == "2 articles, no outlet named"


def test_a_partner_view_holds_the_meetings_naming_the_partner_and_their_articles(seeds_built):
    view = views.corpus_view(seeds_built, light=True)
    mine = views.partner_view(view, "Trùng Khánh")
    assert len(mine.meetings) == 2 and set(mine.parties["partner"]) == {"Chongqing"}
    assert set(mine.articles["id"]) == {i for ids in mine.meetings["article_ids"] for i in ids}
    figures = views.headline_figures(view)
    assert (figures["meetings"], figures["articles reporting them"], figures["Chinese partners"]) == (5, 5, 4)
    assert figures["meetings of unknown year"] == "3 of 5"
