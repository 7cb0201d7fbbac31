"""Each student's study state in the shared store (``--database URL --user NAME``).

The same interface as the SQLite ``Store`` (sync, memories, origins, orphans, history, grade), bound
to one student at construction: every statement carries that student's name as a bound parameter,
so one student's store can neither read nor change another's reviews, marks or questions. A
student's writes are serialised by an advisory lock on their name, so two app replicas grading for
the same student queue instead of racing.

Beside the reviews, a student has their own layer over the course bank: questions they added
("Add to my bank", kept as bank markdown of their own) and their study marks (``*`` / ``-``). The
course bank itself is written only by staff, with ``python -m ingest ... --database URL --bank FILE``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from assistant.bank.edit import with_question
from assistant.bank.parse import Question, parse_bank
from assistant.study.cards import Known, StudyCard
from assistant.study.schedule import Grade, Memory, Study, memory_from_json
from assistant.study.store import Review, SyncReport, plan_sync, reviewed
from index.errors import InputError
from index.pg.connect import Pool

MAX_USER = 64
MARKS = ("*", "-", "")

TABLES = (
    """CREATE TABLE IF NOT EXISTS slidebank_study_cards (
        username text NOT NULL,
        qid text NOT NULL,
        origin text NOT NULL,
        section text NOT NULL,
        text text NOT NULL,
        orphaned boolean NOT NULL DEFAULT false,
        fsrs text,
        due text,
        last_review text,
        PRIMARY KEY (username, qid)
    )""",
    """CREATE TABLE IF NOT EXISTS slidebank_study_reviews (
        id bigserial PRIMARY KEY,
        username text NOT NULL,
        qid text NOT NULL,
        grade text NOT NULL,
        at text NOT NULL,
        fsrs_after text NOT NULL,
        key text
    )""",
    "CREATE INDEX IF NOT EXISTS slidebank_study_reviews_user ON slidebank_study_reviews (username, qid)",
    # A grade's idempotency key (one per card shown): a retried grade is recorded once.
    "CREATE UNIQUE INDEX IF NOT EXISTS slidebank_study_reviews_key ON slidebank_study_reviews (username, key)",
    """CREATE TABLE IF NOT EXISTS slidebank_study_marks (
        username text NOT NULL,
        qid text NOT NULL,
        mark text NOT NULL,
        PRIMARY KEY (username, qid)
    )""",
    """CREATE TABLE IF NOT EXISTS slidebank_study_layers (
        username text PRIMARY KEY,
        markdown text NOT NULL
    )""",
)


def check_user(name: str) -> str:
    """A student's name: 1..64 printable characters, no surrounding spaces."""
    if not name or len(name) > MAX_USER or not name.isprintable() or name != name.strip():
        raise InputError(f"--user takes a name of 1 to {MAX_USER} printable characters")
    return name


def student_bank(course: Sequence[Question], layer: str, marks: dict[str, str]) -> tuple[Question, ...]:
    """The course bank, then the student's own questions, each with the student's mark. Pure."""
    own = parse_bank(layer) if layer.strip() else ()
    return tuple(dataclasses.replace(q, marker=marks.get(q.id, q.marker)) for q in (*course, *own))


class StudentStore:
    """One student's study state in the database. ``source`` is an autocommit psycopg connection, or
    a ``Pool`` shared by every student an app serves (one connection per server thread)."""

    def __init__(self, source: Any, user: str) -> None:
        self._source = source
        self.user = check_user(user)
        conn = self.conn
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('slidebank_study_schema'))")
            for statement in TABLES:
                conn.execute(statement)

    @property
    def conn(self) -> Any:
        return self._source.conn() if isinstance(self._source, Pool) else self._source

    def close(self) -> None:
        if not isinstance(self._source, Pool):  # a shared pool is closed by its owner
            self._source.close()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """A transaction holding this student's write lock."""
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"slidebank-study:{self.user}",))
            yield

    # -- the layer over the course bank ---------------------------------------------------------

    def layer(self) -> str:
        row = self.conn.execute(
            "SELECT markdown FROM slidebank_study_layers WHERE username = %s", (self.user,)
        ).fetchone()
        return row[0] if row else ""

    def marks(self) -> dict[str, str]:
        rows = self.conn.execute("SELECT qid, mark FROM slidebank_study_marks WHERE username = %s", (self.user,))
        return dict(rows.fetchall())

    def set_mark(self, qid: str, mark: str) -> None:
        if mark not in MARKS:
            raise InputError("a mark is *, - or none")
        with self._locked():
            self.conn.execute(
                "INSERT INTO slidebank_study_marks (username, qid, mark) VALUES (%s, %s, %s)"
                " ON CONFLICT (username, qid) DO UPDATE SET mark = EXCLUDED.mark",
                (self.user, qid, mark),
            )

    def add_question(self, section: str, text: str, refs: Sequence[int]) -> Question:
        """Add a question to this student's own layer (never to the course bank). Returns it as parsed."""
        with self._locked():
            row = self.conn.execute(
                "SELECT markdown FROM slidebank_study_layers WHERE username = %s", (self.user,)
            ).fetchone()
            added = with_question(row[0] if row else "", section, text, refs)
            self.conn.execute(
                "INSERT INTO slidebank_study_layers (username, markdown) VALUES (%s, %s)"
                " ON CONFLICT (username) DO UPDATE SET markdown = EXCLUDED.markdown",
                (self.user, added),
            )
        return parse_bank(added)[-1]

    # -- the Store interface --------------------------------------------------------------------

    def sync(self, cards: Sequence[StudyCard]) -> SyncReport:
        with self._locked():
            stored = {
                r[0]: (Known(r[0], r[1], r[2]), bool(r[3]))
                for r in self.conn.execute(
                    "SELECT qid, section, text, orphaned FROM slidebank_study_cards WHERE username = %s", (self.user,)
                ).fetchall()
            }
            plan = plan_sync(stored, cards)
            with self.conn.cursor() as cur:
                for old, new in plan.report.renamed:
                    cur.execute(
                        "UPDATE slidebank_study_cards SET qid = %s, orphaned = false WHERE username = %s AND qid = %s",
                        (new, self.user, old),
                    )
                    cur.execute(
                        "UPDATE slidebank_study_reviews SET qid = %s WHERE username = %s AND qid = %s",
                        (new, self.user, old),
                    )
                cur.executemany(
                    "INSERT INTO slidebank_study_cards (username, qid, origin, section, text) VALUES (%s, %s, %s, %s, %s)",
                    [(self.user, c.qid, c.qid, c.section, c.text) for c in plan.fresh],
                )
                cur.executemany(
                    "UPDATE slidebank_study_cards SET section = %s, text = %s WHERE username = %s AND qid = %s",
                    [(c.section, c.text, self.user, c.qid) for c in cards],
                )
                for flag, qids in ((True, plan.report.orphaned), (False, plan.report.revived)):
                    cur.execute(
                        "UPDATE slidebank_study_cards SET orphaned = %s WHERE username = %s AND qid = ANY(%s)",
                        (flag, self.user, list(qids)),
                    )
        return plan.report

    def memories(self) -> dict[str, Memory]:
        rows = self.conn.execute(
            "SELECT qid, fsrs FROM slidebank_study_cards WHERE username = %s AND NOT orphaned AND fsrs IS NOT NULL",
            (self.user,),
        ).fetchall()
        return {qid: memory_from_json(text) for qid, text in rows}

    def origins(self) -> dict[str, str]:
        rows = self.conn.execute("SELECT qid, origin FROM slidebank_study_cards WHERE username = %s", (self.user,))
        return dict(rows.fetchall())

    def orphans(self) -> tuple[Known, ...]:
        rows = self.conn.execute(
            "SELECT qid, section, text FROM slidebank_study_cards WHERE username = %s AND orphaned ORDER BY qid",
            (self.user,),
        ).fetchall()
        return tuple(Known(*r) for r in rows)

    def history(self, qid: str) -> tuple[Review, ...]:
        rows = self.conn.execute(
            "SELECT qid, grade, at FROM slidebank_study_reviews WHERE username = %s AND qid = %s ORDER BY id",
            (self.user, qid),
        ).fetchall()
        return tuple(Review(*r) for r in rows)

    def grade(self, qid: str, grade: Grade, now: datetime, study: Study, key: str | None = None) -> Memory:
        """One review: the log row and the card's new state in one transaction. With ``key``, a grade
        already recorded under it (by this student) is not recorded again: the state it left is returned."""
        with self._locked():
            if key is not None:
                done = self.conn.execute(
                    "SELECT qid, fsrs_after FROM slidebank_study_reviews WHERE username = %s AND key = %s",
                    (self.user, key),
                ).fetchone()
                if done is not None:
                    if done[0] != qid:
                        raise InputError(f"grade key {key!r} was already used for question {done[0]}")
                    return memory_from_json(done[1])
            row = self.conn.execute(
                "SELECT fsrs, orphaned FROM slidebank_study_cards WHERE username = %s AND qid = %s FOR UPDATE",
                (self.user, qid),
            ).fetchone()
            after = reviewed(row, qid, grade, now, study)
            self.conn.execute(
                "INSERT INTO slidebank_study_reviews (username, qid, grade, at, fsrs_after, key)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (self.user, qid, grade, now.isoformat(), after.fsrs_json, key),
            )
            last = after.last_review.isoformat() if after.last_review else None
            self.conn.execute(
                "UPDATE slidebank_study_cards SET fsrs = %s, due = %s, last_review = %s WHERE username = %s AND qid = %s",
                (after.fsrs_json, after.due.isoformat(), last, self.user, qid),
            )
        return after
