"""The exceptions a user meets: each is one line on the command line (``cli.main``), never a traceback."""


class UsageError(Exception):
    """A command line that cannot be run as given (exit status 2, one line)."""


class OutputInUse(RuntimeError):
    """Another run is writing the same output (``fsio.output_lock``)."""
