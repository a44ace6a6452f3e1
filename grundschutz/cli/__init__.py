"""The ``grundschutz`` command line (see :mod:`grundschutz.cli.app`)."""

from grundschutz.cli.app import main, run

__all__ = ["main", "run"]
