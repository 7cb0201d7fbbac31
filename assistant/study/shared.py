"""``python -m assistant.study --database URL --user NAME``: a student's session on the shared store.

The slides and the course bank come from the database's live generation (a ``--bank FILE`` given
explicitly replaces the course bank), the student's own questions and marks are layered over it,
and reviews go to the student's rows (assistant/study/pg_store.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from assistant.study.pg_store import StudentStore, student_bank
from assistant.study.session import StudySession
from index.errors import InputError


def open_student(
    url: str,
    user: str | None,
    bank_path: Path | None,
    exam: date | None,
    suggest: Callable[[str], tuple[int, ...]] | None = None,
) -> StudySession:
    """The student's session; InputError without --user (the shared store holds every student's state)."""
    from assistant.bank.parse import load_bank
    from assistant.retrieval.database import open_database, stored_bank
    from index.pg.connect import connect

    if not user:
        raise InputError("--database needs --user NAME: each student's reviews, marks and questions are their own")
    index = open_database(url)
    course = load_bank(bank_path) if bank_path is not None else stored_bank(index)[0]
    store = StudentStore(connect(url), user)
    bank = student_bank(course, store.layer(), store.marks())
    if not [q for q in bank if not q.heading]:
        raise InputError("the course bank in the database has no questions to study (ingest it with --bank FILE)")
    return StudySession(bank, store, index, suggest=suggest, exam=exam)


def student_store(session: StudySession) -> StudentStore:
    if not isinstance(session.store, StudentStore):
        raise InputError("--set-mark and --add work on the shared store: give --database URL --user NAME")
    return session.store


def set_mark(session: StudySession, qid: str, mark: str) -> int:
    if session.card(qid) is None:
        raise InputError(f"question {qid} is not in your bank; see --next or --stats for the ids")
    student_store(session).set_mark(qid, "" if mark == "none" else mark)
    print(f"{qid}: marked {mark}")
    return 0


def add(session: StudySession, section: str, text: str, cites: str | None) -> int:
    from assistant.bank.parse import parse_refs

    refs = parse_refs(cites) if cites else ()
    if cites and not refs:
        raise InputError(f"--cites {cites!r} is not a list of slide numbers, e.g. 12,14-15")
    question = student_store(session).add_question(section, text, refs or ())
    print(f"added to your bank under {question.section}: {question.id}")
    return 0
