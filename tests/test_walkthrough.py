"""docs/walkthrough.md: every command of the officer's year is one the command line accepts.

Running them all takes minutes (``python scripts/check_walkthrough.py`` does,
in a scratch copy); here each ``grundschutz`` line is parsed by click as the
shell would pass it, and the files it names in the repository exist.
"""

from __future__ import annotations

import importlib.util
import shlex
from pathlib import Path

import click
import pytest

from grundschutz.cli import main

REPO = Path(__file__).resolve().parents[1]
TEXT = (REPO / "docs" / "walkthrough.md").read_text(encoding="utf-8")


def _script():
    spec = importlib.util.spec_from_file_location("check_walkthrough", REPO / "scripts" / "check_walkthrough.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMMANDS = [line for line in _script().commands(TEXT) if line.startswith("grundschutz ")]


def test_the_walkthrough_covers_the_year():
    names = [shlex.split(line)[1] for line in COMMANDS]
    for step in ("init", "validate", "assess", "catalog", "model", "check", "risk", "plan", "scenario", "export",
                 "import", "report", "plot", "migrate", "oscal", "portfolio"):
        assert step in names, step
    assert "jupyter lab notebooks/" in _script().commands(TEXT)
    assert "pip install -e '.[jupyter]'" in _script().commands(TEXT)


@pytest.mark.parametrize("line", COMMANDS)
def test_every_command_is_accepted(line, monkeypatch, small_catalog):
    """Parsed from the repository's root, as the walk-through runs; ``../shared/catalogs`` (the official
    files, absent on a fresh clone) stands for a catalog folder: the small catalog takes its place."""
    monkeypatch.chdir(REPO)
    args = [str(small_catalog) if word == "../shared/catalogs" and not Path(word).is_dir() else word
            for word in shlex.split(line)[1:]]
    command, path = main, ["grundschutz"]
    while isinstance(command, click.Group):
        name, args = args[0], args[1:]
        command, path = command.get_command(click.Context(command), name), [*path, name]
        assert command is not None, line
    with click.Context(main, info_name="grundschutz") as parent:
        command.make_context(" ".join(path), list(args), parent=parent)  # click's parsing and checks
    for word in args:
        if word.startswith(("assessments/haan", "examples/", "notebooks/")):
            assert (REPO / word).exists(), word
