"""The documentation under docs/ stays in step with the code.

- ``docs/cli.md`` is generated from the click commands by
  ``scripts/cli_reference.py``; it must equal what the script renders now.
- The background notes the project started from are not part of the
  repository and must not be cited: no tracked file names them.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "cli_reference.py"
CLI_DOC = ROOT / "docs" / "cli.md"
#: The file name that must not appear, split so that this file does not contain it.
FORBIDDEN = "DESIGN" + ".md"


def _load_script():
    spec = importlib.util.spec_from_file_location("cli_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date():
    rendered = _load_script().render()
    current = CLI_DOC.read_text(encoding="utf-8") if CLI_DOC.is_file() else ""
    assert rendered == current, (
        "docs/cli.md ist veraltet: python scripts/cli_reference.py ausführen "
        "(mit dem Paket dieses Repositorys, z. B. PYTHONPATH=. python scripts/cli_reference.py)"
    )


def test_cli_reference_does_not_depend_on_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    narrow = _load_script().render()
    monkeypatch.setenv("COLUMNS", "250")
    assert _load_script().render() == narrow


def test_no_tracked_file_cites_the_design_notes():
    if shutil.which("git") is None:
        pytest.skip("git ist nicht installiert")
    done = subprocess.run(
        ["git", "-C", str(ROOT), "grep", "-n", "-I", "-F", FORBIDDEN],
        capture_output=True, text=True,
    )
    if done.returncode not in (0, 1):  # 1: nothing found
        pytest.skip(f"git grep nicht möglich: {done.stderr.strip()}")
    assert done.stdout == "", f"{FORBIDDEN} wird noch erwähnt (in docs/ verweisen):\n{done.stdout}"
