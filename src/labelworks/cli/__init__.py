"""The ``labelworks`` command line: works on the data directory directly, no server needed."""
