"""``python -m api.cli``: the ``groupgraph`` command."""

from api.cli.commands import main

main()
