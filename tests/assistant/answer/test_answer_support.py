"""The sentence check: splitting a stream into sentences and holding each to the slides given."""

from __future__ import annotations

from assistant.answer.support import SentenceSplitter, SupportChecker, split_sentences
from index.records import Slide

SLIDES = [
    Slide(
        2,
        "d",
        2,
        "SGD with Momentum",
        "SGD with Momentum\nMomentum averages previous steps\nReduces noise in the update direction",
    ),
    Slide(
        3,
        "d",
        3,
        "Self-attention",
        "Self-attention\nEach token maps to key, query and value\nAttention is a softmax over dot products",
    ),
]


def test_sentences_split_after_their_citations_and_not_inside_abbreviations() -> None:
    text = (
        "Momentum averages steps, e.g. in SGD [slide 2]. Attention uses a softmax [slide 3]\n- a bullet line\nlast one"
    )
    assert split_sentences(text) == [
        "Momentum averages steps, e.g. in SGD [slide 2].",
        "Attention uses a softmax [slide 3]",
        "- a bullet line",
        "last one",
    ]


def test_streaming_pieces_give_the_same_sentences_and_wait_for_a_marker() -> None:
    text = "Momentum averages steps. [slide 2] Attention uses a softmax [slide 3]. Done."
    splitter = SentenceSplitter()
    got: list[str] = []
    for i in range(len(text)):
        got += splitter.feed(text[i])
    got += splitter.close()
    assert (
        got
        == split_sentences(text)
        == ["Momentum averages steps. [slide 2]", "Attention uses a softmax [slide 3].", "Done."]
    )
    partial = SentenceSplitter()
    assert partial.feed("Momentum averages steps. [sli") == []  # the marker may still belong to it


def test_markers_stay_only_where_the_slide_supports_the_sentence() -> None:
    checker = SupportChecker(SLIDES, threshold=0.5)
    kept = checker.check("Momentum averages previous steps [slide 2].")
    assert kept.sentence.slides == (2,) and kept.sentence.supported and kept.dropped == 0
    moved = checker.check("Attention is a softmax over dot products [slide 2].")
    assert (
        moved.sentence.slides == (3,) and moved.dropped == 1
    )  # the wrong slide is replaced by the one that supports it
    found = checker.check("Each token maps to a query, a key and a value.")
    assert found.sentence.slides == (3,)
    invented = checker.check("Paris is the capital of France [slide 9].")
    assert not invented.sentence.supported and invented.sentence.slides == () and invented.dropped == 1
    assert checker.check("The slides do not cover this.").abstains
    assert checker.check("[slide 2].").sentence is None


def test_a_quote_is_supported_and_other_slides_score_by_overlap() -> None:
    checker = SupportChecker(SLIDES)
    assert checker.score("reduces noise in the update direction", 2) == 1.0
    assert checker.score("reduces noise in the update direction", 2, allow_quote=False) == 1.0  # lexical only here
    assert checker.score("reduces noise in the update direction", 3) < 0.2
    assert checker.score("anything", 99) == 0.0


def test_a_sentence_is_shown_without_control_characters_or_markdown_marks() -> None:
    verdict = SupportChecker(SLIDES).check("- **Momentum** averages\x1b[2J previous\x07 steps [slide 2].")
    assert verdict.sentence is not None and verdict.sentence.text == "Momentum averages [2J previous steps."
    assert verdict.sentence.slides == (2,)
