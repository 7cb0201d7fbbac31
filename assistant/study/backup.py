"""The study file's safety net: a checked open, a daily online backup, and putting the backup back.

A study file holds weeks of reviews. One bad page (a disk error, a copy cut short, a sync tool
that wrote half a file) must not cost them, and must never be met by a traceback:

- ``check_file`` runs before the store uses a file: a zero-byte file (SQLite would silently start
  it afresh) and a file that fails ``PRAGMA quick_check`` are a ``StudyFileDamaged`` error that
  names the file and what to do;
- ``daily_backup`` copies a file that passed the check to ``NAME.backup`` with SQLite's online
  backup (a consistent copy while others may write), at most once a day, through a temp file and a
  rename, so a damaged file never replaces a good backup and a kill never leaves half a backup;
- ``restore_backup`` (``python -m assistant.study --restore-backup``) moves the damaged file and
  its ``-wal`` / ``-shm`` aside as ``NAME.damaged-<time>`` (kept, never deleted) and puts a copy of
  the backup in its place. The ``-wal`` must go with it: SQLite would replay an old one onto the
  restored pages.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from index.errors import SlidebankError

BACKUP_EVERY_S = 24 * 3600


class StudyFileDamaged(SlidebankError):
    """The study file cannot be trusted: empty, not SQLite, or a page that fails the check."""


def backup_path(db: Path) -> Path:
    return db.with_name(db.name + ".backup")


def _what_to_do(db: Path, afresh: str = "move it away to start afresh") -> str:
    backup = backup_path(db)
    if backup.is_file() and backup.stat().st_size > 0:
        taken = datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        return (
            f"python -m assistant.study --db {db} --restore-backup puts back its backup of {taken} "
            "(the damaged file is kept beside it), or pass another --db FILE"
        )
    return f"there is no backup of it; {afresh}, or pass another --db FILE"


def damaged(db: Path, why: str) -> StudyFileDamaged:
    return StudyFileDamaged(f"the study file {db} is damaged ({why}): {_what_to_do(db)}")


def check_empty(db: Path) -> None:
    """A file that exists with zero bytes: SQLite would take it for a new database."""
    try:
        size = db.stat().st_size
    except OSError:
        return
    if size == 0 and db.is_file():
        raise StudyFileDamaged(
            f"the study file {db} is empty (0 bytes), so it holds none of your progress: "
            + _what_to_do(db, "delete it to start afresh")
        )


def check_pages(connection: sqlite3.Connection, db: Path) -> None:
    """``PRAGMA quick_check`` over every page (milliseconds for a study file); anything but ok is damage."""
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError:
        raise  # not the file's bytes (busy, unreadable): the store says what it is
    except sqlite3.DatabaseError as exc:
        raise damaged(db, str(exc)) from None
    if [tuple(r) for r in rows] != [("ok",)]:
        raise damaged(db, f"{rows[0][0]}" + (f" and {len(rows) - 1} more problems" if len(rows) > 1 else ""))


def backup_due(db: Path, every_s: float = BACKUP_EVERY_S) -> bool:
    """No backup yet, or the last one is older than ``every_s``."""
    try:
        return time.time() - backup_path(db).stat().st_mtime >= every_s
    except OSError:
        return True


def daily_backup(connection: sqlite3.Connection, db: Path, every_s: float = BACKUP_EVERY_S) -> Path | None:
    """Copy the (checked) database to ``NAME.backup`` when that is missing or older than ``every_s``.
    Returns the backup written, None when the last one is recent enough or it could not be written
    (a failed backup never stops studying; the old backup stays)."""
    if not backup_due(db, every_s):
        return None
    target = backup_path(db)
    try:
        _copy_into(connection, target)
    except (OSError, sqlite3.Error):
        return None
    return target


def _copy_into(source: sqlite3.Connection, target: Path) -> None:
    """SQLite's online backup of ``source`` into a temporary file beside ``target``, flushed to disk,
    then renamed over it: ``target`` is the old file or the whole new one, never a half-written copy."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        copy = sqlite3.connect(tmp)
        try:
            source.backup(copy)
        finally:
            copy.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def restore_backup(db: Path) -> tuple[Path, Path | None]:
    """Put ``NAME.backup`` in place of ``db``. Returns (the restored file, where the old one went)."""
    backup = backup_path(db)
    if not backup.is_file() or backup.stat().st_size == 0:
        raise SlidebankError(f"there is no backup of the study file {db} (looked for {backup})")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        check_pages(source, backup)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = db.with_name(f"{db.name}.damaged-{stamp}") if db.exists() else None
        for suffix in ("", "-wal", "-shm"):
            old = db.with_name(db.name + suffix)
            if old.exists() and kept is not None:
                os.replace(old, kept.with_name(kept.name + suffix))
        _copy_into(source, db)
    except OSError as exc:
        raise SlidebankError(f"cannot restore the study file {db} ({exc.strerror})") from None
    finally:
        source.close()
    return db, kept
