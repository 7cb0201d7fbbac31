"""The Study tab's pieces and "Add to my bank", without a browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.study.progress import SectionStats
from assistant.study.session import AnswerKey
from tests.support.settings import configured


@pytest.fixture()
def view(hash_index: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch):
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    retriever, notices = open_retriever(hash_index, bank_file)
    return WebView(retriever, notices, settings=configured(bank=bank_file))  # the bank "Add to my bank" writes


def test_add_to_my_bank_writes_the_file_and_the_question_votes_and_studies(
    view, bank_file: Path, tmp_path: Path
) -> None:
    from assistant.study.store import open_store
    from assistant.ui.add_to_bank import add
    from assistant.ui.study_tab import open_session

    session = open_session(view, tmp_path / "study.sqlite")
    before = len(session.cards)
    status = add(view, "how do centroids move in k means", "diffusion", [6])
    assert "Added to" in status and "diffusion" in status
    assert "- how do centroids move in k means (6)" in bank_file.read_text()
    assert (bank_file.parent / "bank.md.bak").is_file()
    found = view.search("how do centroids move in k means")
    assert found.bank[0].question.text == "how do centroids move in k means" and found.bank[0].question.refs == (6,)
    session.reload(view.retriever.bank)
    assert len(session.cards) == before + 1
    assert any(c.text == "how do centroids move in k means" for c in session.queue())
    assert open_store(tmp_path / "study.sqlite").origins()  # the card is in the study file


def test_add_to_my_bank_refuses_an_empty_question(view, bank_file: Path) -> None:
    from assistant.ui.add_to_bank import add

    original = bank_file.read_text()
    assert "empty" in add(view, "   ", "diffusion", [6])
    assert bank_file.read_text() == original


def test_answer_key_html_marks_suggestions_and_escapes() -> None:
    from assistant.ui.study_tab import key_html, slide_caption

    cited = AnswerKey((63, 64), ("A <b>", "B"), False, "")
    suggested = AnswerKey((7,), ("C",), True, "")
    assert "Cited slides: 63, 64" in key_html(cited) and "suggested" not in key_html(cited).lower()
    assert "Suggested slides" in key_html(suggested)
    assert "A &lt;b&gt;" in slide_caption(cited, 0) and "1 of 2" in slide_caption(cited, 0)
    assert "suggested" in slide_caption(suggested, 0)


def test_progress_frames_hold_every_section() -> None:
    from assistant.ui.study_tab import progress_frame

    counts, recall = progress_frame([SectionStats("A", 3, 1, 2, 0.9), SectionStats("B", 2, 2, 0, None)])
    assert counts.groupby("section")["cards"].sum().to_dict() == {"A": 3, "B": 2}
    assert recall.set_index("section")["recall"].to_dict() == {"A": 0.9, "B": 0.0}
