"""Per-student study state on the shared store (real PostgreSQL): every study verb, and no student
reads or changes another's reviews, marks or added questions."""

from __future__ import annotations

import json

import pytest

from tests.support.cli_run import assert_one_line_error, run_module

pytestmark = pytest.mark.postgres


def study(url: str, user: str | None, *args: object):
    who = ("--user", user) if user is not None else ()
    return run_module("assistant.study", "--database", url, *who, *args, timeout=120)


def stats(url: str, user: str) -> dict:
    proc = study(url, user, "--stats", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_each_student_has_their_own_reviews(pg_course: str) -> None:
    first = study(pg_course, "ada", "--next", "--json")
    assert first.returncode == 0, first.stderr
    qid = json.loads(first.stdout)["id"]
    assert study(pg_course, "ada", "--grade", qid, "good").returncode == 0
    assert stats(pg_course, "ada")["total"]["reviewed"] == 1
    assert stats(pg_course, "bob")["total"]["reviewed"] == 0
    # bob grading the same question changes bob's card only
    assert study(pg_course, "bob", "--grade", qid, "again").returncode == 0
    from assistant.study.pg_store import StudentStore
    from index.pg.connect import connect

    ada, bob = StudentStore(connect(pg_course), "ada"), StudentStore(connect(pg_course), "bob")
    try:
        assert [r.grade for r in ada.history(qid)] == ["good"]
        assert [r.grade for r in bob.history(qid)] == ["again"]
        assert ada.memories()[qid].due != bob.memories()[qid].due
    finally:
        ada.close()
        bob.close()


def test_added_questions_and_marks_are_the_students_own(pg_course: str) -> None:
    import psycopg

    with psycopg.connect(pg_course) as conn:
        bank_before = conn.execute("SELECT bank FROM slidebank_generations").fetchall()
    cards = stats(pg_course, "ada")["total"]["cards"]
    added = study(
        pg_course, "ada", "--add", "diffusion", "why does guidance trade diversity for fidelity?", "--cites", "4"
    )
    assert added.returncode == 0, added.stderr
    assert stats(pg_course, "ada")["total"]["cards"] == cards + 1
    assert stats(pg_course, "bob")["total"]["cards"] == cards
    with psycopg.connect(pg_course) as conn:
        assert conn.execute("SELECT bank FROM slidebank_generations").fetchall() == bank_before

    nxt = json.loads(study(pg_course, "ada", "--next", "--json", "--mark", "none").stdout)
    qid = nxt["id"]
    assert study(pg_course, "ada", "--set-mark", qid, "-").returncode == 0
    marked = json.loads(study(pg_course, "ada", "--next", "--json", "--mark", "-", "--all").stdout)
    assert marked["mark"] == "-"
    ids_ada = _marked(pg_course, "ada", "-")
    ids_bob = _marked(pg_course, "bob", "-")
    assert qid in ids_ada and qid not in ids_bob


def _marked(url: str, user: str, mark: str) -> set[str]:
    from assistant.study.shared import open_student

    session = open_student(url, user, None, None)
    try:
        return {c.qid for c in session.cards if c.marker == mark}
    finally:
        session.store.close()


def test_a_student_store_never_touches_another_students_rows(pg_course: str) -> None:
    from datetime import datetime, timezone

    from assistant.study.pg_store import StudentStore
    from assistant.study.schedule import Study
    from assistant.study.shared import open_student
    from assistant.study.store import UnknownCard
    from index.pg.connect import connect

    ada = open_student(pg_course, "ada", None, None)
    added = ada.store.add_question("mine", "a question only ada has", (2,))  # type: ignore[attr-defined]
    ada.reload(ada.bank + (added,))
    ada.grade(added.id, "good")
    bob = StudentStore(connect(pg_course), "bob")
    try:
        assert added.id not in bob.origins() and bob.history(added.id) == ()
        with pytest.raises(UnknownCard):  # not in bob's cards: bob cannot grade ada's question
            bob.grade(added.id, "easy", datetime.now(timezone.utc), Study())
        assert bob.layer() == "" and bob.marks() == {}
    finally:
        bob.close()
        ada.store.close()
    assert [r.grade for r in open_student(pg_course, "ada", None, None).store.history(added.id)] == ["good"]


def test_database_without_a_user_is_a_one_line_error(pg_course: str) -> None:
    assert_one_line_error(study(pg_course, None, "--stats"), "--user NAME")
    assert_one_line_error(study(pg_course, "", "--stats"), "--user")
    assert_one_line_error(run_module("assistant.study", "--user", "ada", "--stats"), "--database")


def test_a_retried_grade_with_its_key_counts_once(pg_course: str) -> None:
    from assistant.study.shared import open_student

    session = open_student(pg_course, "ada", None, None)
    try:
        qid = session.queue()[0].qid
        first = session.grade(qid, "good", key="shown-1")
        again = session.grade(qid, "good", key="shown-1")  # the same click, retried
        assert again.due == first.due
        assert [r.grade for r in session.store.history(qid)] == ["good"]
        session.grade(qid, "hard", key="shown-2")
        assert [r.grade for r in session.store.history(qid)] == ["good", "hard"]
    finally:
        session.store.close()
