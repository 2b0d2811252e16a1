"""``python -m labelworks.cli``: the same as the ``labelworks`` command."""

from .main import main

main()
