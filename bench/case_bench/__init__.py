"""bench/cases.py's parts: run ``bench/cases.py`` (see its docstring and bench/README.md)."""
