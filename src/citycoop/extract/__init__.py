"""Extract per-article fields from a cleaned ``Article``: who met whom, when, about what.

``Extractor(...).extract(article)`` is a pure function of the article (plus the gazetteer,
lexicon and taxonomy it was built with) and returns the JSON-ready record. The names below are
imported on first use, so that importing a submodule (``extract.version``) stays cheap.
"""
from __future__ import annotations

from .version import EXTRACTOR_VERSION

__all__ = ["Extractor", "EXTRACTOR_VERSION", "load_taxonomy", "Taxonomy"]


def __getattr__(name: str):
    if name == "Extractor":
        from .extractor import Extractor

        return Extractor
    if name in ("load_taxonomy", "Taxonomy"):
        from . import topics

        return getattr(topics, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
