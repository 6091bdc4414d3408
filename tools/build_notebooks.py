"""Write the report notebooks' cells (sources only). `make notebooks` then runs them on seeds/
so they are committed with outputs. Edit the cells here, not in the .ipynb, to keep the four
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
# What a meeting is, said on every page that counts them (docs/records.md#meetings).
MEETING = """A *meeting* is one event — a delegation received, a visit, talks — reported by one or more
articles: a province's portal, its newspaper, the national agency and aggregators each report it
in their own words. Articles are one meeting when they name the same parties (one may name
fewer), the same direction (or one does not say) and the same or adjacent days (docs/records.md,
*Meetings*)."""


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
date_from = None  # "YYYY-MM-DD": keep meetings from this day (those of unknown year are then left out)
date_to = None
topics = None  # list of topic ids to chart, or None for the whole taxonomy
include_duplicates = False  # list syndicated copies of a story in the article table too (meetings count them anyway)
topics_file = None  # the taxonomy the dataset was built with, if not the packaged one'''),
    code(SETUP),
    code('''view = views.corpus_view(corpus, date_from=date_from, date_to=date_to, topics=topics,
                          include_duplicates=include_duplicates, topics_file=topics_file, light=True)
views.heading(title, "Who met whom, when, and about what: meetings between Vietnamese provinces "
              "and cities and their Chinese counterparts, read from Vietnamese news articles.")'''),
    md(f"""## Headline figures
Every chart and table of this page counts meetings, not articles. {MEETING} Copies of one story
are articles of its meeting. Meetings whose year no article states are counted, and kept apart in
the timeline rather than placed on a guessed year."""),
    code("views.html_block(views.coverage_line(view))"),
    code("HTML(tables.to_html(tables.figures_table(views.headline_figures(view))))"),
    md("""## Chinese partners
Each bar counts the meetings a Chinese locality took part in (its delegation, officials or
government) — not every place an article mentions. Colour shows its province; hover for how many
articles and outlets reported its meetings, and the latest one."""),
    code("charts.partners_bar(view.parties)"),
    md("""## Who met whom, on the map
Red: Chinese partners; blue: Vietnamese provinces and cities; a circle grows with its meetings. A
line joins the two sides of a meeting; thicker lines mean more meetings between the pair. Hover
for the meetings and the articles that reported them."""),
    code("charts.meeting_map(view.parties)"),
    md("""## What the meetings were about
The share of meetings that discussed each topic of the taxonomy: a meeting discussed a topic when
one of its articles mentions it at least once (terms are listed in each topic's explorer report)."""),
    code("charts.topic_share_bar(view.meetings, view.labels, view.topic_ids)"),
    md("""Topics by partner: each cell is the share of a partner's meetings that discussed the topic
(blank: none); the number after each partner's name is its meetings, and hovering over a cell
gives the count."""),
    code("charts.partner_topic_heatmap(view.meetings, view.parties, view.labels, view.topic_ids)"),
    md(f"""## When
Each mark is a meeting, larger when more articles reported it (hover for its first article's
title and how widely it was reported); past {charts.MAX_TIMELINE_POINTS} meetings, bars count them
per month, stacked by partner (the {charts.TIMELINE_STACKED} partners with most meetings in colour,
the others together in grey); a first or last month that the data cover only in part is hatched,
so that it is not read as a fall in meetings. The lower lane holds meetings whose articles give
only the day and month: their year is unknown, so they are drawn by day and month only."""),
    code("charts.meetings_timeline(view.parties)"),
    md("""## Who travelled
Meetings per year. *Inbound*: a Chinese delegation received in Vietnam. *Outbound*: a Vietnamese
delegation in China."""),
    code("charts.direction_over_time(view.meetings)"),
    md("""## The meetings
One row per meeting, by event date: its parties and topics, how many articles and outlets
reported it, and those articles (titles link to the original page where the source gave a URL).
An article an analyst corrected is marked *(corrected)*: hover over the mark for what and why."""),
    code("HTML(tables.to_html(tables.meetings_table(view.meetings, views.meeting_articles(view), view.topic_ids, view.labels)))"),
    md("""## The articles
One row per article, by event date, those that report no meeting too (no Chinese partner named).
Titles link to the original page where the source gave a URL."""),
    code("HTML(tables.to_html(tables.article_table(view.articles, view.topic_ids, view.labels)))"),
    md("""## Data quality
Inputs that produced no article (and why), duplicates, and what the extractor was unsure about.
Nothing is dropped silently; the review page lists the articles to check first, each with a
corrections entry to copy."""),
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
    md(f"""## Who met whom
Every meeting with this partner, the officials named on each side (with the title the first
article gives) and the articles that reported it. {MEETING}"""),
    code("HTML(tables.to_html(tables.officials_table(mine.meetings, views.meeting_articles(mine))))"),
    md("""Where: the partner (red) and the Vietnamese provinces and cities that met it (blue). A line
joins the two sides of a meeting, thicker for more meetings; the circles grow with the meetings."""),
    code("charts.meeting_map(mine.parties)"),
    md("""## What they talked about
The share of this partner's meetings that discussed each topic (one of their articles mentions
it; red), against all meetings in the corpus (grey)."""),
    code("charts.topic_profile(view.meetings, set(mine.meetings['id']), view.labels, view.topic_ids, views.partner_label(mine, partner))"),
    md("""## When
Each mark is a meeting, larger when more articles reported it."""),
    code("charts.meetings_timeline(mine.parties)"),
    md("""## The evidence
The sentences that made each topic count, per article (up to three per article and topic),
earliest events first. With many articles each topic gets its share of the table, and a note
under it says which topics have more."""),
    code("HTML(tables.to_html(tables.evidence_table(mine.articles, view.topic_ids, view.labels, evidence=views.evidence(mine, view.topic_ids))))"),
    md("""## The articles
The articles that reported these meetings, one row each."""),
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
    md(f"""## Who discusses it
The meetings that discussed the topic — one of their articles mentions it — per Chinese partner
and per Vietnamese locality. {MEETING}"""),
    code("charts.topic_by_place(view.meetings, view.parties, topic, view.taxonomy.label(topic))"),
    md("""## Over time
Meetings that discussed the topic per year of the meeting; those of unknown year have their own
column."""),
    code("charts.topic_over_time(view.meetings, topic, view.taxonomy.label(topic))"),
    md("""## The evidence
Each sentence that made an article count for this topic, earliest events first."""),
    code("HTML(tables.to_html(tables.evidence_table(view.articles, [topic], view.labels, evidence=views.evidence(view, [topic])), empty='No article mentions this topic.'))"),
    md("""## Keyword in context
Every occurrence of the terms that count for the topic (those of its subtopics too) with the
words around it, earliest events first; a note under the table gives the count when there are
more than it shows."""),
    code("HTML(tables.to_html(tables.kwic_table(view.articles, list(view.taxonomy.counted_terms(topic)), texts=views.texts(view)), empty='No occurrence.'))"),
])

review = notebook([
    params('''# Parameters (papermill: -p corpus PATH)
corpus = None  # None: the repository's seeds/; or raw files/folder, or a dataset built by `citycoop extract -f parquet`
topics_file = None'''),
    code(SETUP.replace("import views", "import review, views")),
    code('''view = views.corpus_view(corpus, topics_file=topics_file, light=True)
flagged, disagreeing, differing = review.flagged(view), review.disagreeing(view), review.differing(view)
views.heading("Review: what to check first", review.summary(flagged, disagreeing, differing))'''),
    md(f"""Each row is an article to read again, with its lead sentence (the first of its text) and
a corrections entry to copy into `corrections.yml` beside the corpus (or the file `--corrections`
names): change the value if it is wrong, say why in `note`, who in `by`, and the day in `when`.
As it is, an entry sets the value the record (or its meeting) has now, so a pasted entry is always
accepted; the next `citycoop report` applies it and the article leaves this page
(docs/corrections.md). {MEETING}"""),
    md("""## Articles the extractor flagged
No Chinese partner found (an article that is no meeting with a Chinese locality, or one whose
partner was missed), the direction of the visit not stated, the year of the event not stated, or a
place name that is both Vietnamese and Chinese read as the Vietnamese one."""),
    code("HTML(tables.to_html(tables.review_table(flagged, review.lead_sentences(view, flagged), 'flagged articles', 'by kind, then event date'), empty='No article flagged.'))"),
    md("""## Meetings whose articles disagree
The articles of a meeting that give another date than the meeting's, or state no direction where
its other articles do: the entry sets the meeting's value; if the article reports another meeting,
`meeting: own` takes it out."""),
    code("HTML(tables.to_html(tables.review_table(disagreeing, review.lead_sentences(view, disagreeing), 'articles', 'by the event date of their meeting'), empty='No meeting whose articles disagree on the date or the direction.'))"),
    md("""## Articles whose parties differ from their meeting's
An outlet may name fewer parties than the others (a partner's province and not the city, one of
four border provinces), or the article may report another meeting grouped with this one."""),
    code("HTML(tables.to_html(tables.review_table(differing, review.lead_sentences(view, differing), 'articles', 'by the event date of their meeting'), empty='No article names other parties than its meeting.'))"),
])

# What notebooks/ holds, by file name (tests/test_notebooks.py compares the committed cells with these).
NOTEBOOKS = {"corpus_overview": overview, "partner_profile": partner, "review": review,
             "topic_explorer": topic}

if __name__ == "__main__":
    for name, nb in NOTEBOOKS.items():
        nbformat.write(nb, HERE / f"{name}.ipynb")
        print(HERE / f"{name}.ipynb")
