"""YAML for the data files (taxonomy, lexicon, boilerplate rules): libyaml's C loader when
PyYAML has it — 10× faster than the pure-Python loader, which every worker process would
otherwise pay at start-up (≈ 40 ms for the packaged files)."""
from __future__ import annotations

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str):
    return yaml.load(text, Loader=_Loader)  # noqa: S506 — a safe loader, C or Python
