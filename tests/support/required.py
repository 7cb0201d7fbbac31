"""What some tests need from the machine (the real deck, a browser, a mount namespace, a model):
missing, they skip with a reason on a user's machine and fail under ``CI``."""

from __future__ import annotations

import os

import pytest

from tests.support.paths import OTHER_COURSE, REAL_BANK, REAL_DECK, WEEKS


def require_real_deck() -> None:
    """Tests on the real deck fail under CI when it is missing, and skip on a user's machine."""
    if REAL_DECK.is_file() and WEEKS.is_dir():
        return
    require(f"the real lecture deck is not at {REAL_DECK}")


def require_other_course() -> None:
    """The second real course (LaTeX Beamer, no bank of its own), under the same rule as the real deck."""
    if OTHER_COURSE.is_dir() and any(OTHER_COURSE.glob("*.pdf")) and REAL_BANK.is_file():
        return
    require(f"the second course's slides are not at {OTHER_COURSE} (or the bank at {REAL_BANK})")


def require(message: str) -> None:
    """Something a test needs is missing: fail under ``CI``, skip with ``message`` elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message + " (required under CI)")
    pytest.skip(message)
