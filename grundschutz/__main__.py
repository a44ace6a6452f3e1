"""``python -m grundschutz``: the command line."""

from .cli import main

main(prog_name="grundschutz")
