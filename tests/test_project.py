"""Project hygiene: environment.yml and pyproject.toml name the same packages; the layout is right."""
import re
import tomllib

import yaml

from conftest import ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_and_pyproject_name_the_same_packages():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pyproject = {_name(r) for r in py["dependencies"] + py["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == pyproject
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def _range(req: str) -> str:
    """What follows the package name (and its extras): ">=2.2,<3"."""
    return re.sub(r"^[A-Za-z0-9_.-]+(\[[^\]]*\])?", "", req.strip()).strip()


def test_version_ranges_match_between_the_two_files():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    ranges = {_name(r): _range(r) for r in py["dependencies"] + py["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    for dep in env["dependencies"]:
        if isinstance(dep, str) and _name(dep) in ranges:
            assert _range(dep) == ranges[_name(dep)], dep


def test_layout_from_the_design_card():
    for path in ["notebooks", "src/citycoop", "seeds", "reports", "environment.yml", "tests",
                 "pyproject.toml", "Makefile", "README.md", ".ci/run"]:
        assert (ROOT / path).exists(), path
    seeds = sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    assert len(seeds) == 5 and (ROOT / "seeds/expected.jsonl").exists()


def test_committed_notebooks_carry_no_plotly_js():
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        size = nb.stat().st_size
        assert size < 1_500_000, f"{nb.name} is {size} bytes: plotly.js embedded?"
        assert "plotly.min.js" not in nb.read_text(encoding="utf-8")
