"""``python -m grundschutz``: the command line."""

from grundschutz.cli.app import run

run()
