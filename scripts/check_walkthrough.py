"""Run every command of docs/walkthrough.md in a scratch copy of the repository.

    python scripts/check_walkthrough.py [--catalogs FOLDER]

The copy gets the tracked files of the repository (assessments, examples,
notebooks), a ``../shared/catalogs`` that points at the official files
(``--catalogs``, else ``GRUNDSCHUTZ_TEST_CATALOGS``, else ``../shared/catalogs``
next to this repository) and its own catalog directory
(``GRUNDSCHUTZ_CATALOGS``), so that nothing outside the copy changes.
``grundschutz ...`` runs as ``python -m grundschutz ...`` with this
repository's package; ``pip install`` and ``python -m pytest`` are skipped
(the suite runs on its own); ``jupyter lab`` is started and stopped as soon as
it serves. Prints one line per command and stops at the first failure.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WALKTHROUGH = REPO / "docs" / "walkthrough.md"


def commands(text: str) -> list[str]:
    """The command lines of the ```bash blocks, in order."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line:
                found.extend(part.strip() for part in line.split("&&"))
    return found


def _copy_repository(target: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (n.decode("utf-8") for n in listed)):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _jupyter(folder: Path, env: dict[str, str]) -> tuple[int, str]:
    """Start ``jupyter lab notebooks/`` and stop it once it says where it serves."""
    extra = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    env = {**env, "JUPYTER_RUNTIME_DIR": str(folder.parent / "jupyter-runtime"),
           "JUPYTER_DATA_DIR": str(folder.parent / "jupyter-data")}
    process = subprocess.Popen(["jupyter", "lab", "notebooks/", "--no-browser", "--ServerApp.port=0",
                                "--IdentityProvider.token=walkthrough", *extra], cwd=folder, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    deadline = time.monotonic() + 120
    try:
        for line in process.stdout:
            seen.append(line)
            if "http://" in line and "/lab" in line:
                return 0, "".join(seen[-3:])
            if time.monotonic() > deadline:
                break
        return 1, "".join(seen[-20:])
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> int:
    """Run the walk-through; 0 if every command succeeded."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalogs", default=os.environ.get("GRUNDSCHUTZ_TEST_CATALOGS")
                        or str(REPO.parent / "shared" / "catalogs"))
    options = parser.parse_args()
    if not Path(options.catalogs, "sec-6_bsi-gefaehrdungen").is_dir():
        print(f"official catalog files not found in {options.catalogs}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="walkthrough-") as scratch:
        root = Path(scratch)
        folder = root / "repo"
        _copy_repository(folder)
        (root / "shared").mkdir()
        (root / "shared" / "catalogs").symlink_to(Path(options.catalogs).resolve())
        env = {**os.environ, "PYTHONPATH": str(folder), "GRUNDSCHUTZ_CATALOGS": str(root / "catalogs"),
               "GRUNDSCHUTZ_CACHE": str(root / "cache"), "COLUMNS": "100"}
        for line in commands(WALKTHROUGH.read_text(encoding="utf-8")):
            args = shlex.split(line)
            if args[:2] in (["pip", "install"], ["python", "-m"]) and "grundschutz" not in args[:3]:
                print(f"skipped  {line}")
                continue
            start = time.monotonic()
            if args[:2] == ["jupyter", "lab"]:
                code, output = _jupyter(folder, env)
            else:
                if args[0] == "grundschutz":
                    args = [sys.executable, "-m", "grundschutz", *args[1:]]
                done = subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=600)
                code, output = done.returncode, done.stdout + done.stderr
            print(f"{'ok' if code == 0 else 'FAILED':8} {line}  ({time.monotonic() - start:.1f} s, "
                  f"{len(output.splitlines())} lines)")
            if code != 0:
                print(output[-3000:], file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
