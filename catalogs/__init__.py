"""The toolkit's own rule data (installed as ``grundschutz.rules``).

Data files only: modelling rules, scenario definitions, the list of official
BSI source files. Read them with :func:`grundschutz.resources.rules_file`.
"""
