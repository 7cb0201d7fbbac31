"""The second real course (LaTeX Beamer, five lecture PDFs, no bank of its own): normalised text,
no boilerplate, the first course's bank recognised as foreign, and free-form questions answered."""

from __future__ import annotations

import re
import unicodedata

import pytest

from assistant.evaluation.retrieval import free_form_queries, ranks, summarise
from assistant.retrieval.loading import open_retriever
from assistant.ui.terminal import snippet
from index.store import load_index
from tests.support.paths import REAL_BANK, ROOT
from tests.support.settings import configured

pytestmark = pytest.mark.slow
FREE_FORM_MML = ROOT / "assistant" / "evaluation" / "data" / "free_form_mml.tsv"
PAGE_COUNTER = re.compile(r"\d+\s*/\s*\d+$")


def test_the_folder_ingests_as_one_numbered_deck(other_course_index) -> None:
    index_dir, report = other_course_index
    index = load_index(index_dir)
    assert report.decks == 5 and len(index.slides) == report.slides == 73
    assert [d.file for d in index.manifest.decks] == [f"lecture{n:02d}.pdf" for n in range(6, 11)]
    assert index.slide(50).title == "Recall. Offline Statistical Learning: Prediction"  # was "Oﬄine"


def test_no_ligature_or_compatibility_code_point_is_indexed_or_shown(other_course_index) -> None:
    index = load_index(other_course_index[0])
    texts = [s.title for s in index.slides] + [s.text for s in index.slides] + [c.text for c in index.chunks]
    texts += [snippet(s, query) for s in index.slides for query in ("offline learning", s.title)]
    changed = [t for t in texts if unicodedata.normalize("NFKC", t) != t]
    assert not changed, changed[:3]
    assert not any(ch in t for t in texts for ch in "\ufb00\ufb01\ufb02\ufb03\ufb04\u2019\u201c\u201d\u25b6")


def test_page_counters_are_not_indexed(other_course_index) -> None:
    index = load_index(other_course_index[0])
    # Every page of this course ends with a "3/19"-style counter before the ingest drops it.
    assert not [s.number for s in index.slides if any(PAGE_COUNTER.fullmatch(line) for line in s.text.splitlines())]
    assert not [c.slide for c in index.chunks if PAGE_COUNTER.search(c.text.splitlines()[-1])]


def test_lecture_title_pages_are_dividers(other_course_index) -> None:
    index = load_index(other_course_index[0])
    assert [s.number for s in index.slides if s.divider] == [d.first_number for d in index.manifest.decks]


def test_the_first_course_bank_is_reported_as_not_fitting(other_course_index, monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir, report = other_course_index
    assert report.bank_fit is not None and not report.bank_fit.fits
    assert report.bank_fit.refs_inside < 0.5 * report.bank_fit.refs
    monkeypatch.setenv("SLIDEBANK_BANK", str(REAL_BANK))
    retriever, notices = open_retriever(index_dir, user=configured())
    assert retriever.bank == () and notices == ()  # left out, quietly, unless given with --bank


def test_free_form_questions_in_students_words_reach_hit_at_5(
    other_course_index, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLIDEBANK_BANK", str(REAL_BANK))
    retriever, _ = open_retriever(other_course_index[0], user=configured())
    queries = free_form_queries(FREE_FORM_MML)
    assert len(queries) >= 20
    scores = summarise("fused", ranks(retriever, queries))
    assert scores.hit[5] >= 0.9, scores
