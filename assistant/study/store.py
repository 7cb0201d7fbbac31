"""Study state in SQLite (WAL), keyed by the bank question's id.

Each grade is one ``BEGIN IMMEDIATE`` transaction that writes the review and the card's new
state together, with ``synchronous=FULL``: a crash or a kill loses at most the grade being
written, never the file nor an earlier grade. Reviews are kept as a log beside the cards, so a
card's history can be read back and survives the card being orphaned.

A grade may carry a key (one per card shown): a grade whose key is already in the log is not
recorded again, so a retry after an error, or a second click, never counts twice. One ``Store``
may be used from many threads (the app's event handlers): every use of its connection holds a
lock, so two transactions never interleave on it. The file is checked when opened and backed up
once a day (``assistant.study.backup``); damage found later is the same one-line error.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from assistant.study import backup
from assistant.study.cards import Known, StudyCard, match_edits
from assistant.study.schedule import Grade, Memory, Study, memory_from_json
from index.errors import InputError, SlidebankError
from index.paths import default_data_dir

SCHEMA_VERSION = "2"  # 2: reviews.key, the grade's idempotency key (a file of format 1 is upgraded in place)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cards (
    qid TEXT PRIMARY KEY,
    origin TEXT NOT NULL,          -- the id the card was first stored under (Anki GUIDs survive edits)
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    orphaned INTEGER NOT NULL DEFAULT 0,
    fsrs TEXT,                     -- fsrs card JSON; NULL while the card was never reviewed
    due TEXT,                      -- ISO UTC, copied out of fsrs for queries
    last_review TEXT
);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    qid TEXT NOT NULL,
    grade TEXT NOT NULL,
    at TEXT NOT NULL,
    fsrs_after TEXT NOT NULL,
    key TEXT                       -- NULL, or unique: the grade is recorded once whatever retries it
);
CREATE INDEX IF NOT EXISTS reviews_qid ON reviews (qid);
"""
KEYED = "CREATE UNIQUE INDEX IF NOT EXISTS reviews_key ON reviews (key)"


class StudyStore(Protocol):
    """What a study session needs of its store: the SQLite file here, or a student's rows in the shared
    store (assistant/study/pg_store.py)."""

    def sync(self, cards: Sequence[StudyCard]) -> SyncReport: ...
    def memories(self) -> dict[str, Memory]: ...
    def origins(self) -> dict[str, str]: ...
    def orphans(self) -> tuple[Known, ...]: ...
    def history(self, qid: str) -> tuple[Review, ...]: ...
    def grade(self, qid: str, grade: Grade, now: datetime, study: Study, key: str | None = None) -> Memory: ...
    def close(self) -> None: ...


class UnknownCard(InputError):
    """A grade for a question id the store does not hold (or holds only as an orphan)."""


def default_db_path() -> Path:
    """``data/study.sqlite``; a command's own choice (``--db``, $SLIDEBANK_STUDY_DB) is in its settings record."""
    return default_data_dir() / "study.sqlite"


@dataclass(frozen=True)
class SyncReport:
    added: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...]  # (old id, new id): edited questions that kept their history
    orphaned: tuple[str, ...]
    revived: tuple[str, ...]  # orphans whose question came back


@dataclass(frozen=True)
class Review:
    qid: str
    grade: str
    at: str


@dataclass(frozen=True)
class SyncPlan:
    report: SyncReport
    fresh: tuple[StudyCard, ...]  # cards to insert (new questions that are not edits of stored ones)


def plan_sync(stored: dict[str, tuple[Known, bool]], cards: Sequence[StudyCard]) -> SyncPlan:
    """What a sync changes, from the stored cards (qid -> (what is known, orphaned)) and the bank's. Pure."""
    current = {c.qid for c in cards}
    gone = [known for qid, (known, _) in stored.items() if qid not in current]
    added = [c for c in cards if c.qid not in stored]
    renames = match_edits(gone, added)
    renamed_to = set(renames.values())
    fresh = tuple(c for c in added if c.qid not in renamed_to)
    orphaned = tuple(k.qid for k in gone if k.qid not in renames and not stored[k.qid][1])
    revived = tuple(qid for qid, (_, was) in stored.items() if was and qid in current)
    return SyncPlan(SyncReport(tuple(c.qid for c in fresh), tuple(renames.items()), orphaned, revived), fresh)


class Store:
    """One open study database, safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        backup.check_empty(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0, check_same_thread=False)
        except (sqlite3.Error, OSError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise SlidebankError(f"cannot create the study file {self.path} ({why}); pass another --db FILE") from None
        try:
            self._open()
        except BaseException:
            self._db.close()
            raise

    def _open(self) -> None:
        with self._guard():
            backup.check_pages(self._db, self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            # One script, one transaction: a file is either created whole or left as it was.
            self._db.executescript(
                f"BEGIN IMMEDIATE;{SCHEMA}INSERT OR IGNORE INTO meta VALUES ('schema', '{SCHEMA_VERSION}');COMMIT;"
            )
            with self._transaction() as db:
                version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
                if version == "1":  # format 1 had no grade keys: add the column, the rows stay as they are
                    db.execute("ALTER TABLE reviews ADD COLUMN key TEXT")
                    db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION,))
                    version = SCHEMA_VERSION
                if version == SCHEMA_VERSION:
                    db.execute(KEYED)
        if version != SCHEMA_VERSION:
            raise SlidebankError(
                f"the study file {self.path} has format {version}, this slidebank reads {SCHEMA_VERSION}"
            )
        self._backup()

    def _backup(self) -> None:
        """The daily backup, taken at open and after a grade (an app runs for days), once there is
        progress to keep: a file without reviews has nothing a backup would save."""
        with self._lock:
            if backup.backup_due(self.path):
                with self._guard():
                    reviewed = self._db.execute("SELECT EXISTS (SELECT 1 FROM reviews)").fetchone()[0]
                if reviewed:
                    backup.daily_backup(self._db, self.path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """The connection to this thread alone, and SQLite's errors as one-line messages."""
        with self._lock:
            try:
                yield
            except sqlite3.OperationalError as exc:  # the file is fine, its use is not: busy, read-only, no room
                if "locked" in str(exc) or "busy" in str(exc):
                    raise SlidebankError(
                        f"the study file {self.path} is busy (another program holds it); try again"
                    ) from None
                raise SlidebankError(f"cannot use the study file {self.path} ({exc}); pass another --db FILE") from None
            except sqlite3.DatabaseError as exc:  # SQLITE_CORRUPT, SQLITE_NOTADB: the bytes themselves
                raise backup.damaged(self.path, str(exc)) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of failing half-way.
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                # Never leave the connection inside a transaction: the next BEGIN would fail.
                if self._db.in_transaction:
                    try:
                        self._db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._guard():
            return self._db.execute(sql, args).fetchall()

    # -- the bank ------------------------------------------------------------------------------

    def sync(self, cards: Sequence[StudyCard]) -> SyncReport:
        """Bring the store in line with the bank: new questions added, edited ones renamed (their
        history kept), removed ones orphaned, returning ones revived. One transaction."""
        with self._transaction() as db:
            stored = {
                row[0]: (Known(row[0], row[1], row[2]), bool(row[3]))
                for row in db.execute("SELECT qid, section, text, orphaned FROM cards")
            }
            plan = plan_sync(stored, cards)
            for old, new in plan.report.renamed:
                db.execute("UPDATE cards SET qid = ?, orphaned = 0 WHERE qid = ?", (new, old))
                db.execute("UPDATE reviews SET qid = ? WHERE qid = ?", (new, old))
            db.executemany(
                "INSERT INTO cards (qid, origin, section, text) VALUES (?, ?, ?, ?)",
                [(c.qid, c.qid, c.section, c.text) for c in plan.fresh],
            )
            db.executemany(
                "UPDATE cards SET section = ?, text = ? WHERE qid = ?", [(c.section, c.text, c.qid) for c in cards]
            )
            db.executemany("UPDATE cards SET orphaned = 1 WHERE qid = ?", [(q,) for q in plan.report.orphaned])
            db.executemany("UPDATE cards SET orphaned = 0 WHERE qid = ?", [(q,) for q in plan.report.revived])
        return plan.report

    # -- reading -------------------------------------------------------------------------------

    def memories(self) -> dict[str, Memory]:
        """Scheduling state of every reviewed card that is in the bank (orphans are never shown)."""
        rows = self._rows("SELECT qid, fsrs FROM cards WHERE orphaned = 0 AND fsrs IS NOT NULL")
        return {qid: memory_from_json(text) for qid, text in rows}

    def origins(self) -> dict[str, str]:
        return dict(self._rows("SELECT qid, origin FROM cards"))

    def orphans(self) -> tuple[Known, ...]:
        return tuple(
            Known(*row) for row in self._rows("SELECT qid, section, text FROM cards WHERE orphaned = 1 ORDER BY qid")
        )

    def history(self, qid: str) -> tuple[Review, ...]:
        rows = self._rows("SELECT qid, grade, at FROM reviews WHERE qid = ? ORDER BY id", (qid,))
        return tuple(Review(*row) for row in rows)

    # -- grading -------------------------------------------------------------------------------

    def grade(self, qid: str, grade: Grade, now: datetime, study: Study, key: str | None = None) -> Memory:
        """Record one review: the log row and the card's new state in one transaction. With ``key``,
        a grade already recorded under it is not recorded again: the state it left is returned."""
        with self._transaction() as db:
            if key is not None:
                done = db.execute("SELECT qid, fsrs_after FROM reviews WHERE key = ?", (key,)).fetchone()
                if done is not None:
                    if done[0] != qid:
                        raise InputError(f"grade key {key!r} was already used for question {done[0]}")
                    return memory_from_json(done[1])
            row = db.execute("SELECT fsrs, orphaned FROM cards WHERE qid = ?", (qid,)).fetchone()
            after = reviewed(row, qid, grade, now, study)
            _write_review(db, qid, grade, now, after, key)
            _write_card(db, qid, after)
        self._backup()
        return after


def reviewed(row: Sequence | None, qid: str, grade: Grade, now: datetime, study: Study) -> Memory:
    """The card's state after a review, from its stored ``(fsrs, orphaned)`` row (None: not stored)."""
    if row is None or row[1]:
        what = "is no longer in the bank" if row is not None else "is not in the bank"
        raise UnknownCard(f"question {qid} {what}; see --next or --stats for the ids")
    before = memory_from_json(row[0]) if row[0] is not None else study.new(now)
    return study.review(before, grade, now)


def _write_review(
    db: sqlite3.Connection, qid: str, grade: Grade, now: datetime, after: Memory, key: str | None = None
) -> None:
    db.execute(
        "INSERT INTO reviews (qid, grade, at, fsrs_after, key) VALUES (?, ?, ?, ?, ?)",
        (qid, grade, now.isoformat(), after.fsrs_json, key),
    )


def _write_card(db: sqlite3.Connection, qid: str, after: Memory) -> None:
    last = after.last_review.isoformat() if after.last_review else None
    db.execute(
        "UPDATE cards SET fsrs = ?, due = ?, last_review = ? WHERE qid = ?",
        (after.fsrs_json, after.due.isoformat(), last, qid),
    )


def open_store(path: Path | None = None) -> Store:
    return Store(Path(path) if path is not None else default_db_path())
