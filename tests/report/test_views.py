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
