"""A damaged study file, as a user meets it: a page overwritten on disk, a zero-byte file, a file
that is no database. Every study command says so in one line and what to do; the daily backup
brings the progress back."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from assistant.study.backup import BACKUP_EVERY_S, StudyFileDamaged, backup_path
from assistant.study.store import open_store
from tests.support.cli_run import assert_clean_success, assert_one_line_error, run_module
from tests.support.study_files import damage_page, next_day, studied

COMMANDS = [["--next"], ["--stats"], ["--stats", "--json"], ["--grade", "qwhatever", "good"], ["--anki", "x.apkg"]]


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "study.sqlite"


def study(db: Path, bank: Path, *args: str):
    return run_module("assistant.study", "--db", db, "--bank", bank, *args, timeout=120)


def test_a_damaged_page_is_one_line_from_every_command_naming_the_file_and_the_backup(
    db: Path, bank_file: Path, tmp_path: Path
) -> None:
    graded = studied(db, bank_file)
    assert backup_path(db).is_file()  # the first grade of the day took a backup
    next_day(db)
    damage_page(db)
    before = db.read_bytes()
    for args in COMMANDS:
        proc = study(db, bank_file, *[str(tmp_path / a) if a.endswith(".apkg") else a for a in args])
        assert_one_line_error(proc, f"the study file {db} is damaged")
        assert "--restore-backup" in proc.stderr
    assert db.read_bytes() == before  # nothing wrote to it
    assert backup_path(db).stat().st_size > 0

    restored = study(db, bank_file, "--restore-backup")
    assert_clean_success(restored)
    assert "damaged file is now" in restored.stdout
    assert [p.name for p in tmp_path.iterdir() if ".damaged-" in p.name]  # kept, not deleted
    store = open_store(db)
    assert set(store.memories()) == set(graded)  # the progress is back
    assert_clean_success(study(db, bank_file, "--stats"))


def test_a_zero_byte_study_file_is_said_not_started_afresh(db: Path, bank_file: Path) -> None:
    db.write_bytes(b"")
    proc = study(db, bank_file, "--next")
    assert_one_line_error(proc, "is empty (0 bytes)")
    assert "delete it to start afresh" in proc.stderr
    assert db.stat().st_size == 0  # not made into a fresh database


def test_a_zero_byte_file_with_a_backup_points_to_it(db: Path, bank_file: Path) -> None:
    studied(db, bank_file)
    next_day(db)
    db.write_bytes(b"")
    for leftover in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    assert_one_line_error(study(db, bank_file, "--stats"), "--restore-backup")
    assert_clean_success(study(db, bank_file, "--restore-backup"))
    assert len(open_store(db).memories()) == 3


def test_a_file_that_is_no_database_is_one_line(db: Path, bank_file: Path) -> None:
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    assert_one_line_error(study(db, bank_file, "--stats"), "is damaged")


def test_the_backup_is_taken_once_a_day_and_never_from_a_damaged_file(db: Path, bank_file: Path) -> None:
    studied(db, bank_file, grades=1)  # a new file: no backup at open (nothing to keep), one after the grade
    backup = backup_path(db)
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT count(*) FROM reviews").fetchone()[0] == 1
    copy.close()
    studied(db, bank_file, grades=2)  # the same day: the backup is not taken again
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT count(*) FROM reviews").fetchone()[0] == 1
    copy.close()
    next_day(db)  # a day later: a fresh backup with every grade
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT count(*) FROM reviews").fetchone()[0] == 3
    copy.close()
    good = backup.read_bytes()
    day_old = time.time() - BACKUP_EVERY_S - 60
    os.utime(backup, (day_old, day_old))  # a backup is due: it must still not be taken from a damaged file
    damage_page(db)
    with pytest.raises(StudyFileDamaged):
        open_store(db)
    assert backup.read_bytes() == good  # the damaged file did not replace the good backup
    assert not [p for p in db.parent.iterdir() if p.name.endswith(".tmp")]
