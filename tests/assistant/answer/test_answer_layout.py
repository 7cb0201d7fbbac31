"""What completes a line ending in ":" (its items, a formula, or something else the text lacks), a
long slide trimmed by whole bullets, a second slide only on the question's topic, and the study
answer key in the answer's own text. Generated slides, one rule each."""

from __future__ import annotations

from assistant.answer.extractive import (
    Bullet,
    choose,
    extract,
    key_points,
    parse_bullets,
    pick_bullets,
    render,
)
from assistant.answer.layout import FORMULA, ON_SLIDE, completion, is_math, topic_words
from index.records import Slide

B = "\u2022 "


def slide(number: int, title: str, *lines: str) -> Slide:
    return Slide(number, "deck", number, title, "\n".join([title, *lines]))


def heads(s: Slide) -> list[tuple[str, tuple[str, ...]]]:
    return [(b.text, b.children) for b in parse_bullets(s)]


# A list slide: each line ending in "at:" is followed by its items.
TREES = (
    B + "They are good at:",
    B + "Speed \u2013 they train in seconds",
    B + "Clarity \u2013 a person can read them",
    B + "They are poor at:",
    B + "Smoothness \u2013 their boundaries are steps",
)


def test_a_list_keeps_its_items_after_a_line_ending_in_a_preposition() -> None:
    s = slide(
        1,
        "Compare with trees",
        *TREES,
        B + "Pruning them by:",
        B + "Limiting depth",
        B + "Merging leaves",
    )
    assert heads(s) == [
        ("They are good at:", ("Speed \u2013 they train in seconds", "Clarity \u2013 a person can read them")),
        ("They are poor at:", ("Smoothness \u2013 their boundaries are steps",)),
        ("Pruning them by:", ("Limiting depth", "Merging leaves")),
    ]
    assert FORMULA not in render(extract([s], "what are trees good at"))


def test_a_formula_note_only_where_something_the_text_lacks_stands() -> None:
    s = slide(
        2,
        "Losses",
        B + "The hinge loss is given by:",  # always an expression: the lines after it explain it
        B + "The margin t is the score times the label",
        B + "It is zero beyond the margin",
        B + "Solution provided by the heat equation:",  # the next line speaks of what was shown
        B + "This is a deterministic equation",
        B + "Consider this architecture:",  # a figure, not a formula: nothing follows
    )
    assert heads(s) == [
        (f"The hinge loss is given by {FORMULA}", ()),
        ("The margin t is the score times the label", ()),
        ("It is zero beyond the margin", ()),
        (f"Solution provided by the heat equation {FORMULA}", ()),
        ("This is a deterministic equation", ()),
        (f"Consider this architecture {ON_SLIDE}", ()),
    ]


def test_a_formula_written_in_the_text_is_the_lines_completion() -> None:
    s = slide(3, "Updates", B + "The update is:", B + "w(t+1) = w(t) - \u03b7 g(t)", B + "Regularisation:")
    assert heads(s)[0] == ("The update is:", ("w(t+1) = w(t) - \u03b7 g(t)",))  # no note: the formula is there
    assert is_math("\u2203\u03b2 > 0 such that f(y) \u2264 f(x)") and not is_math("Advance time t = t - dt")


def test_what_completes_a_line_by_its_evidence() -> None:
    assert completion("Sampling steps:", ["Start from noise", "Denoise step by step"]) == "items"
    # One plain line after a line that may announce a formula: the formula stands between.
    assert completion("Reverse process using:", ["Advance time"]) == "formula"
    assert completion("Reverse process using:", ["Advance time", "Repeat", "Stop at zero"]) == "items"
    assert completion("In the end we have:", []) == "formula"
    assert completion("Examples:", []) == "unseen"
    assert completion("Bound the number of samples:", ["Which grows with the class size"]) == "unseen"
    # A question ending on a preposition is a whole line, not one waiting for a formula.
    assert heads(slide(4, "Limits", B + "Which tasks are networks not good at?")) == [
        ("Which tasks are networks not good at?", ())
    ]


def test_a_short_slide_is_said_whole_and_a_long_one_keeps_whole_bullets() -> None:
    short = [Bullet(f"Point {i} about regularisation") for i in range(8)]
    assert pick_bullets(short, "what is dropout") == short
    filler = "this sentence carries enough words to make the slide long for an answer"
    long = [Bullet(f"Point {i} {filler}") for i in range(9)]
    long[7] = Bullet("Dropout works by:", ("Zeroing random units", "Scaling the rest", "Only while training"))
    kept = pick_bullets(long, "how does dropout work")
    assert len(kept) == 6 and long[7] in kept  # the list that answers comes with every item
    assert kept == [b for b in long if b in kept]  # slide order


def test_a_second_slide_only_on_the_questions_topic() -> None:
    guidance = slide(196, "Classifier-Free Guidance", B + "Conditioning alone is often insufficient")
    why = slide(101, "Why Learn So Many Paradigms", B + "All have pros and cons")
    # "why" shapes the question; it is not its topic, so a title starting with "Why" is no match.
    assert [s.number for s in choose([guidance, why], "why is CFG's \u03c9 a tradeoff?")] == [196]
    tradeoff = slide(150, "Guidance strength", B + "A larger \u03c9 is a tradeoff between fidelity and diversity")
    assert [s.number for s in choose([guidance, tradeoff], "why is CFG's \u03c9 a tradeoff?")] == [196, 150]
    assert topic_words("Explain why dropout helps") == topic_words("dropout helps")


def test_the_study_answer_key_is_the_answers_text_with_citations() -> None:
    s = slide(30, "Compare with trees", *TREES)
    other = slide(31, "Forests", B + "Many trees vote [slide 2]")
    key = key_points([s, other], "what are trees good at")
    assert key.splitlines() == [
        "- They are good at: [slide 30]",
        "  - Speed \u2013 they train in seconds",
        "  - Clarity \u2013 a person can read them",
        "- They are poor at: [slide 30]",
        "  - Smoothness \u2013 their boundaries are steps",
        "- Many trees vote slide 2 [slide 31]",  # the slide's own markup is words, as in the answer
    ]
    answer_lines = [
        line.removeprefix("  ").removeprefix("- ") for line in render(extract([s], "trees")).splitlines()[1:]
    ]
    key_lines = [
        line.removeprefix("  ").removeprefix("- ").removesuffix(" [slide 30]") for line in key.splitlines()[:5]
    ]
    assert answer_lines == key_lines
