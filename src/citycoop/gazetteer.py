"""Gazetteers of Chinese and Vietnamese localities, and one compiled matcher for all their names.

The data are CSV files in ``citycoop/data`` (``cn_localities.csv``, ``vn_localities.csv``,
``vn_homonyms.csv``) that analysts can edit. ``Gazetteer.find`` returns every place-name
occurrence in a text with one regular-expression pass (an alternation of all names, longest
first), so the cost does not grow with the number of names the way a loop over names would.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import yamlfile
from .matching import TermMatcher
from .normalize import normalize_text
from .normalize import normalize_text as _normalize_text

ALIAS_SEP = "|"


@dataclass(frozen=True)
class Locality:
    country: str  # "cn" or "vn"
    name: str  # canonical English name, the id
    name_vi: str
    level: str  # cn: province|municipality|autonomous_region|sar|city|county; vn: province|city
    province: str  # provincial-level unit (its own name for a provincial-level unit)
    lat: float | None
    lon: float | None
    name_zh: str | None = None
    period: str | None = None  # vn: both|pre2025|post2025
    merged_into: str | None = None  # vn: the post-2025 unit
    prefecture: str | None = None  # cn county: its prefecture-level city (municipality for a district)
    # cn: a generated name (not curated) counts as Chinese only with Chinese evidence in the text
    needs_evidence: bool = False

    @property
    def is_provincial(self) -> bool:
        return self.level in {"province", "municipality", "autonomous_region", "sar"} or (
            self.country == "vn"
        )

    def as_partner(self) -> dict:
        out = {"name": self.name, "name_vi": self.name_vi, "province": self.province,
               "level": self.level, "lat": self.lat, "lon": self.lon}
        if self.prefecture:  # a county: the city it belongs to (not itself a party)
            out["prefecture"] = self.prefecture
        return out

    def as_vn(self) -> dict:
        return {"name": self.name, "name_vi": self.name_vi, "level": self.level,
                "province_2025": self.merged_into or self.name, "lat": self.lat, "lon": self.lon}


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    candidates: tuple[Locality, ...]  # every locality this surface form may mean
    vn_homonym: str | None  # kind of Vietnamese sub-provincial place of the same name, if any
    # the Vietnamese province a district of this name stands for (None: no district, or
    # districts of this name in several provinces)
    vn_district: Locality | None = None
    # Functions of the name (``reading``), stored: the extractor asks for them several times
    # a mention, and Gazetteer.find works them out once a name.
    ambiguous: bool = field(kw_only=True)
    needs_evidence: bool = field(kw_only=True)

    @staticmethod
    def reading(candidates: tuple[Locality, ...], vn_homonym: str | None) -> tuple[bool, bool]:
        """``(ambiguous, needs_evidence)`` of a name: whether it may name places of both
        countries; whether its Chinese readings are all generated, none curated (then it is
        Chinese only on evidence in the text)."""
        cn = [c for c in candidates if c.country == "cn"]
        needs_evidence = bool(cn) and all(c.needs_evidence for c in cn)
        countries = {c.country for c in candidates}
        ambiguous = len(countries) > 1 or (vn_homonym is not None and "cn" in countries) or needs_evidence
        return ambiguous, needs_evidence


def _memo(fn):
    cache: dict = {}

    def call(x):
        try:
            return cache[x]
        except KeyError:
            cache[x] = out = fn(x)
            return out
    return call


def _float(value: str) -> float | None:
    return float(value) if value not in ("", None) else None


def _read_csv(text: str) -> list[dict]:
    rows = csv.reader(text.splitlines())  # csv.DictReader is ~2x slower on the 3 000 rows
    header = next(rows, [])
    return [dict(zip(header, r)) for r in rows if r]


def _aliases(field: str | None) -> list[str]:
    return [a.strip() for a in (field or "").split(ALIAS_SEP) if a.strip()]


class Gazetteer:
    """All localities plus the compiled name matcher."""

    def __init__(self, cn_rows: list[dict], vn_rows: list[dict], homonym_rows: list[dict],
                 prefixes: list[str], not_places: list[str], district_rows: list[dict] = (),
                 normalized: bool = False):
        """``normalized``: the rows' text has been through ``normalize_text`` already (as
        ``load_gazetteer`` does to whole files: one pass instead of one per name)."""
        self.localities: list[Locality] = []
        surfaces: dict[str, list[Locality]] = {}
        paired: set[tuple[str, int]] = set()  # (surface, id(locality)): no dataclass __eq__
        # names repeat (name_vi, aliases, namesakes)
        normalize_text = str if normalized else _memo(_normalize_text)
        prefix_re = re.compile(
            r"^(?:%s)\s+" % "|".join(re.escape(normalize_text(p)) for p in
                                     sorted(prefixes, key=len, reverse=True)))

        prefix_heads = {normalize_text(p).split(" ", 1)[0] for p in prefixes}
        self._prefix_re = prefix_re  # ``named`` reads a name written with its prefix ("TP Quảng Châu")

        def add(loc: Locality, names: list[str]) -> None:
            self.localities.append(loc)
            for raw in names:
                form = normalize_text(raw).strip()
                # Only the core name is matched: the prefix ("TP", "tỉnh", "Khu tự trị")
                # stays in the left context, where the extractor reads it.
                core = (prefix_re.sub("", form).strip() or form) if " " in form and (
                    form.split(" ", 1)[0] in prefix_heads) else form
                # A generated name of one syllable ("Đan", "An") is a common word: never matched.
                if loc.needs_evidence and " " not in core:
                    continue
                if len(core) >= 2 and (core, id(loc)) not in paired:
                    paired.add((core, id(loc)))
                    surfaces.setdefault(core, []).append(loc)

        for r in cn_rows:
            loc = Locality("cn", r["name"], normalize_text(r["name_vi"]), r["level"],
                           r["province"], _float(r["lat"]), _float(r["lon"]),
                           name_zh=r.get("name_zh") or None, prefecture=r.get("prefecture") or None,
                           needs_evidence=r.get("evidence") == "required")
            names = [r["name_vi"], *_aliases(r.get("aliases_vi"))]
            if not loc.needs_evidence:  # pinyin in Vietnamese text: only the curated rows'
                names.append(r["name"].split(" (")[0])  # "Pingxiang (Jiangxi)" → "Pingxiang"
            add(loc, names)
        for r in vn_rows:
            loc = Locality("vn", r["name"], normalize_text(r["name_vi"]), r["level"], r["name"],
                           _float(r["lat"]), _float(r["lon"]), period=r.get("period") or None,
                           merged_into=r.get("merged_into") or None)
            add(loc, [r["name_vi"], *_aliases(r.get("aliases_vi")), r["name"]])

        self.by_name = {(loc.country, loc.name): loc for loc in self.localities}
        # Vietnamese places below province level that share a Chinese locality's name.
        self.homonyms = {normalize_text(r["name_vi"]): r["kind"] for r in homonym_rows
                         if r.get("kind") != "province"}
        # Vietnamese districts (before 2025): homonyms too, and each stands for its province.
        self.districts: dict[str, Locality | None] = {}
        self.district_prefix_only: set[str] = set()  # count only after huyện/quận/thị xã/thành phố
        vn_by_name = {loc.name: loc for loc in self.localities if loc.country == "vn"}
        for r in district_rows:
            form = normalize_text(r["name_vi"])
            if form in surfaces and any(c.country == "vn" for c in surfaces[form]):
                continue  # a province's name: the province reading wins
            self.homonyms.setdefault(form, r["kind"])
            province = None if r.get("ambiguous") == "yes" else vn_by_name.get(r["province"])
            if r.get("ambiguous") == "prefix":  # communes elsewhere share the name
                self.district_prefix_only.add(form)
            self.districts[form] = province if form not in self.districts else None
        rank = {"province": 0, "municipality": 0, "autonomous_region": 0, "sar": 0, "city": 1}
        # Curated before generated, then higher levels first: candidates[0] is the default reading.
        self._surfaces = {k: tuple(sorted(v, key=lambda c: (c.needs_evidence, rank.get(c.level, 2)))
                                   if len(v) > 1 else v) for k, v in surfaces.items()}
        blocked = [normalize_text(p) for p in not_places]
        forms = sorted({*self._surfaces, *self.homonyms, *blocked}, key=len, reverse=True)
        self._blocked = set(blocked)
        # Place names are proper nouns: match case-sensitively ("Hòa Bình" the province,
        # "hòa bình" peace), on syllable boundaries, longest name first.
        self._matcher = TermMatcher(forms)
        self._readings: dict[str, tuple | None] = {}  # Gazetteer.find's, by name, as met
        self._folded: dict[str, list[Locality]] | None = None  # ``named``'s index, made when first asked

    def find(self, text: str) -> list[Mention]:
        out = []
        readings = self._readings
        for start, end in self._matcher.finditer(text):
            surface = text[start:end]
            reading = readings.get(surface, False)
            if reading is False:
                reading = readings[surface] = self._reading(surface)
            if reading is not None:
                out.append(Mention(start, end, surface, *reading[:3], ambiguous=reading[3],
                                   needs_evidence=reading[4]))
        return out

    def _reading(self, surface: str) -> tuple | None:
        """What a matched name is: its candidates, Vietnamese homonym kind, district and
        ``Mention.reading``; None when it names no place."""
        if surface in self._blocked:
            return None
        cands = self._surfaces.get(surface, ())
        homonym = self.homonyms.get(surface)
        district = self.districts.get(surface)
        if not cands and district is None:
            return None  # a homonym that is only a Vietnamese commune: not a gazetteer place
        return (cands, homonym, district, *Mention.reading(cands, homonym))

    def get(self, country: str, name: str) -> Locality | None:
        return self.by_name.get((country, name))

    def named(self, country: str, name: str) -> list[Locality]:
        """The localities of ``country`` that ``name`` names, as a person would write it: the id
        ("Guangzhou", "Taizhou (Zhejiang)"), the Vietnamese name or an alias, with or without a
        prefix ("TP Quảng Châu"), in any case and either tone-mark style. Several when the name is
        ambiguous ("Triều Dương": three Chaoyang), none when it names no place of ``country``."""
        if self._folded is None:
            self._folded = {}
            for loc in self.localities:
                for form in (loc.name, loc.name.split(" (")[0], loc.name_vi):
                    self._add_folded(form, loc)
            for surface, candidates in self._surfaces.items():
                for loc in candidates:
                    self._add_folded(surface, loc)
        form = _normalize_text(name).strip()
        found = self._folded.get(_fold(form)) or self._folded.get(_fold(self._prefix_re.sub("", form)), [])
        exact = [loc for loc in found if loc.country == country and _fold(loc.name) == _fold(form)]
        return exact or [loc for loc in found if loc.country == country]

    def _add_folded(self, form: str, loc: Locality) -> None:
        entry = self._folded.setdefault(_fold(form), [])
        if all(other is not loc for other in entry):
            entry.append(loc)

    def table(self, country: str | None = None):
        """The gazetteer as a pandas DataFrame (for notebooks and checks)."""
        import pandas as pd

        rows = [loc.__dict__ for loc in self.localities if country in (None, loc.country)]
        return pd.DataFrame(rows)


def _fold(name: str) -> str:
    """A name as ``Gazetteer.named`` compares it: case and spacing folded (already normalized)."""
    return " ".join(name.casefold().split())


def _data_text(name: str) -> str:
    return resources.files("citycoop.data").joinpath(name).read_text(encoding="utf-8")


def load_lexicon() -> dict:
    return _lexicon()


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    return yamlfile.safe_load(_data_text("lexicon.yml"))


def load_gazetteer(cn_csv: str | Path | None = None, vn_csv: str | Path | None = None) -> Gazetteer:
    """The packaged gazetteer, or one built from the CSV files given."""
    if cn_csv is None and vn_csv is None:
        return _default_gazetteer()
    return _build(
        Path(cn_csv).read_text(encoding="utf-8") if cn_csv else _data_text("cn_localities.csv"),
        Path(vn_csv).read_text(encoding="utf-8") if vn_csv else _data_text("vn_localities.csv"),
    )


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    return _build(_data_text("cn_localities.csv"), _data_text("vn_localities.csv"))


def _build(cn_text: str, vn_text: str) -> Gazetteer:
    lex = _lexicon()
    nt = _normalize_text
    return Gazetteer(_read_csv(nt(cn_text)), _read_csv(nt(vn_text)),
                     _read_csv(nt(_data_text("vn_homonyms.csv"))),
                     [nt(p) for p in lex["place_prefixes"]], [nt(p) for p in lex.get("not_places", [])],
                     _read_csv(nt(_data_text("vn_districts.csv"))), normalized=True)


def data_version() -> str:
    """Hash of the packaged data files: a change to any of them invalidates cached records."""
    import hashlib

    h = hashlib.sha1()
    for name in ("cn_localities.csv", "vn_localities.csv", "vn_homonyms.csv", "vn_districts.csv",
                 "lexicon.yml"):
        h.update(_data_text(name).encode())
    return h.hexdigest()[:10]
