"""The documentation is true: the README's commands run as written and print what it shows, the
generated CLI reference is current, links resolve, and what the docs promise (partners by their
Vietnamese name, notebooks from any folder, `make lab` as root) holds."""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import unicodedata

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import accuracy_table  # noqa: E402
import cli_docs  # noqa: E402

from citycoop.report import build, views  # noqa: E402
from citycoop.cli import build_parser  # noqa: E402

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((ROOT / "docs").glob("*.md"))


def shell_blocks(markdown: str) -> list[list[tuple[str, list[str]]]]:
    """The fenced blocks' commands (lines after a `$ ` prompt), each with the output lines
    printed under it."""
    blocks = []
    for body in re.findall(r"^```[^\n]*\n(.*?)^```", markdown, flags=re.M | re.S):
        commands: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                commands.append((line[2:].split("  #")[0].strip(), []))
            elif commands:
                commands[-1][1].append(line)
        if commands:
            blocks.append(commands)
    return blocks


README_COMMANDS = [(cmd, out) for block in shell_blocks(README) for cmd, out in block]
CITYCOOP_COMMANDS = [(cmd, out) for cmd, out in README_COMMANDS
                     if cmd.startswith((".venv/bin/citycoop", "citycoop"))]
# Quick enough to run on every test run; `report` builds notebooks for a minute.
RUN = [(cmd, out) for cmd, out in CITYCOOP_COMMANDS
       if shlex.split(cmd)[1] in ("extract", "evaluate") or "--help" in cmd]


def test_readme_is_short_and_keeps_the_accuracy_table():
    words = len(README.split())
    # 1 300: the prose had 1 200; the architecture listing adds 160 words, module names mostly.
    assert words < 1300, f"README.md is {words} words: move detail to docs/"
    assert README.count(accuracy_table.START) == 1 and README.count(accuracy_table.END) == 1
    assert {"vn", "officials", "direction", "keep", "drop"} <= set(accuracy_table.table_figures(README))


def test_readme_shows_the_commands_a_newcomer_needs():
    commands = [cmd for cmd, _ in README_COMMANDS]
    assert "make report" in " ".join(commands) and "make test" in " ".join(commands)
    assert {shlex.split(c)[1] for c, _ in CITYCOOP_COMMANDS} >= {"extract", "report", "evaluate"}
    # The venv is never activated by make: a bare `citycoop` would not be found after `make setup`.
    assert all(c.startswith(".venv/bin/") for c, _ in CITYCOOP_COMMANDS), commands


@pytest.mark.parametrize("command", [c for c, _ in CITYCOOP_COMMANDS])
def test_readme_commands_use_existing_subcommands_and_flags(command):
    argv = shlex.split(command)[1:]
    parser = build_parser()
    if "--help" in argv:
        argv = [a for a in argv if a != "--help"]
    try:
        parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on an unknown subcommand or flag
        pytest.fail(f"README: `{command}` is not accepted by the parser (exit {exc.code})")


@pytest.mark.parametrize("command, shown", RUN, ids=[c for c, _ in RUN])
def test_readme_commands_run_and_print_what_the_readme_shows(command, shown, tmp_path):
    argv = [a.replace("/tmp/", f"{tmp_path}/") for a in shlex.split(command)[1:]]
    p = subprocess.run([sys.executable, "-m", "citycoop", *argv], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    printed = {line.strip() for line in (p.stdout + p.stderr).splitlines()}
    missing = [line for line in shown if line.strip() and "…" not in line and line.strip() not in printed]
    assert not missing, f"README shows lines `{command}` no longer prints: {missing}"
    for out in (a for a in argv if a.startswith(str(tmp_path))):
        assert os.path.getsize(out) > 0


def test_cli_reference_is_generated_from_the_parser():
    assert (ROOT / "docs/cli.md").read_text(encoding="utf-8") == cli_docs.render(), \
        "docs/cli.md is out of date: run python tools/cli_docs.py"


def test_cli_reference_names_every_flag():
    parser = build_parser()
    text = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    for name in cli_docs.subcommands(parser):
        assert f"## citycoop {name}\n" in text
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, subparser in sub.choices.items():
        for action in subparser._actions:
            for flag in action.option_strings:
                assert flag in text, f"citycoop {name} {flag} is missing from docs/cli.md"


@pytest.mark.parametrize("page", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_relative_links_resolve(page):
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" not in target:
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


# ----------------------------------------------------------------------------- partner names
@pytest.fixture(scope="module")
def seeds_view():
    return views.corpus_view(None, light=True)  # None: the repository's seeds/


def test_default_corpus_is_the_repositorys_seeds(seeds_view):
    assert views.default_corpus() == ROOT / "seeds"
    assert len(seeds_view.articles) == 5


@pytest.mark.parametrize("name, canonical", [
    ("Shanghai", "Shanghai"), ("Thượng Hải", "Shanghai"), ("thượng hải", "Shanghai"),
    ("THƯỢNG HẢI", "Shanghai"), ("  thượng   hải ", "Shanghai"),
    (unicodedata.normalize("NFD", "Thượng Hải"), "Shanghai"),
    ("Trùng Khánh", "Chongqing"), ("trùng khánh", "Chongqing"), ("chongqing", "Chongqing"),
    ("Quảng Châu", "Guangzhou"), ("Tân Cương", "Xinjiang"),
])
def test_partner_by_english_or_vietnamese_name(seeds_view, name, canonical):
    assert views.partner_name(seeds_view, name) == canonical
    mine = views.partner_view(seeds_view, name)
    assert set(mine.parties["partner"]) == {canonical}
    assert views.partner_label(mine, name).endswith(f"({canonical})")


def test_partner_name_in_the_other_tone_mark_style(seeds_view):
    # "Hòa" and "Hoà" are one spelling to the lookup, as to the extractor; no seed partner has an
    # oa/oe/uy syllable, so the folding is checked on the key itself.
    assert views._fold("Thuỷ Hoà") == views._fold("thủy hòa")


def test_unknown_partner_names_close_matches(seeds_view):
    with pytest.raises(ValueError, match=r"unknown partner 'Thuong Hai': did you mean Thượng Hải \(Shanghai\)"):
        views.partner_view(seeds_view, "Thuong Hai")
    with pytest.raises(ValueError, match="did you mean Shanghai"):
        views.partner_view(seeds_view, "Shangai")
    with pytest.raises(ValueError, match="partners in this corpus are Chongqing, Guangzhou, Shanghai, Xinjiang"):
        views.partner_view(seeds_view, "Atlantis")


def test_a_gazetteer_place_that_is_no_partner_here(seeds_view):
    with pytest.raises(ValueError, match=r"'Bắc Kinh' \(Beijing\) is not a partner in this corpus"):
        views.partner_view(seeds_view, "Bắc Kinh")


def test_report_pages_use_the_english_id(seeds_view):
    plan = build.plan_jobs(seeds_view, "corpus.parquet", ["Thượng Hải", "Shanghai", "Atlantis"], [], None)
    partners = [(j.name, j.parameters["partner"]) for j in plan if j.notebook == "partner_profile"]
    assert partners == [("partner_Shanghai", "Shanghai"), ("partner_Atlantis", "Atlantis")]


# ----------------------------------------------------------------------------- notebooks, make lab
@pytest.mark.slow
def test_partner_notebook_runs_from_any_folder_with_a_vietnamese_name(tmp_path):
    out = tmp_path / "out.ipynb"
    p = subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "notebooks/partner_profile.ipynb"),
                        str(out), "-p", "partner", "thượng hải", "-k", "python3", "--no-progress-bar",
                        "--cwd", str(tmp_path)],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join(
                           [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])})
    assert p.returncode == 0, p.stderr[-2000:]
    assert "Partner profile: Thượng Hải (Shanghai)" in out.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_lab_allows_root_only_as_root():
    p = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True)
    lab = [line for line in p.stdout.splitlines() if "jupyter lab" in line]
    assert lab and ("--allow-root" in lab[0]) == (os.geteuid() == 0), p.stdout
