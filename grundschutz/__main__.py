"""``python -m grundschutz``: the command line."""

from grundschutz.cli.app import main

main(prog_name="grundschutz")
