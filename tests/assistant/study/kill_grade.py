"""``python -m tests.assistant.study.kill_grade DB BANK N``: grade N cards, then start grade N+1 and
be killed with SIGKILL half-way through it (its review row written, the card not yet updated),
the way a power cut or the OOM killer would end it. Used by test_store.py."""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import assistant.study.store as store_module
from assistant.bank.parse import load_bank
from assistant.study.schedule import Study
from assistant.study.session import StudySession
from assistant.study.store import open_store


def main(db: str, bank: str, n: str) -> None:
    moment = [datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)]
    session = StudySession(
        load_bank(Path(bank)), open_store(Path(db)), clock=lambda: moment[0], study=Study(fuzz=False)
    )
    done = 0
    real_write_card = store_module._write_card

    def write_card(db_connection, qid, after):
        if done == int(n):
            print("inside", qid, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        real_write_card(db_connection, qid, after)

    store_module._write_card = write_card
    for card in session.cards * 3:
        session.grade(card.qid, "good")
        done += 1
        print("graded", card.qid, flush=True)
        moment[0] += timedelta(minutes=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
