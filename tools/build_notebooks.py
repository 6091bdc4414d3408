"""Write the report notebooks' cells (sources only). `make notebooks` then runs them on seeds/
so they are committed with outputs. Edit the cells here, not in the .ipynb, to keep the three
notebooks consistent."""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from citycoop import charts  # the timeline's limits, which the overview's text states

HERE = Path(__file__).resolve().parents[1] / "notebooks"
SETUP = """from IPython.display import HTML
from citycoop import charts, tables
from citycoop.report import views

views.setup_notebook()"""


def params(src: str):
    cell = new_code_cell(src)
    cell.metadata["tags"] = ["parameters"]
    return cell


def md(text: str):
    return new_markdown_cell(text.strip())


def code(src: str):
    return new_code_cell(src.strip())


def notebook(cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


overview = notebook([
    params('''# Parameters (papermill: -p corpus PATH -p date_from 2024-01-01 ...)
corpus = None  # None: the repository's seeds/; or raw files/folder, or a dataset built by `citycoop extract -f parquet`
title = "Vietnam–China local cooperation: corpus overview"
date_from = None  # "YYYY-MM-DD": keep events from this day (events of unknown year are then left out)
date_to = None
topics = None  # list of topic ids to chart, or None for the whole taxonomy
include_duplicates = False  # count syndicated copies of a story as separate articles
topics_file = None  # the taxonomy the dataset was built with, if not the packaged one'''),
    code(SETUP),
    code('''view = views.corpus_view(corpus, date_from=date_from, date_to=date_to, topics=topics,
                          include_duplicates=include_duplicates, topics_file=topics_file, light=True)
views.heading(title, "Who met whom, when, and about what: meetings between Vietnamese provinces "
              "and cities and their Chinese counterparts, read from Vietnamese news articles.")'''),
    md("""## Headline figures
A *meeting* is an article reporting a Vietnamese locality meeting a Chinese one. Syndicated copies
of one story count once. Events whose year the article does not state are counted, and kept
apart in the timeline rather than placed on a guessed year."""),
    code("HTML(tables.to_html(tables.figures_table(views.headline_figures(view.articles, view.all_articles, view.rejects))))"),
    md("""## Chinese partners
Each bar is a Chinese locality that took part in a meeting (its delegation, officials or
government) — not every place an article mentions. Colour shows its province; hover for the
latest meeting."""),
    code("charts.partners_bar(view.meetings)"),
    md("""## Who met whom, on the map
Red: Chinese partners; blue: Vietnamese provinces and cities. A line joins the two sides of a
meeting; thicker lines mean more meetings between the pair."""),
    code("charts.meeting_map(view.meetings)"),
    md("""## What the meetings were about
The share of articles mentioning each topic of the taxonomy at least once (terms are listed in
each topic's explorer report)."""),
    code("charts.topic_share_bar(view.articles, view.labels, view.topic_ids)"),
    md("""Topics by partner: each cell is the share of a partner's meeting articles that mention the
topic (blank: none); the number after each partner's name is its meeting articles, and hovering
over a cell gives the count."""),
    code("charts.partner_topic_heatmap(view.articles, view.meetings, view.labels, view.topic_ids)"),
    md(f"""## When
Each mark is a meeting; past {charts.MAX_TIMELINE_POINTS} meetings, bars count them per month,
stacked by partner (the {charts.TIMELINE_STACKED} partners with most meetings in colour, the
others together in grey); a first or last month that the data cover only in part is hatched,
so that it is not read as a fall in meetings. The lower lane holds meetings whose article gives
only the day and month: their year is unknown, so they are drawn by day and month only."""),
    code("charts.meetings_timeline(view.meetings)"),
    md("""## Who travelled
*Inbound*: a Chinese delegation received in Vietnam. *Outbound*: a Vietnamese delegation in
China."""),
    code("charts.direction_over_time(view.articles)"),
    md("""## The articles
One row per article, by event date. Titles link to the original page where the source gave a
URL."""),
    code("HTML(tables.to_html(tables.article_table(view.articles, view.topic_ids, view.labels)))"),
    md("""## Data quality
Inputs that produced no article (and why), duplicates counted once, and what the extractor was
unsure about. Nothing is dropped silently."""),
    code("HTML(tables.to_html(tables.rejects_table(view.rejects), empty='No input was rejected.'))"),
    code("HTML(tables.to_html(tables.duplicates_table(view.all_articles), empty='No duplicate articles.'))"),
    code("HTML(tables.to_html(tables.warnings_table(view.articles), empty='No extraction warnings.'))"),
])

partner = notebook([
    params('''# Parameters (papermill: -p partner Guangzhou)
corpus = None  # None: the repository's seeds/; or raw files/folder, or a dataset built by `citycoop extract -f parquet`
partner = "Chongqing"  # English or Vietnamese name: "Chongqing", "Trùng Khánh", "trùng khánh"
topics_file = None'''),
    code(SETUP),
    code('''view = views.corpus_view(corpus, topics_file=topics_file, light=True)
mine = views.partner_view(view, partner)
views.heading("Partner profile: " + views.partner_label(mine, partner), views.partner_summary(mine, partner))'''),
    md("""## Who met whom
Every meeting with this partner and the officials named on each side, with their titles as the
article gives them."""),
    code("HTML(tables.to_html(tables.officials_table(mine.articles)))"),
    md("""Where: the partner (red) and the Vietnamese provinces and cities that met it (blue). A line
joins the two sides of a meeting, thicker for more meetings; the circles grow with the meetings."""),
    code("charts.meeting_map(mine.meetings)"),
    md("""## What they talked about
The share of this partner's meeting articles mentioning each topic (red), against all articles
in the corpus (grey)."""),
    code("charts.topic_profile(view.articles, set(mine.articles['id']), view.labels, view.topic_ids, views.partner_label(mine, partner))"),
    md("## When"),
    code("charts.meetings_timeline(mine.meetings)"),
    md("""## The evidence
The sentences that made each topic count, per article (up to three per article and topic),
earliest events first. With many articles each topic gets its share of the table, and a note
under it says which topics have more."""),
    code("HTML(tables.to_html(tables.evidence_table(mine.articles, view.topic_ids, view.labels, evidence=views.evidence(mine, view.topic_ids))))"),
    md("## The articles"),
    code("HTML(tables.to_html(tables.article_table(mine.articles, view.topic_ids, view.labels)))"),
])

topic = notebook([
    params('''# Parameters (papermill: -p topic metro)
corpus = None  # None: the repository's seeds/; or raw files/folder, or a dataset built by `citycoop extract -f parquet`
topic = "metro"  # a topic id of the taxonomy
topics_file = None'''),
    code(SETUP),
    code('''view = views.corpus_view(corpus, topics=[topic], topics_file=topics_file, light=True)
views.heading(f"Topic explorer: {view.taxonomy.label(topic)}", views.topic_summary(view, topic))'''),
    md("""## Who discusses it
Articles mentioning the topic, per Chinese partner and per Vietnamese locality of the meeting."""),
    code("charts.topic_by_place(view.articles, view.meetings, topic, view.taxonomy.label(topic))"),
    md("""## Over time
Articles mentioning the topic per year of the event; events of unknown year have their own column."""),
    code("charts.topic_over_time(view.articles, topic, view.taxonomy.label(topic))"),
    md("""## The evidence
Each sentence that made an article count for this topic, earliest events first."""),
    code("HTML(tables.to_html(tables.evidence_table(view.articles, [topic], view.labels, evidence=views.evidence(view, [topic])), empty='No article mentions this topic.'))"),
    md("""## Keyword in context
Every occurrence of the terms that count for the topic (those of its subtopics too) with the
words around it, earliest events first; a note under the table gives the count when there are
more than it shows."""),
    code("HTML(tables.to_html(tables.kwic_table(view.articles, list(view.taxonomy.counted_terms(topic)), texts=views.texts(view)), empty='No occurrence.'))"),
])

# What notebooks/ holds, by file name (tests/test_notebooks.py compares the committed cells with these).
NOTEBOOKS = {"corpus_overview": overview, "partner_profile": partner, "topic_explorer": topic}

if __name__ == "__main__":
    for name, nb in NOTEBOOKS.items():
        nbformat.write(nb, HERE / f"{name}.ipynb")
        print(HERE / f"{name}.ipynb")
