"""The package keeps its shape: layers import only downwards, no import cycles, the method
reads no files, no module grows past 600 lines.

The layers (``docs/method.md``, "Where things live") are checked by the import-linter
contracts in ``pyproject.toml``; a copy of the package with one upward import shows that
the check would catch it.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "grundschutz"
MAX_LINES = 600


def _lint(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter with the project's contracts on the package found under ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(REPO / 'pyproject.toml')!r}, no_cache=True))")
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_layer_contracts_are_kept():
    done = _lint(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "grundschutz", ignore=shutil.ignore_patterns("__pycache__"))
    graph = tmp_path / "grundschutz" / "method" / "graph.py"
    graph.write_text(graph.read_text(encoding="utf-8") + "\nimport grundschutz.views.render  # noqa\n",
                     encoding="utf-8")
    done = _lint(tmp_path)
    assert done.returncode != 0
    assert "grundschutz.method is not allowed to import grundschutz.views" in done.stdout


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph("grundschutz", exclude_type_checking_imports=True)
    edges = nx.DiGraph((m, i) for m in graph.modules for i in graph.find_modules_directly_imported_by(m))
    cycles = sorted(sorted(c) for c in nx.simple_cycles(edges) if len(c) > 1)
    assert cycles == []


def test_no_module_is_longer_than_600_lines():
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


#: Calls that touch the file system (other processes: the imports of subprocess are checked).
_FILE_ACCESS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "glob", "rglob", "iterdir",
                "mkdir", "unlink", "exists", "is_file", "is_dir", "stat"}


@pytest.mark.parametrize("module", sorted(p.name for p in (PACKAGE / "method").glob("*.py")))
def test_the_method_reads_and_writes_no_files(module):
    tree = ast.parse((PACKAGE / "method" / module).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names} | {node.module.split(".")[0] for node in ast.walk(tree)
                                            if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"os", "io", "shutil", "subprocess", "tempfile", "glob", "yaml", "csv", "openpyxl"}
    calls = {node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
             for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert not calls & _FILE_ACCESS
