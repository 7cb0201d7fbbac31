"""The extractive answer and the study answer key on the real decks: lists keep their items, a
formula note only where a formula stands, a second slide only on the question's topic."""

from __future__ import annotations

import re

import pytest

from assistant.answer.layout import FORMULA, NOTES

pytestmark = pytest.mark.slow


def _answer(retriever, query: str, bank_entry: str | None = None):
    """Leave-one-out: the bank entry the question comes from (``bank_entry``, default: the same text)
    is left out of the search, since its references are labels."""
    from assistant.answer.generate import answer

    entry = (bank_entry or query).lower()
    own = tuple(q.id for q in retriever.bank if " ".join(q.text.split()).lower() == entry)
    assert bank_entry is None or own, bank_entry
    return answer(retriever.search(query, k=5, exclude=own), retriever=retriever)


def test_a_list_slide_keeps_its_items(real_retriever) -> None:
    # The bank's question without the lecturer's name, which no slide mentions (an unknown term abstains).
    bank_entry = "what are NNs good, ok and poor at according to Yadid"
    a = _answer(real_retriever, "what are NNs good, ok and poor at", bank_entry)
    assert 30 in a.citations
    text = a.text
    for heading, item in (("good at", "Expressivity"), ("good at", "Generalization"), ("poor at", "Optimization")):
        block = text.split(f"They are {heading}:", 1)[1].split("They are", 1)[0]
        assert re.search(rf"^  - {item}", block, re.MULTILINE), (heading, item, text)
    assert FORMULA not in text


def test_the_study_key_gives_the_three_requirements(real_retriever) -> None:
    from assistant.answer.extractive import key_points

    index = real_retriever.index
    key = key_points([index.slide(28)], "give 3 'Real World Hypothesis Class' requirements")
    for requirement in ("Being expressive", "Being amenable to optimization", "Generalization"):
        assert f"- {requirement} [slide 28]" in key.splitlines(), key
    card = [index.slide(30)]
    assert key_points(card, "what are NNs good, ok and poor at").count("  - ") == 4


def test_a_formula_note_only_where_a_formula_stands(real_retriever) -> None:
    a = _answer(real_retriever, "why is CFG's ω a tradeoff?")
    assert f"Use the following combination as denoising value {FORMULA}" in a.text


def test_a_second_slide_only_on_the_questions_topic(real_retriever) -> None:
    a = _answer(real_retriever, "why is CFG's ω a tradeoff?")
    assert a.citations == (196,), a.text


def test_every_line_of_the_other_course_is_kept(other_course_index) -> None:
    """Any deck: parsing a slide into bullets loses no word of it but bullet marks (items stay,
    whatever introduces them), and a note never stands on a line whose items follow it."""
    from assistant.answer.extractive import DeckProfile, has_content, is_navigation, parse_bullets
    from index.store import load_index

    index = load_index(other_course_index[0])
    profile = DeckProfile(index.slides)
    checked = 0
    for slide in index.slides:
        body = slide.text.splitlines()[1:]
        if not has_content(slide, profile) or any(is_navigation(line) or _POINTER.search(line) for line in body):
            continue  # navigation is dropped on purpose, bracketed pointers too
        bullets = parse_bullets(slide)
        kept = " ".join(f"{b.text} {' '.join(b.children)}" for b in bullets)
        for note in NOTES:
            kept = kept.replace(note, "")
        unmarked = [_MARK.sub("", line) for line in body]
        assert re.findall(r"\w+", kept) == re.findall(r"\w+", " ".join(unmarked)), slide.number
        assert not any(b.children and any(n in b.text for n in NOTES) for b in bullets), slide.number
        checked += 1
    assert checked >= 50


_POINTER = re.compile(r"\([^()]*\b(?:weeks?|lectures?|slides?|this|next|previous)\b[^()]*\)", re.IGNORECASE)
_MARK = re.compile(r"^\s*(?:[\u2022\u2013\u2014\-\u25e6\u25cb\u2043\u00b7\u25ab*]|\d{1,2}[.)])\s*")
