"""Reaching into an index on disk, for tests that damage or hand-edit it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from index.store import current_generation


def gen(index: Path) -> Path:
    """The index's live generation folder."""
    path = current_generation(index)
    assert path is not None
    return path


def edit_manifest(index: Path, change: Callable[[dict], object]) -> None:
    """Rewrite the live generation's manifest after ``change(data)`` edits it in place."""
    path = gen(index) / "manifest.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
