"""Run inside a report kernel that ``citycoop.kernels`` keeps for page after page: what a new
kernel would hold, saved before its first notebook and put back before each later one.
Standard library only: it is imported into the kernel before anything else."""
from __future__ import annotations

import os
import sys
import warnings

_saved: dict = {}


# jsonschema, which nbformat validates with (plotly.io imports nbformat), imports rfc3987_syntax
# when it is installed (jupyter's "format-nongpl" extra), only to check the "iri" format no
# notebook schema uses; importing it builds a grammar, 2 s of every process that loads nbformat
# (python-jsonschema/jsonschema#1428). Marked absent, jsonschema leaves that one check out.
SLOW_UNUSED = ("rfc3987_syntax",)


def skip_slow_unused_imports() -> None:
    """For the processes ``citycoop report`` starts and its own: effective only before
    jsonschema is imported."""
    for name in SLOW_UNUSED:
        sys.modules.setdefault(name, None)


def save() -> None:
    """Before the kernel's first notebook."""
    skip_slow_unused_imports()
    _saved.update(path=list(sys.path), environ=dict(os.environ), filters=list(warnings.filters))


def restore() -> None:
    """Before each later notebook, after IPython's ``reset`` emptied the namespace: ``sys.path``,
    the environment and the warning filters as at start-up (a warning a page showed is shown
    again: a new filter version empties the "default" and "once" registries) and the memory the
    last page freed handed back to the system. Imported modules and their settings stay (and are
    frozen for the garbage collector): each page's notebook sets what it relies on
    (``report.views.setup_notebook``)."""
    if _saved:
        sys.path[:] = _saved["path"]
        if dict(os.environ) != _saved["environ"]:
            os.environ.clear()
            os.environ.update(_saved["environ"])
        warnings.filters[:] = _saved["filters"]
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()
    # What is left once IPython's reset has emptied the namespace and collected the garbage is
    # the modules and their caches, kept from page to page: frozen, the collector no longer
    # walks them. Each collection a page runs (``report.views.corpus_view`` hands freed memory
    # back after reading) had walked every object of pandas, pyarrow and plotly, 0.14 s a time,
    # nine-tenths of reading the seeds' view.
    import gc

    gc.freeze()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
