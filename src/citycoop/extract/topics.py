"""Topic mentions with evidence sentences, from a taxonomy file (``data/topics.yml``)."""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from .. import yamlfile
from ..matching import TermMatcher, compile_terms
from ..normalize import normalize_text
from .text import Sentences

MAX_EVIDENCE_PER_TOPIC = 10  # keeps records small on long articles; counts stay exact
# A topic id names columns (topic_<id>), report pages (topic_<id>.html) and notebook
# parameters: letters, digits and "_" only, starting with a letter.
TOPIC_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _check_spec(spec) -> None:
    """ValueError naming what is wrong with a taxonomy (the packaged one, or a user's file)."""
    topics = spec.get("topics") if isinstance(spec, dict) else None
    if not isinstance(topics, dict) or not topics:
        raise ValueError("no 'topics:' mapping of topic ids to their labels and terms")
    for tid, t in topics.items():
        if not isinstance(tid, str) or not TOPIC_ID.fullmatch(tid):
            raise ValueError(f"topic id {tid!r} is not valid: use letters, digits and _ only, starting "
                             f"with a letter (it names columns such as topic_<id>)")
        if not isinstance(t, dict):
            raise ValueError(f"topic {tid!r}: not a mapping of label, label_en, terms")
        if not isinstance(t.get("terms", []), list):
            raise ValueError(f"topic {tid!r}: 'terms' is not a list")
    if not isinstance(spec.get("no_topic", []), list):
        raise ValueError("'no_topic' is not a list of phrases")

# How far back from a capitalized term an organisation's head word is looked for (the longest
# department names, "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch", are ≈ 50 characters).
_NAME_REACH = 160
# Lower-case syllables one part of a name may run on after its capital ("Khu kinh tế cửa khẩu",
# "Phát triển nông thôn"); longer runs are running text, not a name.
_NAME_MAX_LOWER = 4
_UPPER = "".join(chr(c) for c in [*range(0x41, 0x250), *range(0x1E00, 0x1F00)] if chr(c).isupper())
_LOWER = "".join(chr(c) for c in [*range(0x61, 0x250), *range(0x1E00, 0x1F00)] if chr(c).islower())
# What may stand between a head word and a capitalized term of the same name: parts that each
# begin with a capital and run on for at most _NAME_MAX_LOWER lower-case syllables between
# capitals ("Quản lý Khu kinh tế cửa khẩu Đồng Đăng"), joined by commas, semicolons, dashes
# or "và", the term either opening a part or going on with the last one.
# ("và" only joins: were it also a lower-case word of a part, a failing match would try every
# way of reading each "và", exponentially many.)
_NAME_LOWER_WORD = r"\s+(?!và(?!\w))[{L}]\w*".format(L=_LOWER)
_NAME_PART = r"[{U}]\w*(?:(?:{w}){{0,{n}}}\s+[{U}]\w*)*(?:{w}){{0,{n}}}".format(
    U=_UPPER, w=_NAME_LOWER_WORD, n=_NAME_MAX_LOWER)
_NAME_JOIN = r"(?:\s*[,;&–-]\s*|\s+và\s+)"
_NAME_AFTER_HEAD = re.compile(r"(?:\s*:\s*|\s+)(?:{p}{j})*(?:{p}\s+)?".format(p=_NAME_PART, j=_NAME_JOIN))


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    label_en: str
    terms: tuple[str, ...]
    parent: str | None = None
    # Rules of words that count only side by side: each rule is groups of terms, and a sentence
    # holding a term of every group counts once ("cửa khẩu" with "hàng hóa": goods through a gate).
    together: tuple[tuple[tuple[str, ...], ...], ...] = ()


class Taxonomy:
    """Topics plus one compiled matcher over all their terms."""

    def __init__(self, spec: dict, version: str):
        _check_spec(spec)
        self.version = version
        self.topics: dict[str, Topic] = {}
        term_topics: dict[str, set[str]] = {}
        term_roles: dict[str, set[tuple[str, int, int]]] = {}
        for tid, t in spec["topics"].items():
            terms = _terms(t.get("terms", []))
            together = tuple(tuple(_terms(group) for group in rule) for rule in t.get("together", []))
            self.topics[tid] = Topic(tid, t.get("label", tid), t.get("label_en", tid), terms,
                                     t.get("parent"), together)
            for term in terms:
                term_topics.setdefault(term.lower(), set()).add(tid)
            for r, rule in enumerate(together):
                if len(rule) < 2 or not all(rule):
                    raise ValueError(f"topic {tid!r}: a 'together' rule needs two or more groups of terms")
                for g, group in enumerate(rule):
                    for term in group:
                        term_roles.setdefault(term.lower(), set()).add((tid, r, g))
        for tid, topic in self.topics.items():
            if topic.parent and topic.parent not in self.topics:
                raise ValueError(f"topic {tid!r}: parent {topic.parent!r} is not a topic")
        # A term counts for its topics and their parents (metro → transport).
        self._term_topics = {
            term: tuple(sorted({a for tid in tids for a in self._lineage(tid)}))
            for term, tids in term_topics.items()
        }
        self._term_roles = {term: tuple(sorted(roles)) for term, roles in term_roles.items()}
        for term in term_roles:  # a word that only counts beside another is matched all the same
            self._term_topics.setdefault(term, ())
            term_topics.setdefault(term, set())
        # Phrases that hold a term and are no mention of its topic ("nông nghiệp hàng hóa" is
        # commercial farming, not goods): matched, longest first, and counted for no topic.
        for phrase in _terms(spec.get("no_topic", [])):
            self._term_topics[phrase.lower()] = ()
            term_topics[phrase.lower()] = set()
        self._terms = term_topics
        # Head words of organisations' names: a term written with a capital right after one of
        # them (or after the capitalized words that follow one) is part of a name.
        self._heads = {tuple(normalize_text(str(h)).strip().lower().split())
                       for h in spec.get("organisation_heads", [])}
        # Where a name can begin: a head written with its capital, or any head before a colon.
        heads = sorted((r"\s+".join(map(re.escape, h)) for h in self._heads), key=len, reverse=True)
        self._head_pattern = re.compile(r"(?<!\w)(?:(?i:%s)(?=\s*:)|(?:%s)(?!\w))" % (
            "|".join(heads), "|".join(h[0].upper() + h[1:] for h in heads))) if heads else None

    # All terms, longest first at each position, on whole syllables, found in lower-cased text
    # (case-insensitive matching in `re` is several times slower) by an Aho–Corasick automaton:
    # the matches of compile_terms(terms) in half the time of that pattern (46 → 21 µs an
    # article of the generated corpus). Built on first match: the parent of `citycoop extract`
    # needs only the topic ids.
    @cached_property
    def _matcher(self) -> TermMatcher:
        return TermMatcher(self._terms)

    @cached_property
    def _pattern(self) -> re.Pattern:  # the same, for a search from inside a term (see match)
        return compile_terms(self._terms, literal_start=False)

    @cached_property
    def _pattern_i(self) -> re.Pattern:
        return compile_terms(self._terms, re.IGNORECASE)

    def _lineage(self, tid: str) -> list[str]:
        out = []
        while tid and tid not in out:
            out.append(tid)
            tid = self.topics[tid].parent
        return out

    @property
    def ids(self) -> list[str]:
        return list(self.topics)

    def counted_terms(self, tid: str) -> tuple[str, ...]:
        """The terms that count for topic ``tid`` on their own: its own, then those of the
        topics under it (a metro term counts for transport too). The words of its ``together``
        rules, which count only side by side, are not among them."""
        return tuple(dict.fromkeys(term for sub in self.topics.values() if tid in self._lineage(sub.id)
                                   for term in sub.terms))

    def label(self, tid: str) -> str:
        return self.topics[tid].label_en if tid in self.topics else tid

    def match(self, text: str, sentences: Sentences | None = None, start: int = 0,
              exclude: list[tuple[int, int]] = ()) -> tuple[dict, dict]:
        """``({topic: count}, {topic: [evidence sentences]})`` for every topic in the taxonomy,
        counting from offset ``start`` of ``text`` (the body after the title). Matches inside the
        ``exclude`` spans (place names: the "Cảng" of Phòng Thành Cảng is no port) do not count,
        nor those inside an organisation's name (the "Du lịch" of "Sở Văn hóa, Thể thao và Du
        lịch" is no tourism). A sentence holding every group of a ``together`` rule counts once."""
        blocked = sorted(exclude)
        block_starts = [s for s, _ in blocked]
        sentences = sentences or Sentences.of(text)
        counts = dict.fromkeys(self.topics, 0)
        evidence: dict[str, list[str]] = {}
        seen: dict[str, set[int]] = {}
        roles_in: dict[int, set[tuple[str, int, int]]] = {}  # sentence → together groups present
        rules_done: set[tuple[int, str, int]] = set()  # (sentence, topic, rule) already counted
        lowered = text.lower()
        if len(lowered) == len(text):
            source = lowered
            found = self._matcher.finditer(lowered)
            matches = [span for span in found if span[0] >= start]
            if start and any(s < start < e for s, e in found):
                # a term runs across ``start`` (never at the body's start, after a blank line):
                # what a search from ``start`` finds after it may differ
                matches = [m.span() for m in self._pattern.finditer(lowered, start)]
        else:  # rare letters whose lower case is longer: keep offsets right
            source = text
            matches = [m.span() for m in self._pattern_i.finditer(text, start)]

        for m_start, m_end in matches:
            k = bisect.bisect_right(block_starts, m_start) - 1
            if k >= 0 and m_start < blocked[k][1]:
                continue
            si = sentences.index_at(m_start)
            if text[m_start].isupper() and self._in_organisation_name(text, m_start, sentences.starts[si]):
                continue
            term = source[m_start:m_end].lower()
            tids = self._term_topics[term]
            roles = self._term_roles.get(term)
            if roles:
                present = roles_in.setdefault(si, set())
                present.update(roles)
                for tid, r, _ in roles:
                    size = len(self.topics[tid].together[r])
                    if (si, tid, r) not in rules_done and all((tid, r, g) in present for g in range(size)):
                        rules_done.add((si, tid, r))
                        tids = tids + tuple(self._lineage(tid))
            for tid in tids:
                counts[tid] += 1
                used = seen.setdefault(tid, set())
                if si not in used and len(used) < MAX_EVIDENCE_PER_TOPIC:
                    used.add(si)
                    evidence.setdefault(tid, []).append(sentences.sentence(si))
        return counts, evidence

    def _in_organisation_name(self, text: str, pos: int, floor: int) -> bool:
        """Whether the capitalized term at ``pos`` ends a name begun by a head word, in the same
        sentence (from ``floor``): "Sở Giao thông vận tải", "Ban Quản lý Khu kinh tế cửa khẩu",
        "Công ty Cổ phần Triển lãm Hàng không", or a list after a head and a colon ("giám đốc
        các sở: Văn hóa, Thể thao và Du lịch; Công Thương"). See _NAME_AFTER_HEAD."""
        if self._head_pattern is None:
            return False
        heads = list(self._head_pattern.finditer(text, max(floor, pos - _NAME_REACH), pos))
        return any(_NAME_AFTER_HEAD.fullmatch(text, h.end(), pos) for h in reversed(heads))


def _terms(items) -> tuple[str, ...]:
    return tuple(normalize_text(str(x)).strip() for x in items)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The packaged taxonomy or a user's YAML file of the same shape."""
    if path is None:
        return _default_taxonomy()
    text = Path(path).read_text(encoding="utf-8")
    return Taxonomy(yamlfile.safe_load(text), hashlib.sha1(text.encode()).hexdigest()[:8])


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    text = resources.files("citycoop.data").joinpath("topics.yml").read_text(encoding="utf-8")
    return Taxonomy(yamlfile.safe_load(text), hashlib.sha1(text.encode()).hexdigest()[:8])
