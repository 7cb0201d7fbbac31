"""The Study tab against what a user does to it: re-ingest while it runs, click a grade twice or
retry it, start the app on a damaged study file."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from pathlib import Path

from tests.support.app_process import running_app
from tests.support.decks import DECK_A, make_pdf
from tests.support.study_files import damage_page, studied


def _deck(folder: Path, title: str) -> Path:
    return make_pdf(folder / "week01.pdf", [*DECK_A, (title, ["Momentum and the learning rate, revisited"])])


def test_study_shows_the_new_deck_after_a_re_ingest_as_search_does(tmp_path: Path) -> None:
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.live import Follow
    from assistant.ui.study_tab import follow_view, open_session
    from assistant.ui.web import WebView
    from ingest.build import ingest

    index, decks, bank = tmp_path / "index", tmp_path / "decks", tmp_path / "bank.md"
    decks.mkdir()
    bank.write_text("### summaries\n\n- summarise momentum and the learning rate (4)\n", encoding="utf-8")
    ingest([_deck(decks, "Version One Summary")], index, model="hash:64", progress=False)

    def reopen():
        return open_retriever(index, bank)

    view = WebView(*reopen(), follow=Follow(index, reopen))
    session = open_session(view, tmp_path / "study.sqlite")
    card = session.cards[0]
    assert session.answer_key(card).titles == ("Version One Summary",)

    ingest([_deck(decks, "Version Two Summary")], index, model="hash:64", progress=False)
    follow_view(view, session)  # what every Study event does first
    key = session.answer_key(card)
    assert key.titles == ("Version Two Summary",)
    assert "Version Two" in view.search("momentum learning rate revisited").slides[0].slide.title
    assert session.index is view.index and session.suggest.retriever is view.retriever  # type: ignore[union-attr]


def test_a_grade_sent_twice_for_one_showing_counts_once(hash_index: Path, bank_file: Path, tmp_path: Path) -> None:
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.study_tab import grade_shown, open_session, shown_card
    from assistant.ui.web import WebView

    view = WebView(*open_retriever(hash_index, bank_file))
    session = open_session(view, tmp_path / "study.sqlite")
    state = shown_card(session.next())
    grade_shown(session, state, "good")
    grade_shown(session, state, "easy")  # a double click, or the retry of a request that seemed to fail
    assert [r.grade for r in session.store.history(state.qid or "")] == ["good"]
    again = shown_card(session.card(state.qid or ""))  # the same card shown again later is a new review
    assert again.grade_key != state.grade_key
    grade_shown(session, again, "hard")
    assert [r.grade for r in session.store.history(state.qid or "")] == ["good", "hard"]


def test_the_app_starts_on_a_damaged_study_file_and_the_study_tab_says_so(
    hash_index: Path, bank_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "study.sqlite"  # the conftest points SLIDEBANK_STUDY_DB here, for the app process too
    studied(db, bank_file)
    damage_page(db)
    before = db.read_bytes()
    with running_app(hash_index, bank_file) as url:
        with urllib.request.urlopen(url + "config", timeout=30) as reply:
            config = json.loads(reply.read())
        values = [str(c.get("props", {}).get("value", "")) for c in config["components"]]
        note = next(v for v in values if "study file" in v)
        assert f"the study file {db} is damaged" in note and "--restore-backup" in note
        with urllib.request.urlopen(url, timeout=30) as page:  # the other tabs are served
            assert page.status == 200
    assert db.read_bytes() == before
    assert sqlite3.connect(f"file:{db}?mode=ro", uri=True)  # still the user's file, not replaced


def test_a_study_file_error_while_the_app_runs_reaches_the_page_as_its_one_line() -> None:
    import gradio as gr
    import pytest

    from assistant.study.backup import StudyFileDamaged
    from assistant.ui.study_tab import said

    def grade() -> None:
        raise StudyFileDamaged("the study file s.sqlite is damaged (disk I/O error): pass another --db FILE")

    with pytest.raises(gr.Error, match=r"the study file s\.sqlite is damaged"):
        said(grade)()
