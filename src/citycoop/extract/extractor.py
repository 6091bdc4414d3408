"""``Extractor(...).extract(article)``: a pure function of a cleaned ``Article`` (plus the
gazetteer, lexicon and taxonomy it was built with) that returns the JSON-ready record."""
from __future__ import annotations

import bisect

from ..gazetteer import Gazetteer, load_gazetteer, load_lexicon
from ..models import Article
from ..normalize import normalize_tone_marks
from .dates import find_event_date
from .direction import DirectionReader
from .lead import LeadFinder
from .officials import OfficialFinder
from .places import PlaceResolver, count_mentions, partner_localities, vn_party_localities
from .text import Sentences, sentence_boundary
from .topics import Taxonomy, load_taxonomy

class Extractor:
    def __init__(self, gazetteer: Gazetteer | None = None, taxonomy: Taxonomy | None = None,
                 lexicon: dict | None = None):
        self.gazetteer = gazetteer or load_gazetteer()
        self.taxonomy = taxonomy or load_taxonomy()
        self.lexicon = lexicon or load_lexicon()
        self.places = PlaceResolver(self.gazetteer, self.lexicon)
        self.officials = OfficialFinder(self.lexicon)
        self.direction = DirectionReader(self.lexicon)
        self.lead = LeadFinder(self.lexicon)
        self.sentence_boundary = sentence_boundary(self.lexicon)

    def extract(self, article: Article) -> dict:
        title = article.title or ""
        # The title is read for places and direction, never counted as a body mention.
        doc = f"{title}\n\n{article.text}" if title else article.text
        # Matched in one tone-mark style; the text stays as written (the same length: offsets hold).
        doc = normalize_tone_marks(doc)
        body_start = len(title) + 2 if title else 0
        sentences = Sentences.of(doc, self.sentence_boundary)
        warnings = list(article.warnings)

        mentions, place_warnings = self.places.resolve(doc, sentences)
        warnings += place_warnings
        officials = self.officials.find(doc, mentions, sentences)  # (read as PlacedMentions)
        title_spans = [s for o in officials for s in o.title_spans]
        represented = _first_places_in(mentions, title_spans)
        lead = self.lead.find(doc, body_start, [m.start for m in mentions if m.locality])
        self.places.mark_parties(doc, sentences, mentions, title_spans, represented, lead)
        partners = partner_localities(mentions, self.gazetteer)
        vn_sides = vn_party_localities(mentions)
        if partners and not vn_sides and not self.places.national_host(officials, lead):
            vn_sides = _most_mentioned_vn(mentions, body_start)
            if vn_sides:
                warnings.append("Vietnamese side inferred from the most mentioned locality")

        direction, dir_warnings = self.direction.read(doc, lead, mentions, bool(partners))
        warnings += dir_warnings
        if not partners:
            warnings.append("no Chinese partner found")

        event = find_event_date(lead.text(doc), article.published, doc[body_start:])
        if event.value and event.value >= _MERGED_FROM and vn_sides:
            vn_sides = _merged_provinces(vn_sides, self.gazetteer)
        if event.value and event.source == "none":
            warnings.append("event year unknown: no year in the text and no publication date")
        elif event.value is None:
            warnings.append("no event date in the lead")

        body = article.text
        topic_counts, evidence = self.taxonomy.match(doc, sentences, start=body_start,
                                                     exclude=[(m.start, m.end) for m in mentions])
        record = {
            "id": article.id,
            "source": article.source,
            "format": article.format,
            "title": article.title,
            "url": article.url,
            "outlet": article.outlet,
            "byline": article.byline,
            "published": article.published,
            "published_source": article.published_source,
            "encoding": article.encoding,
            "n_chars": article.n_chars,
            "content_hash": article.content_hash,
            "duplicate_of": None,
            "event_date": event.value,
            "event_date_source": event.source,
            "event_date_phrase": event.phrase,
            "direction": direction,
            "vn_localities": [loc.as_vn() for loc in vn_sides],
            "partners": [loc.as_partner() for loc in partners],
            "mentions": count_mentions(mentions, body_start),
            "officials": [o.to_dict() for o in officials],
            "topics": topic_counts,
            "evidence": evidence,
            "warnings": warnings,
            "text": body,
        }
        return record


# Vietnam's provinces merged on 1 July 2025: a meeting from that day is the merged province's.
_MERGED_FROM = "2025-07-01"


def _merged_provinces(localities, gazetteer):
    """Each locality as the province it has been part of since the 2025 reorganisation (Hà
    Giang → Tuyên Quang), once each, in order."""
    out = []
    for loc in localities:
        if loc.period == "pre2025" and loc.merged_into:
            loc = gazetteer.get("vn", loc.merged_into) or loc
        if loc not in out:
            out.append(loc)
    return out


def _first_places_in(mentions, spans) -> set[int]:
    """Start of the first mention with a locality inside each span (the place a title names
    first). Mentions come in text order: each span's are found by bisection, not by walking
    every mention for every span."""
    starts = [m.start for m in mentions]
    firsts = set()
    for s, e in spans:
        i = bisect.bisect_left(starts, s)
        while i < len(mentions) and mentions[i].start < e:
            if mentions[i].locality:
                firsts.add(mentions[i].start)
                break
            i += 1
    return firsts


def _most_mentioned_vn(mentions, body_start):
    from collections import Counter

    counts = Counter(m.locality for m in mentions
                     if m.locality and m.locality.country == "vn" and m.start >= body_start)
    return [counts.most_common(1)[0][0]] if counts else []
