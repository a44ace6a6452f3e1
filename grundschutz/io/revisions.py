"""Assessment folders as they were in a git revision: the annual review compares them.

A side of a comparison is written as

- ``assessments/haan`` - a folder;
- ``HEAD~1:assessments/haan`` - the folder as it was in that revision;
- ``HEAD~1`` - that revision of the folder given on the other side.

:func:`resolve_folder` exports the files of a revision into a folder of the
caller's (a temporary one) and says how to label it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from grundschutz.io.files import write_error
from grundschutz.model.errors import GrundschutzError


def resolve_folder(spec: str, other: str, target: Path) -> tuple[Path, str]:
    """The folder for ``spec`` (exported from git into ``target`` if needed) and its label.

    ``spec`` is a folder, ``REV:folder``, or a bare revision of the folder
    ``other`` (the other side of a comparison). Raises
    :class:`GrundschutzError` if it is neither a folder nor a git revision,
    the folder is not under git, or the revision is unknown.
    """
    path = Path(spec)
    if path.is_dir():
        return path, spec
    outside = ""  # the error if the folder is not under git
    if ":" in spec:
        revision, _, folder = spec.partition(":")
    elif Path(other).is_dir() and ":" not in other:
        revision, folder = spec, other
        # a missing folder or a revision of a folder outside git: the message names this side
        outside = (f"'{spec}' ist weder ein Bewertungsordner noch eine Git-Revision "
                   f"({other} liegt nicht in einem Git-Repository)")
    else:
        raise GrundschutzError(
            f"'{spec}' ist weder ein Bewertungsordner noch eine Git-Revision eines Ordners "
            "(Formen: ORDNER, REVISION:ORDNER, oder REVISION zusammen mit einem ORDNER auf der anderen Seite)"
        )
    if not revision:
        raise GrundschutzError(f"'{spec}': Git-Revision fehlt vor ':'")
    folder_path = Path(folder or ".").absolute()
    anchor = next((p for p in (folder_path, *folder_path.parents) if p.is_dir()), Path.cwd())
    root = Path(_git(anchor, "rev-parse", "--show-toplevel",
                     error=outside or f"{anchor} liegt nicht in einem Git-Repository").strip())
    try:
        relative = folder_path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise GrundschutzError(f"{folder} liegt nicht im Git-Repository {root}") from None
    unknown = (f"Git-Revision '{revision}' ist unbekannt (in {root})" if ":" in spec else
               f"'{spec}' ist weder ein Bewertungsordner noch eine bekannte Git-Revision (in {root})")
    _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", error=unknown)
    prefix = "" if relative == "." else relative + "/"
    listing = _git(root, "ls-tree", "-r", "--name-only", "-z", revision, "--", prefix or ".")
    files = [f for f in listing.split("\0") if f]
    if not files:
        raise GrundschutzError(f"Ordner '{relative}' gibt es in Revision '{revision}' nicht")
    for name in files:
        data = subprocess.run(["git", "-C", str(root), "show", f"{revision}:{name}"], capture_output=True,
                              check=True).stdout
        destination = target / name[len(prefix):]
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        except OSError as exc:  # a full disk under the temporary folder
            raise write_error(destination, exc) from None
    return target, f"{revision}:{relative}"


def _git(directory: Path, *args: str, error: str = "") -> str:
    if shutil.which("git") is None:
        raise GrundschutzError("git ist nicht installiert; Vergleiche mit Git-Revisionen brauchen git")
    done = subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise GrundschutzError(error or f"git {' '.join(args)}: {detail[-1] if detail else done.returncode}")
    return done.stdout
