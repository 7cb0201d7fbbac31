"""Errors a user can act on. Each message is one line that says what to do next."""


class SlidebankError(Exception):
    """Base class: the CLI prints ``str(error)`` on one line and exits non-zero, never a traceback."""


class IndexMissing(SlidebankError):
    """No index at the given place."""


class IndexInvalid(SlidebankError):
    """An index exists but cannot be used: other format or model, or damaged files."""


class InputError(SlidebankError):
    """Bad user input: a file, a query or an option."""


class PasswordRequired(InputError):
    """An encrypted PDF needs a (different) password; an interactive ingest may ask for one."""
