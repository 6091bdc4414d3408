"""The notebooks are thin, their cells are what tools/build_notebooks.py writes, and their
committed outputs are a real regression check."""
import ast
import os
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_four_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["corpus_overview", "partner_profile", "review", "topic_explorer"]


def _cells(nb) -> list[tuple[str, str, list[str]]]:
    """What a notebook is made of, outputs and run metadata aside: each cell's type, source and
    tags (the ``parameters`` tag is what papermill injects after)."""
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def test_the_committed_notebooks_are_what_their_generator_writes():
    """The notebooks are generated: a cell edited in the .ipynb (or a generator changed and
    not re-run) would be lost, or never committed, at the next `make notebooks`."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_notebooks
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert sorted(build_notebooks.NOTEBOOKS) == [p.stem for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        committed = nbformat.read(path, as_version=4)
        generated = build_notebooks.NOTEBOOKS[path.stem]
        assert _cells(committed) == _cells(generated), (
            f"{path.name} differs from what tools/build_notebooks.py writes: edit the generator, "
            "then `make notebooks`")
        assert committed.metadata["kernelspec"] == generated.metadata["kernelspec"], path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_thin_parameterized_and_committed_with_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for cell in code:
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) for n in ast.walk(tree)), \
            "no function definitions in notebooks: put them in the library"
    assert any(c.cell_type == "markdown" for c in nb.cells)
    shown = [o for c in code for o in c.get("outputs", []) if "application/vnd.plotly.v1+json" in o.get("data", {})
             or "<table" in o.get("data", {}).get("text/html", "")]  # (the review page has tables only)
    assert shown, "committed without outputs: run `make notebooks`"
    for c in code:
        for o in c.get("outputs", []):
            assert o.get("output_type") != "error", c.source


@pytest.mark.slow
def test_a_changed_number_in_a_table_fails_nbval(tmp_path):
    (tmp_path / "notebooks").mkdir()
    os.symlink(ROOT / "seeds", tmp_path / "seeds")
    nb = nbformat.read(ROOT / "notebooks/corpus_overview.ipynb", as_version=4)
    changed = False
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            html = o.get("data", {}).get("text/html", "")
            if not changed and "rejected inputs" in html:
                o["data"]["text/html"] = html.replace("<td>0</td>", "<td>7</td>", 1)
                changed = o["data"]["text/html"] != html
    assert changed
    target = tmp_path / "notebooks/corpus_overview.ipynb"
    nbformat.write(nb, target)
    p = subprocess.run([sys.executable, "-m", "pytest", str(target), "--nbval", "-q", "-p", "no:cacheprovider",
                        "--nbval-sanitize-with", str(ROOT / "tests/nbval_sanitize.cfg")],
                       cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 1 and "1 failed" in p.stdout, p.stdout[-2000:]
