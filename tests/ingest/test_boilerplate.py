"""Boilerplate and dividers, decided from the deck's statistics (ingest/boilerplate.py), and ligatures
normalised at ingest, on generated PDFs."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from assistant.retrieval.loading import open_retriever
from assistant.ui.terminal import snippet
from index.records import Slide
from index.store import load_index
from ingest.boilerplate import find_boilerplate, find_dividers, strip_boilerplate, template
from ingest.build import ingest
from tests.support.decks import make_pdf

FOOTER = "Optimisation Course - Summer School"
TOPICS = [
    ("Gradient Descent", ["Step against the gradient", "The learning rate sets the step size"]),
    ("Momentum", ["Average the previous steps", "Damps oscillations in narrow valleys"]),
    ("Newton Method", ["Uses the Hessian of the loss", "Quadratic convergence near the optimum"]),
    (
        "Mirror Descent",
        ["A strictly convex potential defines the geometry", "Bregman divergence replaces the distance"],
    ),
    ("Proximal Gradient", ["Splits a smooth and a non-smooth part", "Soft thresholding solves the lasso step"]),
    ("Stochastic Gradients", ["One sample per step gives an unbiased gradient", "Cheap steps, noisy progress"]),
]


def lecture_pdf(path: Path, number: int, topics, pages: int | None = None) -> Path:
    """A Beamer-like lecture: a title page, then one topic a page, each with the footer and a page counter."""
    total = len(topics) + 1
    title_page = (FOOTER, [f"Lecture {number}", "A. Lecturer", "Department of Statistics", f"0 / {total - 1}"])
    content = [(title, [*lines, FOOTER, f"{i} / {total - 1}"]) for i, (title, lines) in enumerate(topics, start=1)]
    return make_pdf(path, [title_page, *content])


def slide(number: int, text: str) -> Slide:
    return Slide(number=number, deck="d", page=number, title=text.split("\n")[0], text=text)


# -- pure functions ------------------------------------------------------------------------------


def test_a_numbered_title_stays_though_most_titles_share_its_form() -> None:
    pages = [f"Exercise {i}\nsolve case {t}\n{FOOTER}\n{i}/5" for i, t in enumerate("abcde", start=1)]
    found = find_boilerplate(pages)
    assert template("Exercise 3") in found  # the form stands on every page ...
    assert strip_boilerplate(pages[2], found) == "Exercise 3\nsolve case c"  # ... but a first line is the title
    assert strip_boilerplate(f"3/5\nExercise 3\n{FOOTER}", found) == "Exercise 3"  # a bare counter is not one


def test_template_generalises_digits_spacing_and_case() -> None:
    assert template("3 / 20") == template("14  /  20") == "# / #"
    assert template("Lecture 6") == template("lecture 10")


def test_lines_on_most_pages_are_boilerplate_and_a_counter_glued_to_the_last_line_is_cut() -> None:
    pages = [f"Topic {t}\nbody of {t}\n{FOOTER}\n{i}/5" for i, t in enumerate("abcde")]
    found = find_boilerplate(pages)
    assert found == {template(FOOTER), "#/#"}
    assert strip_boilerplate("Title\nthe rate is n≪d 6/11", frozenset({"#/#"})) == "Title\nthe rate is n≪d"
    assert strip_boilerplate(pages[2], found) == "Topic c\nbody of c"


def test_a_line_on_half_the_pages_or_fewer_is_content() -> None:
    pages = ["Recap\nsame line", "Recap\nsame line", "other", "more", "again", "last"]
    assert find_boilerplate(pages) == frozenset()
    assert find_boilerplate(["x\nfooter", "y\nfooter", "z\nfooter"]) == frozenset()  # too few pages to tell


def test_counter_pages_far_apart_are_dividers_but_numbered_neighbours_are_content() -> None:
    slides = [
        slide(1, "My Course\nLecture 1\nIntroduction"),
        slide(2, "Results (1)\nfigure caption only"),
        slide(3, "Results (2)"),
        slide(4, "Gradients\nstep against the gradient\nlearning rate"),
        slide(5, "My Course\nLecture 2\nConvexity"),
        slide(6, "Convex sets\nchords stay inside\nexamples"),
    ]
    assert find_dividers(slides) == {1, 5}


def test_a_content_slide_with_a_counter_line_is_not_a_divider() -> None:
    slides = [
        slide(1, "Lecture 1\nWhat we cover\nthe first idea\nthe second idea"),
        slide(2, "body"),
        slide(3, "body two"),
        slide(4, "Lecture 2\nWhat we cover\nthe third idea\nthe fourth idea"),
    ]
    assert find_dividers(slides) == frozenset()


# -- through ingest --------------------------------------------------------------------------------


@pytest.fixture()
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    folder.mkdir()
    lecture_pdf(folder / "lecture01.pdf", 1, TOPICS[:3])
    lecture_pdf(folder / "lecture02.pdf", 2, TOPICS[3:])
    index_dir = tmp_path / "index"
    ingest([folder], index_dir, model="hash:64", progress=False)
    return index_dir


def test_footer_and_page_counters_are_not_indexed_nor_shown(course: Path) -> None:
    index = load_index(course)
    content = [s for s in index.slides if s.page > 1]
    assert len(index.slides) == 8
    for s in content:
        assert FOOTER not in s.text and " / " not in s.text, s
        assert FOOTER not in snippet(s, "summer school course")
    assert not any(FOOTER in c.text or " / 3" in c.text for c in index.chunks if index.slide(c.slide).page > 1)


def test_lecture_title_pages_are_dividers_ranked_after_every_content_slide(course: Path) -> None:
    index = load_index(course)
    assert [s.number for s in index.slides if s.divider] == [1, 5]
    retriever, _ = open_retriever(course, Path("none"))
    for query in ("lecture 2 optimisation course summer school", "department of statistics lecturer"):
        ranking = retriever.ranking(query)
        numbers = ranking.numbers.tolist()
        assert set(numbers[-2:]) == {1, 5}, numbers
        content = ranking.scores[:-2]
        assert (content[:-1] >= content[1:]).all() and len(set(content.tolist())) > 1  # content keeps its own scores
        assert ranking.scores[-2:].max() <= content.min()
        shown = [h.slide.number for h in retriever.search(query, k=8).slides]
        assert set(shown[-2:]) == {1, 5} and len(shown) == 8


def test_re_ingest_of_an_unchanged_deck_keeps_dividers(course: Path, tmp_path: Path) -> None:
    ingest([tmp_path / "course"], course, model="hash:64", progress=False)
    assert [s.number for s in load_index(course).slides if s.divider] == [1, 5]


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def test_ligatures_and_curly_quotes_never_reach_the_index(tmp_path: Path) -> None:
    if not DEJAVU.is_file():
        pytest.skip(f"a Unicode TrueType font is needed to write ligatures into a PDF ({DEJAVU})")
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", format=(148, 210))
    pdf.set_auto_page_break(False)
    pdf.add_font("dejavu", fname=str(DEJAVU))
    for title, line in [
        ("Oﬄine classiﬁcation", "▶ Hoeﬀding’s lemma bounds “nice” sums"),
        ("Online learning", "▶ Regret against the best expert"),
    ]:
        pdf.add_page()
        pdf.set_font("dejavu", size=16)
        pdf.text(12, 18, title)
        pdf.set_font("dejavu", size=11)
        pdf.text(14, 32, line)
    path = tmp_path / "ligatures.pdf"
    pdf.output(str(path))
    raw = __import__("pypdf").PdfReader(str(path)).pages[0].extract_text()
    assert "ﬁ" in raw and "ﬄ" in raw  # the PDF really holds the ligatures

    index_dir = tmp_path / "index"
    ingest([path], index_dir, model="hash:64", progress=False)
    index = load_index(index_dir)
    first = index.slide(1)
    assert first.title == "Offline classification"
    assert first.text.splitlines()[1] == '• Hoeffding\'s lemma bounds "nice" sums'
    texts = [s.title for s in index.slides] + [s.text for s in index.slides] + [c.text for c in index.chunks]
    assert all(unicodedata.normalize("NFKC", t) == t for t in texts)
    retriever, _ = open_retriever(index_dir, Path("none"))
    assert retriever.ranking("offline classification", "bm25").numbers[0] == 1
    assert retriever.ranking("Hoeﬀding’s lemma", "bm25").numbers[0] == 1  # the query is normalised too
    assert snippet(first, "hoeffding") == 'Hoeffding\'s lemma bounds "nice" sums'
