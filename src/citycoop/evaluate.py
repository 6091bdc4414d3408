"""Scoring extraction records against hand labels: what ``citycoop evaluate`` measures.

A label file is JSON Lines, one hand label per article (the format of ``seeds/expected.jsonl``
and ``tests/dev/gold.jsonl``, described in ``docs/evaluate.md``). Each label names its document
(``doc``, the path under the corpus folder; ``export.jsonl#3`` is an export's 3rd row) and what
a careful reader found in it. This module matches labels to records, compares them field by
field and returns the figures, the misses and what could not be scored.

The figures are those of the reference scorer the development set comes with
(``tests/dev/score.py``), computed the same way so the two always agree: a label is matched to
a record by path, names are compared as ASCII keys ("TP Hồ Chí Minh" = "Ho Chi Minh City"),
the province of each labelled partner city counts among the labelled provinces, officials are
(name, side) pairs, and the Vietnamese side is not scored when there was no Vietnam–China
meeting (direction ``none``). Set fields get precision, recall and F1 over all labels pooled;
single-valued fields get accuracy; cleaning gets the share of ``must_keep`` text kept and of
``must_drop`` text removed.

Meetings are scored as pairs: two labelled articles report one meeting when their labels share
an ``event_group`` (a label without one reports a meeting of its own), and citycoop finds it
when ``meetings.group`` puts their records in one meeting (a record that is not a meeting is
alone). Pairwise precision and recall of "same meeting" are over the labelled articles matched
to a record; the grouping itself reads every record of the corpus, labelled or not.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .meetings import Report, group
from .models import Reject

LOCALITY_FIELDS = ("vn", "cn_provinces", "cn_cities")
SET_FIELDS = (*LOCALITY_FIELDS, "officials", "topics")
SINGLE_FIELDS = ("published", "event_date", "direction")
OPTIONAL_FIELDS = ("title", "url", "outlet")  # scored only where a label gives a value
CLEANING_FIELDS = ("must_keep", "must_drop")
LABEL_FIELDS = frozenset({"doc", *SET_FIELDS, *SINGLE_FIELDS, *OPTIONAL_FIELDS, *CLEANING_FIELDS,
                          "notes", "event_group"})
# Fields every label should carry: one left out is scored as empty or null (as score.py does),
# so it is reported.
EXPECTED_FIELDS = (*LOCALITY_FIELDS, "topics", *SINGLE_FIELDS)
# The figures, by the names score.py prints them under: --min takes these.
METRICS = (*SET_FIELDS, *SINGLE_FIELDS, *OPTIONAL_FIELDS, "found", "keep", "drop", "meetings")
DIRECTIONS = ("inbound", "outbound", "unknown", "none")
# Partner levels that are provincial: every other partner (city, county, municipality) is a city.
PROVINCIAL_LEVELS = frozenset({"province", "autonomous_region", "autonomousregion", "sar", "region"})

# Administrative words an English or Vietnamese place name may carry ("Guangxi Zhuang Autonomous
# Region", "Hangzhou City", "tỉnh Lào Cai"), removed so that a label and a record that name the
# same place the two ways meet; only when a name of three letters or more remains.
_NAME_SUFFIXES = ("zhuangautonomousregion", "uygurautonomousregion", "uyghurautonomousregion",
                  "autonomousregion", "specialadministrativeregion", "municipality", "province",
                  "city", "sar", "thanhpho", "tinh", "tp")
_NAME_PREFIXES = ("thanhpho", "tinh", "tp")
# Other spellings of one place.
_NAME_ALIASES = {"hcmc": "hochiminh", "saigon": "hochiminh", "macao": "macau", "thuathienhue": "hue"}


def name_key(name: object) -> str | None:
    """A place name as the ASCII key labels and records are compared by: no tone marks,
    lower case, letters and digits only, administrative words removed, aliases merged."""
    if name is None:
        return None
    s = unicodedata.normalize("NFD", str(name).replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"[^a-z0-9]", "", s)
    changed = True
    while changed:
        changed = False
        for word in _NAME_SUFFIXES:
            if s.endswith(word) and len(s) > len(word) + 2:
                s, changed = s[: -len(word)], True
            if word in _NAME_PREFIXES and s.startswith(word) and len(s) > len(word) + 2:
                s, changed = s[len(word):], True
    return _NAME_ALIASES.get(s, s)


def _nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text or ""))


# ----------------------------------------------------------------------------- reading
class InputError(ValueError):
    """Bad lines in a label or record file; ``problems`` names the file, line and reason of each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Label:
    doc: str
    data: dict
    where: str  # "FILE line N", for messages


def _label_problem(data: object) -> str | None:
    """Why a parsed line is not a usable label, or None."""
    if not isinstance(data, dict):
        return f"a label is a JSON object, not {type(data).__name__}"
    if not isinstance(data.get("doc"), str) or not data["doc"].strip():
        return 'no "doc" (the document\'s path under the corpus folder)'
    for key in (*LOCALITY_FIELDS, *CLEANING_FIELDS):
        value = data.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(x, str) for x in value)):
            return f'"{key}" must be a list of strings'
    officials = data.get("officials")
    if officials is not None and not (isinstance(officials, list) and all(
            isinstance(o, dict) and isinstance(o.get("name"), str) and "side" in o for o in officials)):
        return '"officials" must be a list of {"name": ..., "side": "vn" or "cn"}'
    topics = data.get("topics")
    if topics is not None and not isinstance(topics, dict):
        return '"topics" must be an object such as {"tourism": true, "metro": false}'
    for key in (*SINGLE_FIELDS, *OPTIONAL_FIELDS):
        if data.get(key) is not None and not isinstance(data[key], str):
            return f'"{key}" must be a string or null'
    return None


def read_labels(paths: Iterable[str | Path]) -> list[Label]:
    """Every label in the files, in order. InputError lists every bad line (file, line, why)."""
    labels, problems = [], []
    for path in paths:
        for n, line in _numbered_lines(path, problems):
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{path} line {n}: not JSON ({exc.msg}, column {exc.colno})")
                continue
            problem = _label_problem(data)
            if problem:
                problems.append(f"{path} line {n}: {problem}")
                continue
            labels.append(Label(data["doc"].replace("\\", "/"), data, f"{path} line {n}"))
    if problems:
        raise InputError(problems)
    return labels


def read_records(path: str | Path) -> Iterator[dict]:
    """Records from a JSONL file as ``citycoop extract -f jsonl`` writes it, streamed; after the
    last line, InputError lists every bad line."""
    problems: list[str] = []
    for n, line in _numbered_lines(path, problems):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path} line {n}: not JSON ({exc.msg}, column {exc.colno})")
            continue
        if not isinstance(record, dict) or not ("source" in record or "id" in record):
            problems.append(f"{path} line {n}: not a citycoop record (no source or id)")
            continue
        yield record
    if problems:
        raise InputError(problems)


def _numbered_lines(path: str | Path, problems: list[str]) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a UTF-8 file with their 1-based numbers (split on line ends only,
    as JSON Lines are: a U+2028 inside a string is not a line end). Bytes that are not UTF-8 are
    one problem, naming the line (OSError, such as a missing file, is left to the caller)."""
    n = 0
    with open(path, encoding="utf-8-sig", newline="") as fh:
        try:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    yield n, line
        except UnicodeDecodeError:
            problems.append(f"{path} line {n + 1}: not UTF-8; save the file as UTF-8")


# ----------------------------------------------------------------------------- matching
class _Matcher:
    """Finds each label's record in one pass over the records, keeping only those matched (a
    corpus of many thousand articles is never held in memory for fifty labels).

    A record is a label's when its ``source`` is the label's doc or ends with "/" + doc; the
    first such record in input order is taken. Failing that, the record whose ``id`` is the
    doc's file name without suffix (``export#3`` for ``export.jsonl#3``), when only one has it
    (records written with other paths). This is score.py's rule."""

    def __init__(self, docs: Iterable[str]):
        self.docs = set(docs)
        self.by_source: dict[str, dict] = {}
        self.sources_matched: dict[str, int] = {}
        self.id_wanted = {self._fallback_id(d) for d in self.docs}
        self.by_id: dict[str, list[dict]] = {}
        self.rejects: dict[str, Reject] = {}
        self.records = 0
        self.reports: list[Report] = []  # every record, as meetings are grouped from them

    @staticmethod
    def _fallback_id(doc: str) -> str:
        base, _, row = doc.rsplit("/", 1)[-1].partition("#")
        return base.rsplit(".", 1)[0] + ("#" + row if row else "")

    def _docs_of(self, source: str) -> list[str]:
        """The docs that name this source: the source itself and each tail after a "/"."""
        tails = [source] + [source[i + 1:] for i, c in enumerate(source) if c == "/"]
        return [t for t in tails if t in self.docs]

    def add(self, item: dict | Reject) -> None:
        if isinstance(item, Reject):
            for doc in self._docs_of(str(item.source).replace("\\", "/")):
                self.rejects.setdefault(doc, item)
            return
        self.records += 1
        if item.get("id") is not None:
            self.reports.append(Report.of_record(item))
        docs = self._docs_of(str(item.get("source", "")).replace("\\", "/"))
        for doc in docs:
            self.by_source.setdefault(doc, item)
            self.sources_matched[doc] = self.sources_matched.get(doc, 0) + 1
        wanted = str(item.get("id"))
        if wanted in self.id_wanted:
            self.by_id.setdefault(wanted, []).append(item)

    def record_for(self, doc: str) -> dict | None:
        if doc in self.by_source:
            return self.by_source[doc]
        hits = self.by_id.get(self._fallback_id(doc), [])
        return hits[0] if len(hits) == 1 else None


# ----------------------------------------------------------------------------- figures
@dataclass
class SetScore:
    """Pooled counts of a set field: true positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, label: set, found: set) -> None:
        self.tp += len(label & found)
        self.fp += len(found - label)
        self.fn += len(label - found)

    @property
    def scored(self) -> bool:
        return bool(self.tp + self.fp + self.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return round(2 * p * r / (p + r), 3) if p + r else 0.0


@dataclass
class Tally:
    """Right answers out of the labels that score a field."""

    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += bool(ok)
        self.total += 1

    def rate(self, empty: float | None = None) -> float | None:
        return round(self.right / self.total, 3) if self.total else empty


@dataclass
class Miss:
    doc: str
    field: str
    label: object  # the label's value (a sorted list for set fields)
    found: object  # what citycoop found
    missing: list = field(default_factory=list)  # in the label, not found
    extra: list = field(default_factory=list)  # found, not in the label

    def to_dict(self) -> dict:
        return {"doc": self.doc, "field": self.field, "label": self.label, "found": self.found,
                "missing": self.missing, "extra": self.extra}


@dataclass
class Evaluation:
    labels: int = 0
    sets: dict[str, SetScore] = field(default_factory=lambda: {k: SetScore() for k in SET_FIELDS})
    singles: dict[str, Tally] = field(default_factory=lambda: {
        k: Tally() for k in (*SINGLE_FIELDS, *OPTIONAL_FIELDS)})
    found: Tally = field(default_factory=Tally)
    keep: Tally = field(default_factory=Tally)
    drop: Tally = field(default_factory=Tally)
    meetings: SetScore | None = None  # pairs of articles reporting one meeting; None: no event_group labels
    records: int = 0  # records read
    unlabelled_records: int = 0  # records no label names
    not_found: dict[str, str] = field(default_factory=dict)  # doc → why (no record, or its reject)
    ambiguous: dict[str, int] = field(default_factory=dict)  # doc → records it names (first scored)
    unknown_fields: dict[str, list[str]] = field(default_factory=dict)  # field → docs
    missing_fields: dict[str, list[str]] = field(default_factory=dict)  # field → docs
    unknown_cities: dict[str, list[str]] = field(default_factory=dict)  # labelled city → docs
    unknown_values: dict[str, list[str]] = field(default_factory=dict)  # "field 'value' (why)" → docs
    misses: list[Miss] = field(default_factory=list)

    def metrics(self) -> dict:
        """The figures as score.py prints them (rounded to 3 places): F1 of each set field that
        had anything to score, accuracy of each field some label scores, the share of labels
        matched to a record (``found``), keep and drop rates (1.0 when no label asks), and
        ``n_gold``, the number of labels."""
        out: dict = {k: s.f1 for k, s in self.sets.items() if s.scored}
        out.update({k: t.rate() for k, t in self.singles.items() if t.total})
        if self.found.total:
            out["found"] = self.found.rate()
        out["keep"] = self.keep.rate(1.0)
        out["drop"] = self.drop.rate(1.0)
        if self.meetings is not None:
            out["meetings"] = self.meetings.f1
        out["n_gold"] = self.labels
        return out

    def to_dict(self) -> dict:
        return {
            "metrics": self.metrics(),
            "set_fields": {k: {"precision": round(s.precision, 3), "recall": round(s.recall, 3),
                               "f1": s.f1, "tp": s.tp, "fp": s.fp, "fn": s.fn}
                           for k, s in self.sets.items() if s.scored},
            "single_fields": {k: {"accuracy": t.rate(), "right": t.right, "labels": t.total}
                              for k, t in self.singles.items() if t.total},
            "cleaning": {"keep": {"rate": self.keep.rate(), "kept": self.keep.right, "of": self.keep.total},
                         "drop": {"rate": self.drop.rate(), "removed": self.drop.right, "of": self.drop.total}},
            "meetings": None if self.meetings is None else {
                "precision": round(self.meetings.precision, 3), "recall": round(self.meetings.recall, 3),
                "f1": self.meetings.f1, "tp": self.meetings.tp, "fp": self.meetings.fp, "fn": self.meetings.fn},
            "labels": self.labels, "found": {"matched": self.found.right, "of": self.found.total},
            "records": self.records, "unlabelled_records": self.unlabelled_records,
            "not_found": self.not_found, "ambiguous": self.ambiguous,
            "unknown_fields": self.unknown_fields, "missing_fields": self.missing_fields,
            "unknown_values": self.unknown_values, "unknown_cities": self.unknown_cities,
            "misses": [m.to_dict() for m in self.misses],
        }


# ----------------------------------------------------------------------------- scoring
def city_provinces() -> dict[str, str | None]:
    """Name key of each Chinese city, county and municipality in the gazetteer → its province:
    a labelled partner city's province counts among the labelled provinces, as a record's
    ``partners[].province`` makes it count among the found ones. A key two places share (two
    cities of one name in different provinces) maps to None: the label names the province."""
    from .gazetteer import load_gazetteer

    provinces: dict[str, set[str]] = {}
    for loc in load_gazetteer().localities:
        if loc.country == "cn" and loc.level not in PROVINCIAL_LEVELS:
            provinces.setdefault(name_key(loc.name), set()).add(loc.province)
    return {k: next(iter(v)) if len(v) == 1 else None for k, v in provinces.items()}


class _Names:
    """A set of name keys that remembers the first spelling seen of each, to show in misses."""

    def __init__(self, names: Iterable[object] = ()):
        self.shown: dict[str, str] = {}
        for name in names:
            self.add(name)

    def add(self, name: object, key: str | None = None) -> None:
        key = name_key(name) if key is None else key
        if key:
            self.shown.setdefault(key, str(name))

    @property
    def keys(self) -> set[str]:
        return set(self.shown)

    def show(self, keys: Iterable[str]) -> list[str]:
        return sorted(self.shown.get(k, k) for k in keys)


def _found_fields(record: dict) -> dict:
    """What a record says, in the shapes labels are compared with."""
    partners = [p for p in record.get("partners") or [] if isinstance(p, dict)]
    topics = record.get("topics") or {}
    if isinstance(topics, list):  # a list of topic ids, as some exports of records have it
        topics = {t: 1 for t in topics}
    elif not isinstance(topics, dict):
        topics = {}
    return {
        "vn": _Names(v.get("name") if isinstance(v, dict) else v for v in record.get("vn_localities") or []),
        "cn_provinces": _Names(p.get("province") or p.get("name") for p in partners),
        "cn_cities": _Names(p.get("name") for p in partners
                            if str(p.get("level", "")).lower() not in PROVINCIAL_LEVELS),
        "officials": {(_nfc(o.get("name")), o.get("side")) for o in record.get("officials") or []
                      if isinstance(o, dict)},
        "topics": {t for t, v in topics.items() if v},
        "topic_ids": set(topics),  # the taxonomy's topics: a label's other topics cannot be found
        **{k: record.get(k) for k in (*SINGLE_FIELDS, *OPTIONAL_FIELDS)},
        "text": _nfc(record.get("text")),
    }


def _label_sets(ev: Evaluation, label: Label, provinces_of: dict[str, str | None]) -> dict[str, _Names]:
    sets = {k: _Names(label.data.get(k) or []) for k in LOCALITY_FIELDS}
    for city in label.data.get("cn_cities") or []:
        key = name_key(city)
        if provinces_of.get(key):
            sets["cn_provinces"].add(provinces_of[key])
        elif key not in provinces_of:
            ev.unknown_cities.setdefault(city, []).append(label.doc)
    return sets


def evaluate(items: Iterable[dict | Reject], labels: list[Label],
             provinces_of: dict[str, str | None] | None = None) -> Evaluation:
    """Scores records (and rejects, which explain a label without a record) against labels.
    ``provinces_of``: city name key → province (default: the packaged gazetteer's)."""
    provinces_of = city_provinces() if provinces_of is None else provinces_of
    matcher = _Matcher(label.doc for label in labels)
    for item in items:
        matcher.add(item)
    ev = Evaluation(labels=len(labels), records=matcher.records)
    scored: set[int] = set()  # the records some label is scored against, by identity
    for label in labels:
        _note_label_fields(ev, label)
        record = matcher.record_for(label.doc)
        ev.found.add(record is not None)
        if record is None:
            reject = matcher.rejects.get(label.doc)
            ev.not_found[label.doc] = (f"rejected: {reject.reason}" + (f" ({reject.detail})" if reject.detail else "")
                                       if reject else "no record in the corpus has this path")
            ev.misses.append(Miss(label.doc, "found", label.doc, None))
            continue
        scored.add(id(record))
        if matcher.sources_matched.get(label.doc, 0) > 1:
            ev.ambiguous[label.doc] = matcher.sources_matched[label.doc]
        _score_label(ev, label, _found_fields(record), provinces_of)
    ev.unlabelled_records = ev.records - len(scored)
    if any("event_group" in label.data for label in labels):
        _score_meetings(ev, labels, matcher)
    return ev


def _score_meetings(ev: Evaluation, labels: list[Label], matcher: _Matcher) -> None:
    """Pairwise precision and recall of "same meeting" over the labels matched to a record,
    and a miss for each article whose fellow reports citycoop and the label see differently."""
    meeting_of = {a: m["meeting_id"] for m in group(matcher.reports) for a in m["article_ids"]}
    gold_of, found_of = {}, {}
    for label in labels:
        record = matcher.record_for(label.doc)
        if record is None or label.doc in gold_of:
            continue
        event_group = label.data.get("event_group")
        gold_of[label.doc] = ("label", event_group) if event_group not in (None, "") else ("alone", label.doc)
        meeting = meeting_of.get(str(record.get("id")))
        found_of[label.doc] = ("meeting", meeting) if meeting else ("alone", label.doc)
    ev.meetings = score = SetScore()
    cells = Counter((gold_of[d], found_of[d]) for d in gold_of)
    pairs = lambda n: n * (n - 1) // 2  # noqa: E731
    score.tp = sum(pairs(n) for n in cells.values())
    score.fp = sum(pairs(n) for n in Counter(found_of.values()).values()) - score.tp
    score.fn = sum(pairs(n) for n in Counter(gold_of.values()).values()) - score.tp
    same_label = _members(gold_of)
    same_meeting = _members(found_of)
    for doc in gold_of:
        want = same_label[gold_of[doc]] - {doc}
        got = same_meeting[found_of[doc]] - {doc}
        if want != got:
            ev.misses.append(Miss(doc, "meetings", sorted(want), sorted(got),
                                  sorted(want - got), sorted(got - want)))


def _members(group_of: dict[str, tuple]) -> dict[tuple, set[str]]:
    out: dict[tuple, set[str]] = {}
    for doc, key in group_of.items():
        out.setdefault(key, set()).add(doc)
    return out


def _note_label_fields(ev: Evaluation, label: Label) -> None:
    for key in label.data:
        if key not in LABEL_FIELDS:
            ev.unknown_fields.setdefault(key, []).append(label.doc)
    for key in EXPECTED_FIELDS:
        if key not in label.data:
            ev.missing_fields.setdefault(key, []).append(label.doc)
    direction = label.data.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        ev.unknown_values.setdefault(f"direction {direction!r} (directions: {', '.join(DIRECTIONS)})",
                                     []).append(label.doc)


def _score_label(ev: Evaluation, label: Label, found: dict, provinces_of: dict[str, str | None]) -> None:
    g, doc = label.data, label.doc
    wanted = _label_sets(ev, label, provinces_of)
    for key in LOCALITY_FIELDS:
        if key == "vn" and g.get("direction") == "none":
            continue  # no Vietnam–China meeting: the Vietnamese side of some other meeting is not scored
        want, got = wanted[key], found[key]
        ev.sets[key].add(want.keys, got.keys)
        if want.keys != got.keys:
            ev.misses.append(Miss(doc, key, want.show(want.keys), got.show(got.keys),
                                  want.show(want.keys - got.keys), got.show(got.keys - want.keys)))
    for topic in (g.get("topics") or {}):
        if found["topic_ids"] and topic not in found["topic_ids"]:
            ev.unknown_values.setdefault(f"topic {topic!r} (not a topic of the records: never found)",
                                         []).append(doc)
    # Only the topics a label names are scored (the taxonomy has more than labellers decide on).
    want_topics = {t for t, v in (g.get("topics") or {}).items() if v}
    got_topics = found["topics"] & set(g.get("topics") or {})
    ev.sets["topics"].add(want_topics, got_topics)
    if want_topics != got_topics:
        ev.misses.append(Miss(doc, "topics", sorted(want_topics), sorted(got_topics),
                              sorted(want_topics - got_topics), sorted(got_topics - want_topics)))
    if "officials" in g:  # a label without the key does not say who was there
        want_people = {(_nfc(o["name"]), o["side"]) for o in g["officials"]}
        got_people = found["officials"]
        ev.sets["officials"].add(want_people, got_people)
        if want_people != got_people:
            ev.misses.append(Miss(doc, "officials", _people(want_people), _people(got_people),
                                  _people(want_people - got_people), _people(got_people - want_people)))
    for key in SINGLE_FIELDS:
        ok = (g.get(key) or None) == (found[key] or None)
        ev.singles[key].add(ok)
        if not ok:
            ev.misses.append(Miss(doc, key, g.get(key), found[key]))
    for key in OPTIONAL_FIELDS:
        if g.get(key):
            ok = _nfc(found[key]).strip() == _nfc(g[key]).strip()
            ev.singles[key].add(ok)
            if not ok:
                ev.misses.append(Miss(doc, key, g[key], found[key]))
    for text in g.get("must_keep") or []:
        kept = _nfc(text) in found["text"]
        ev.keep.add(kept)
        if not kept:
            ev.misses.append(Miss(doc, "must_keep", text, None, missing=[text]))
    for text in g.get("must_drop") or []:
        removed = _nfc(text) not in found["text"]
        ev.drop.add(removed)
        if not removed:
            ev.misses.append(Miss(doc, "must_drop", text, text, extra=[text]))


def _people(pairs: Iterable[tuple]) -> list[str]:
    return sorted(f"{name} ({side or '?'})" for name, side in pairs)


# ----------------------------------------------------------------------------- thresholds
def parse_minimums(specs: Iterable[str]) -> dict[str, float]:
    """``FIELD=VALUE`` pairs (``--min``) → {field: value}. ValueError names each bad one."""
    minimums, problems = {}, []
    for spec in specs:
        name, sep, value = spec.partition("=")
        name = name.strip()
        if not sep:
            problems.append(f"--min {spec}: expected FIELD=VALUE, such as vn=0.8")
        elif name not in METRICS:
            problems.append(f"--min {spec}: unknown field {name!r}; fields: {', '.join(METRICS)}")
        else:
            try:
                minimums[name] = float(value)
            except ValueError:
                problems.append(f"--min {spec}: {value!r} is not a number")
    if problems:
        raise ValueError("\n".join(problems))
    return minimums


def shortfalls(ev: Evaluation, minimums: dict[str, float]) -> list[str]:
    """Each field below its minimum, as "field figure < minimum" (a field no label scores
    counts as below: nothing was shown to reach it)."""
    metrics = ev.metrics()
    out = []
    for name, minimum in minimums.items():
        value = metrics.get(name)
        if value is None:
            out.append(f"{name} not measured (no label scores it) < {minimum:g}")
        elif value < minimum:
            out.append(f"{name} {value:.3f} < {minimum:g}")
    return out


# ----------------------------------------------------------------------------- reports
def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _names(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items) - limit} more)" if len(items) > limit else "")


def notes(ev: Evaluation) -> list[str]:
    """What could not be scored as labelled: labels without a record, unknown label fields and
    values, fields labels lack, labels that name several records."""
    out = []
    if ev.not_found:
        out.append(f"{len(ev.not_found)} label(s) name a document not in the corpus (scored as not found): "
                   + "; ".join(f"{doc} ({why})" for doc, why in ev.not_found.items()))
    for key, docs in ev.unknown_fields.items():
        out.append(f"unknown label field {key!r} in {len(docs)} label(s), not scored: {_names(docs)}")
    for value, docs in ev.unknown_values.items():
        out.append(f"unknown {value} in {len(docs)} label(s): {_names(docs)}")
    for key, docs in ev.missing_fields.items():
        out.append(f"{len(docs)} label(s) lack {key!r}, scored as empty: {_names(docs)}")
    for city, docs in ev.unknown_cities.items():
        out.append(f"labelled city {city!r} is not in the gazetteer (citycoop cannot find it, and its "
                   f"province is not added to cn_provinces: label the province too): {_names(docs)}")
    for doc, n in ev.ambiguous.items():
        out.append(f"{doc} names {n} records (several corpus folders hold that path); the first is scored")
    return out


def format_text(ev: Evaluation, show: bool = False) -> str:
    lines = [f"{ev.labels} labels; {ev.found.right} matched to a record "
             f"({ev.records} records read, {ev.unlabelled_records} without a label)", "",
             f"{'field':<14}{'precision':>10}{'recall':>8}{'F1':>7}   right / wrong / missed"]
    for key, s in ev.sets.items():
        if s.scored:
            lines.append(f"{key:<14}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>7.3f}   "
                         f"{s.tp} / {s.fp} / {s.fn}")
    lines += ["", f"{'field':<14}{'accuracy':>10}   right of labels"]
    for key, t in ev.singles.items():
        if t.total:
            lines.append(f"{key:<14}{_fmt(t.rate()):>10}   {t.right} of {t.total}")
    lines += ["", f"{'cleaning':<14}{'rate':>10}"]
    lines.append(f"{'keep':<14}{_fmt(ev.keep.rate()):>10}   must_keep text kept: {ev.keep.right} of {ev.keep.total}")
    lines.append(f"{'drop':<14}{_fmt(ev.drop.rate()):>10}   must_drop text removed: {ev.drop.right} of {ev.drop.total}")
    if ev.meetings is not None:
        m = ev.meetings
        lines += ["", f"{'meetings':<14}{'precision':>10}{'recall':>8}{'F1':>7}   pairs of articles reporting one "
                  "meeting: right / wrong / missed",
                  f"{'same meeting':<14}{m.precision:>10.3f}{m.recall:>8.3f}{m.f1:>7.3f}   {m.tp} / {m.fp} / {m.fn}"]
    remarks = notes(ev)
    if remarks:
        lines += [""] + [f"note: {r}" for r in remarks]
    if show:
        lines += ["", f"misses ({len(ev.misses)}):"]
        lines += [_show_miss(m) for m in ev.misses] or ["  none"]
    return "\n".join(lines)


def _show_miss(m: Miss) -> str:
    if m.field == "found":
        return f"  {m.doc}: no record"
    if m.field == "must_keep":
        return f"  {m.doc}: must_keep lost from the text: {m.label!r}"
    if m.field == "must_drop":
        return f"  {m.doc}: must_drop still in the text: {m.label!r}"
    if m.field == "meetings":
        line = f"  {m.doc}: meetings: reports one meeting with {_value(m.label)}, found with {_value(m.found)}"
        return line + (f"; split from {_value(m.missing)}" if m.missing else "") + (
            f"; merged with {_value(m.extra)}" if m.extra else "")
    line = f"  {m.doc}: {m.field}: label {_value(m.label)}, found {_value(m.found)}"
    if m.missing:
        line += f"; missing {_value(m.missing)}"
    if m.extra:
        line += f"; extra {_value(m.extra)}"
    return line


def _value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return "null" if value is None else repr(value) if isinstance(value, str) else str(value)


MEASURES = {**{k: "F1" for k in SET_FIELDS}, **{k: "accuracy" for k in (*SINGLE_FIELDS, *OPTIONAL_FIELDS)},
            "keep": "must_keep text kept", "drop": "must_drop text removed", "meetings": "pairwise F1"}


def format_markdown(ev: Evaluation) -> str:
    """The headline figure of each scored field as a Markdown table (the README's)."""
    counts = {**{k: f"{s.tp + s.fn} labelled, {s.tp + s.fp} found" for k, s in ev.sets.items()},
              **{k: f"{t.total} labels" for k, t in ev.singles.items()},
              "keep": f"{ev.keep.total} passages", "drop": f"{ev.drop.total} passages"}
    if ev.meetings is not None:
        m = ev.meetings
        counts["meetings"] = (f"{m.tp + m.fn} pairs labelled, {m.tp + m.fp} found "
                              f"(P {m.precision:.3f}, R {m.recall:.3f})")
    rows = ["| field | measure | figure | scored |", "| --- | --- | --- | --- |"]
    for key, value in ev.metrics().items():
        if key in MEASURES:
            rows.append(f"| {key} | {MEASURES[key]} | {value:.3f} | {counts[key]} |")
    return "\n".join(rows)


def format_json(ev: Evaluation) -> str:
    return json.dumps(ev.to_dict(), ensure_ascii=False, indent=1)
