"""The ``groupgraph`` command line (:mod:`api.cli.commands`) and its report formats
(:mod:`api.cli.formats`)."""

# The console script of pyproject.toml, ``api.cli:main``.
from api.cli.commands import main

__all__ = ["main"]
