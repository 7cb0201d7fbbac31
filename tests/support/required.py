"""What some tests need from the machine (the real deck, a browser, a mount namespace, a model):
missing, they skip with a reason on a user's machine and fail under ``CI``."""

from __future__ import annotations

import os

import pytest

from tests.support.paths import REAL_DECK, WEEKS


def require_real_deck() -> None:
    """Tests on the real deck fail under CI when it is missing, and skip on a user's machine."""
    if REAL_DECK.is_file() and WEEKS.is_dir():
        return
    require(f"the real lecture deck is not at {REAL_DECK}")


def require(message: str) -> None:
    """Something a test needs is missing: fail under ``CI``, skip with ``message`` elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message + " (required under CI)")
    pytest.skip(message)
