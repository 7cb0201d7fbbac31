"""Bank edits: a small change to a question keeps its card's history; a removed one is orphaned."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from assistant.bank.parse import parse_bank
from assistant.study.cards import Known, StudyCard, cards_from_bank, match_edits, same_question
from assistant.study.schedule import Study
from assistant.study.session import StudySession
from assistant.study.store import open_store

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)

BANK = """\
## course
### optimisation
- formulate SGD with momentum (2) \\*
- what does the learning rate decide? (1)
### attention
- explain self attention in detail (3)
## topic heading with references (4-5)
- what is a key?
"""


def card(qid: str, text: str, section: str = "s") -> StudyCard:
    return StudyCard(qid, section, text, "", (), (), 0)


def test_headings_are_not_cards_and_marks_and_refs_carry_over() -> None:
    cards = cards_from_bank(parse_bank(BANK))
    assert [c.text for c in cards][:3] == [
        "formulate SGD with momentum",
        "what does the learning rate decide?",
        "explain self attention in detail",
    ]
    assert cards[0].marker == "*" and cards[0].refs == (2,)
    assert "topic heading with references" not in {c.text for c in cards}
    assert [c.position for c in cards] == list(range(len(cards)))


def test_a_typo_fix_matches_and_a_different_question_does_not() -> None:
    gone = [Known("a", "s", "explain the reparametrisation trick"), Known("b", "s", "what is a GAN?")]
    added = [card("a2", "explain the reparameterization trick"), card("c", "derive the ELBO")]
    assert match_edits(gone, added) == {"a": "a2"}


def test_each_history_goes_to_one_new_question_only() -> None:
    gone = [Known("a", "s", "what is the KL divergence")]
    added = [card("x", "what is the KL divergence?"), card("y", "what is the KL-divergence?")]
    assert match_edits(gone, added) == {"a": "x"}


def test_the_same_section_wins_a_tie() -> None:
    gone = [Known("a", "GANs", "what is mode collapse")]
    added = [card("x", "what is mode collapse?", "VAEs"), card("y", "what is mode collapse?", "GANs")]
    assert match_edits(gone, added) == {"a": "y"}


def test_editing_the_bank_keeps_history_and_orphans_removed_questions(tmp_path: Path) -> None:
    store = open_store(tmp_path / "study.sqlite")
    session = StudySession(parse_bank(BANK), store, clock=lambda: T0, study=Study(fuzz=False))
    sgd = next(c for c in session.cards if c.text.startswith("formulate SGD"))
    rate = next(c for c in session.cards if c.text.startswith("what does the learning rate"))
    session.grade(sgd.qid, "good")
    session.grade(rate.qid, "hard")

    edited = BANK.replace("formulate SGD with momentum", "formulate SGD with momentum, step by step").replace(
        "- what does the learning rate decide? (1)\n", ""
    )
    report = session.reload(parse_bank(edited))
    new_sgd = next(c for c in session.cards if c.text.startswith("formulate SGD"))
    assert new_sgd.qid != sgd.qid  # the id is a hash of the text: the edit changed it
    assert report.renamed == ((sgd.qid, new_sgd.qid),)
    assert [r.grade for r in store.history(new_sgd.qid)] == ["good"]
    assert new_sgd.qid in session.memories()

    assert report.orphaned == (rate.qid,)
    assert rate.qid not in session.memories()
    assert all(c.qid != rate.qid for c in session.queue())
    assert [r.grade for r in store.history(rate.qid)] == ["hard"]  # kept, not shown
    assert [k.qid for k in store.orphans()] == [rate.qid]

    back = session.reload(
        parse_bank(BANK.replace("formulate SGD with momentum", "formulate SGD with momentum, step by step"))
    )
    assert back.revived == (rate.qid,) and rate.qid in session.memories()


def test_origins_keep_the_first_id_across_edits(tmp_path: Path) -> None:
    store = open_store(tmp_path / "study.sqlite")
    session = StudySession(parse_bank(BANK), store, clock=lambda: T0)
    first = session.cards[0].qid
    session.reload(parse_bank(BANK.replace("formulate SGD", "formulate plain SGD")))
    assert store.origins()[session.cards[0].qid] == first


SIGMOID = "what is the derivative of the sigmoid?"
TANH = "what is the derivative of tanh?"


def test_a_new_question_in_place_of_an_old_one_starts_without_history_and_the_old_one_gets_its_back(
    tmp_path: Path,
) -> None:
    bank = f"### activations\n- {SIGMOID} (4)\n- what is a ReLU? (5)\n"
    store = open_store(tmp_path / "study.sqlite")
    session = StudySession(parse_bank(bank), store, clock=lambda: T0, study=Study(fuzz=False))
    sigmoid = next(c for c in session.cards if c.text == SIGMOID)
    for grade in ("again", "hard", "good"):
        session.grade(sigmoid.qid, grade)

    report = session.reload(parse_bank(bank.replace(SIGMOID, TANH)))
    tanh = next(c for c in session.cards if c.text == TANH)
    assert report.renamed == () and report.orphaned == (sigmoid.qid,)
    assert store.history(tanh.qid) == () and tanh.qid not in session.memories()  # a new card

    back = session.reload(parse_bank(bank))
    assert back.revived == (sigmoid.qid,)
    assert [r.grade for r in store.history(sigmoid.qid)] == ["again", "hard", "good"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("explain kmeans", "explain k-means"),  # hyphen
        ("What is the KL divergence", "what is the KL-divergence?"),  # case, punctuation
        ("minimise the loss", "minimize the loss"),  # spelling
        ("explain the reparametrisation trick", "explain the reparameterization trick"),
        ("formulate SGD with momentum", "formulate SGD with momentum, step by step"),  # a word added
        ("explain self attention in detail", "explain self attention"),  # a word dropped
        ("what are GANs", "what is a GAN"),  # small words, plural
    ],
)
def test_edits_that_keep_the_question(old: str, new: str) -> None:
    assert same_question(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (SIGMOID, TANH),  # a word replaced by another
        ("what does the encoder do", "what does the decoder do"),  # close letters, another word
        ("L1 regularisation", "L2 regularisation"),
        ("maximise the likelihood", "minimise the likelihood"),
        ("explain the ELBO", "derive the ELBO"),
        ("why is the loss convex", "why is the loss not convex"),  # negation added
        ("what is attention", "what is attention and how does it compare to convolution and recurrence"),
        ("what is a GAN?", "derive the ELBO"),
    ],
)
def test_edits_that_make_another_question(old: str, new: str) -> None:
    assert not same_question(old, new)
