"""Which files a piece of code opens, seen through Python's audit hooks (``open`` events)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_recording: list[list[str]] = []
_installed = False


def _hook(event: str, args: tuple) -> None:
    if event == "open" and _recording and isinstance(args[0], (str, bytes, os.PathLike)):
        _recording[-1].append(os.fsdecode(args[0]))


@contextmanager
def recorded_opens() -> Iterator[list[str]]:
    """Yields the list of paths opened inside the ``with`` block (by any thread of this process).

    An audit hook cannot be removed, so one is installed once and records only while a block runs.
    """
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    opened: list[str] = []
    _recording.append(opened)
    try:
        yield opened
    finally:
        _recording.remove(opened)
