"""``python -m api.cli``: the ``groupgraph`` command."""

from api.cli.commands import main

if __name__ == "__main__":
    main()
