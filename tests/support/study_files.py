"""Study files as a user's disk leaves them: with progress in them, then with a damaged page."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from assistant.bank.parse import load_bank
from assistant.study.schedule import Study
from assistant.study.session import StudySession
from assistant.study.store import open_store

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def studied(db: Path, bank: Path, grades: int = 3) -> list[str]:
    """A study file with ``grades`` reviews in it (closed, its WAL folded in). Returns the graded ids."""
    store = open_store(db)
    session = StudySession(load_bank(bank), store, clock=lambda: T0, study=Study(fuzz=False))
    graded = [card.qid for card in session.cards[:grades]]
    for qid in graded:
        session.grade(qid, "good")
    store.close()
    return graded


def next_day(db: Path) -> None:
    """Open the study file as the next day's first session does: its backup is a day old, so the
    open takes a fresh one with everything studied so far."""
    from assistant.study.backup import BACKUP_EVERY_S, backup_path

    day_old = time.time() - BACKUP_EVERY_S - 60
    os.utime(backup_path(db), (day_old, day_old))
    open_store(db).close()


def damage_page(db: Path, table: str = "cards") -> int:
    """Overwrite the root page of ``table`` with bytes that are no b-tree page, the way a bad sector
    or a half-synced copy leaves it. Returns the page number."""
    with sqlite3.connect(db) as check:
        page_size = check.execute("PRAGMA page_size").fetchone()[0]
        (page,) = check.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    check.close()
    with open(db, "r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(bytes((i * 37 + 11) % 251 for i in range(page_size)))
    return page
