"""The rule for tests on the real lecture deck: skip on a user's machine, fail under CI."""

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
