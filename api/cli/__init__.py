"""The ``groupgraph`` command line (:mod:`api.cli.commands`) and its report formats
(:mod:`api.cli.formats`)."""

from api.cli.commands import app, main

__all__ = ["app", "main"]
