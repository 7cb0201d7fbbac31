"""The extractive answer reads: whole bullets by slide, colons completed, navigation dropped, one or two slides."""

from __future__ import annotations

import re

import pytest

from assistant.answer.extractive import (
    DeckProfile,
    RenderedLine,
    choose,
    display_title,
    extract,
    is_navigation,
    parse_bullets,
    read_rendered,
    render,
)
from assistant.answer.layout import FORMULA
from index.records import Slide


def slide(number: int, title: str, *lines: str) -> Slide:
    return Slide(number, "deck", number, title, "\n".join([title, *lines]))


def test_sub_bullets_stay_with_their_parent_and_wraps_join() -> None:
    s = slide(
        1,
        "Optimisers",
        "\u2022 Adaptive methods scale the step",
        "\u2013 Adam keeps two moments",
        "\u2013 RMSProp keeps one",
        "\u2022 Momentum averages",
        "previous steps",
    )
    bullets = parse_bullets(s)
    assert [(b.text, b.children) for b in bullets] == [
        ("Adaptive methods scale the step", ("Adam keeps two moments", "RMSProp keeps one")),
        ("Momentum averages previous steps", ()),
    ]


def test_a_colon_brings_its_completion_or_says_formula() -> None:
    s = slide(
        2,
        "Sampling",
        "\u2022 Limitations:",
        "\u2022 Blurry results",
        "\u2022 Slow sampling",
        "\u2022 Estimate score using",
        "\u2022 Reverse process using:",
        "\u2022 Advance time",
    )
    bullets = parse_bullets(s)
    assert bullets[0].text == "Limitations:" and bullets[0].children == ("Blurry results", "Slow sampling")
    # "using:" promises a formula, not a list: the next bullet is not taken as its completion.
    assert [b.text for b in bullets[1:]] == [
        f"Estimate score using {FORMULA}",
        f"Reverse process using {FORMULA}",
        "Advance time",
    ]
    last = parse_bullets(slide(3, "Bound", "\u2022 Using Jensen's inequality:"))
    assert last[0].text == f"Using Jensen's inequality {FORMULA}"


@pytest.mark.parametrize(
    "line, nav",
    [
        ("Last week: variational models", True),
        ("This week \u2013 a new type of model", True),
        ("Week 5", True),
        ("We will devote the next lecture to implementation", True),
        ("Course overview (you are here)", True),
        ("Noise added at the next time step", False),
        ("Auto-regressive models (this week)", False),
        ("Weekly averages of the loss", False),
    ],
)
def test_navigation_lines(line: str, nav: bool) -> None:
    assert is_navigation(line) is nav


def test_navigation_is_dropped_and_bracketed_pointers_removed() -> None:
    s = slide(
        4,
        "Limitations of AR Models",
        "\u2022 Last week: autoregressive models",
        "\u2022 Inference is slow (next slide)",
        "\u2022 Auto-regressive (this week)",
    )
    assert [b.text for b in parse_bullets(s)] == ["Inference is slow", "Auto-regressive"]
    assert display_title(slide(5, "This Week: Models without Point Estimates")) == "Models without Point Estimates"


def test_agenda_and_divider_slides_are_recognised_from_the_deck() -> None:
    deck = [
        slide(1, "Plan", "\u2022 Kernels", "\u2022 Margins", "\u2022 Duality"),
        slide(2, "Kernels", "\u2022 A kernel is an inner product in feature space"),
        slide(3, "Margins", "\u2022 The margin is the distance to the boundary"),
        slide(4, "Duality", "\u2022 The dual problem depends only on inner products"),
        slide(5, "Weeks 3-4: Kernels", "\u2022 Week 3:", "\u2022 Kernels", "\u2022 Week 4:", "\u2022 Margins"),
    ]
    profile = DeckProfile(deck)
    assert [profile.is_agenda(s) for s in deck] == [True, False, False, False, True]


def test_one_or_two_slides_in_slide_order_and_deterministic() -> None:
    a = slide(10, "Diffusion in practice - training", "\u2022 Train a denoiser on noisy samples")
    b = slide(11, "Diffusion in practice - sampling", "\u2022 Start from noise and denoise step by step")
    c = slide(40, "Kernels", "\u2022 A kernel is an inner product")
    picked = choose([b, c, a], "how do we sample from a diffusion model")
    assert [s.number for s in picked] == [10, 11]  # neighbours on one topic, read in order
    text = render(extract([b, c, a], "how do we sample from a diffusion model"))
    assert (
        text.startswith("Slide 10 \u2014 Diffusion in practice - training\n- Train a denoiser")
        and "Slide 40" not in text
    )
    assert text == render(extract([b, c, a], "how do we sample from a diffusion model"))
    assert all(not re.search(r":\s*$", line) for line in text.splitlines())


def test_a_slides_own_citation_markup_is_quoted_as_words_and_read_back_as_text() -> None:
    s = slide(7, "Exam logistics [slide 3]", "\u2022 Explained on [slide 1]", "\u2013 see [Slides 4-5] too")
    text = render(extract([s], "exam logistics"))
    assert "[" not in text and "Explained on slide 1" in text and "see Slides 4-5 too" in text
    assert read_rendered(text) == [
        RenderedLine("heading", "Exam logistics slide 3", 7),
        RenderedLine("point", "Explained on slide 1"),
        RenderedLine("sub", "see Slides 4-5 too"),
    ]


def test_slide_text_shaped_like_a_heading_stays_a_bullet() -> None:
    s = slide(8, "Outline of a proof", "\u2022 Slide 3 \u2014 a heading-looking line")
    lines = read_rendered(render(extract([s], "proof heading")))
    assert [line.kind for line in lines] == ["heading", "point"] and lines[0].slide == 8
