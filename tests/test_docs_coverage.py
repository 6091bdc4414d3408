"""The docs cover the code: every command-line option is explained in the README or a docs page
(not only in the reference generated from --help), and the README's architecture section
lists every module of src/citycoop and only modules that exist."""
import argparse
import re

import pytest

from citycoop.cli import build_parser
from conftest import ROOT

PACKAGE = ROOT / "src" / "citycoop"
README = (ROOT / "README.md").read_text(encoding="utf-8")
# docs/cli.md is generated from --help (tests/test_docs.py keeps it current): a flag found only
# there is one nobody has explained.
EXPLAINED = "\n".join([README] + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))
                                  if p.name != "cli.md"])
ARCHITECTURE_START, ARCHITECTURE_END = "<!-- architecture:start -->", "<!-- architecture:end -->"

def _options() -> list[tuple[str, str]]:
    """(command, flag) for every option string of `citycoop` and of each subcommand, --help aside."""
    parser = build_parser()
    commands = [("citycoop", parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            commands += [(f"citycoop {name}", sub) for name, sub in action.choices.items()]
    return [(command, flag) for command, p in commands for action in p._actions
            if not isinstance(action, argparse._HelpAction) for flag in action.option_strings]


@pytest.mark.parametrize("command, flag", _options(), ids=lambda x: x)
def test_every_option_is_explained_outside_the_generated_reference(command, flag):
    assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", EXPLAINED), (
        f"`{command} {flag}` is in no page but the generated docs/cli.md: say what it does in "
        "README.md or in the docs page where it belongs")


def _listed() -> set[str]:
    """The modules (``dataset.py``, ``extract/dates.py``) and data folders (``data/``) that the
    README's architecture section names, relative to src/citycoop."""
    assert README.count(ARCHITECTURE_START) == 1 and README.count(ARCHITECTURE_END) == 1
    section = README.split(ARCHITECTURE_START)[1].split(ARCHITECTURE_END)[0]
    return set(re.findall(r"(?<![\w/])((?:\w+/)*\w+\.py|\w+/)(?![\w/])", section))


def _modules() -> set[str]:
    """Every module of the package as the listing names it, and each package without modules of
    its own (``data/``) as its folder."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        name = path.relative_to(PACKAGE).as_posix()
        if path.name != "__init__.py":
            found.add(name)
        elif path.parent != PACKAGE and not [p for p in path.parent.glob("*.py") if p.name != "__init__.py"]:
            found.add(f"{path.parent.relative_to(PACKAGE).as_posix()}/")
    return found


def test_the_readme_architecture_lists_every_module_and_only_modules_that_exist():
    listed, modules = _listed(), _modules()
    assert {"cli.py", "report/views.py", "data/"} <= modules  # the walk finds what is there
    unlisted = sorted(modules - listed)
    assert not unlisted, f"modules missing from the README's architecture section: {unlisted}"
    ghosts = sorted(listed - modules)
    assert not ghosts, f"the README's architecture section names modules that do not exist: {ghosts}"
