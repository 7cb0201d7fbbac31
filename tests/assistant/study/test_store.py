"""The study file: one transaction per grade; a kill during a grade leaves a readable file with every earlier grade."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from assistant.bank.parse import load_bank
from assistant.study.schedule import Study
from assistant.study.session import StudySession
from assistant.study.store import UnknownCard, open_store
from index.errors import SlidebankError

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_the_file_is_wal_and_a_grade_is_one_review_and_one_card_update(tmp_path: Path, bank_file: Path) -> None:
    store = open_store(tmp_path / "study.sqlite")
    session = StudySession(load_bank(bank_file), store, clock=lambda: T0, study=Study(fuzz=False))
    qid = session.cards[0].qid
    memory = session.grade(qid, "good")
    with sqlite3.connect(tmp_path / "study.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 1
        (fsrs,) = db.execute("SELECT fsrs FROM cards WHERE qid = ?", (qid,)).fetchone()
    assert fsrs == memory.fsrs_json
    assert open_store(tmp_path / "study.sqlite").memories()[qid] == memory  # read back by a fresh connection


@pytest.mark.parametrize("before_kill", [0, 4])
def test_a_kill_during_a_grade_loses_only_that_grade(tmp_path: Path, bank_file: Path, before_kill: int) -> None:
    db = tmp_path / "study.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "tests.assistant.study.kill_grade", str(db), str(bank_file), str(before_kill)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == -9, done.stderr
    lines = done.stdout.splitlines()
    graded = [line.split()[1] for line in lines if line.startswith("graded")]
    assert len(graded) == before_kill and lines[-1].startswith("inside")  # killed inside grade number before_kill + 1
    killed_qid = lines[-1].split()[1]

    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        reviews = [row[0] for row in check.execute("SELECT qid FROM reviews ORDER BY id")]
    assert reviews == graded  # every finished grade is there, the interrupted one is not
    store = open_store(db)
    memories = store.memories()
    assert set(memories) == set(graded)
    # The file still takes grades.
    session = StudySession(load_bank(bank_file), store, clock=lambda: T0)
    session.grade(killed_qid, "easy")
    assert store.history(killed_qid)[-1].grade == "easy"


def test_grading_an_unknown_or_orphaned_question_is_an_error_that_writes_nothing(
    tmp_path: Path, bank_file: Path
) -> None:
    store = open_store(tmp_path / "study.sqlite")
    session = StudySession(load_bank(bank_file), store, clock=lambda: T0)
    with pytest.raises(UnknownCard, match="not in the bank"):
        session.grade("qnothere", "good")
    first = session.cards[0]
    session.reload([q for q in load_bank(bank_file) if q.id != first.qid])
    with pytest.raises(UnknownCard, match="no longer in the bank"):
        session.grade(first.qid, "good")
    assert store.history(first.qid) == ()


def test_a_file_that_is_not_a_study_file_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "study.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(SlidebankError, match="study file .* is damaged .*file is not a database"):
        open_store(bad)


def test_grades_from_many_threads_on_one_store_all_succeed_and_all_count(tmp_path: Path, bank_file: Path) -> None:
    """The app's grade buttons run on a thread pool and share one store (issue: 124-365 of 400 failed)."""
    import threading

    store = open_store(tmp_path / "study.sqlite")
    session = StudySession(load_bank(bank_file), store, clock=lambda: T0, study=Study(fuzz=False))
    qids = [c.qid for c in session.cards]
    failures: list[BaseException] = []

    def grade_many(worker: int) -> None:
        for i in range(50):
            try:
                session.grade(qids[(worker + i) % len(qids)], "good")
                store.memories()  # reads interleave with the other threads' transactions
            except BaseException as exc:  # noqa: BLE001 - every failure is the finding
                failures.append(exc)

    threads = [threading.Thread(target=grade_many, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with sqlite3.connect(tmp_path / "study.sqlite") as db:
        assert db.execute("SELECT count(*) FROM reviews").fetchone()[0] == 8 * 50


def test_a_grade_retried_with_its_key_counts_once_even_from_two_threads_at_once(
    tmp_path: Path, bank_file: Path
) -> None:
    import threading

    store = open_store(tmp_path / "study.sqlite")
    session = StudySession(load_bank(bank_file), store, clock=lambda: T0, study=Study(fuzz=False))
    qid = session.cards[0].qid
    first = session.grade(qid, "good", key="shown-1")
    assert session.grade(qid, "good", key="shown-1") == first  # the retry: same state, nothing written
    results: list[object] = []
    start = threading.Barrier(4)

    def click() -> None:
        start.wait()
        results.append(session.grade(qid, "easy", key="shown-2"))

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert [r.grade for r in store.history(qid)] == ["good", "easy"]
    session.grade(qid, "hard")  # no key: every call is a review
    assert len(store.history(qid)) == 3
    with pytest.raises(SlidebankError, match="already used"):
        session.grade(session.cards[1].qid, "good", key="shown-1")


def test_a_study_file_of_format_1_is_upgraded_with_its_history(tmp_path: Path, bank_file: Path) -> None:
    db = tmp_path / "study.sqlite"
    session = StudySession(load_bank(bank_file), open_store(db), clock=lambda: T0, study=Study(fuzz=False))
    qid = session.cards[0].qid
    session.grade(qid, "good")
    session.store.close()
    with sqlite3.connect(db) as old:  # what slidebank wrote before grade keys
        old.execute("DROP INDEX reviews_key")
        old.execute("ALTER TABLE reviews DROP COLUMN key")
        old.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    old.close()
    store = open_store(db)
    assert [r.grade for r in store.history(qid)] == ["good"]
    StudySession(load_bank(bank_file), store, clock=lambda: T0).grade(qid, "easy", key="k")
    assert [r.grade for r in store.history(qid)] == ["good", "easy"]
