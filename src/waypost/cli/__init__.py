"""The ``waypost`` command line: a thin adapter over the core. Only this package imports typer/rich."""
