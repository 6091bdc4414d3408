"""Text as the report pages show it: web text escaped for HTML (``esc``), and a place named as
Vietnamese readers know it, its English id beside (``place_label``).

Shared by the charts (plotly renders a subset of HTML in its labels), the tables and the
report pages, so that every piece of text taken from an article is escaped by one rule.
"""
from __future__ import annotations

import html

import pandas as pd


def esc(value) -> str:
    """Web text made safe for a plotly label (plotly renders a subset of HTML)."""
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))


def place_label(name_vi, name) -> str:
    """"Trùng Khánh (Chongqing)"; the name alone when both are one."""
    return f"{name_vi} ({name})" if name_vi and name_vi != name else str(name)
