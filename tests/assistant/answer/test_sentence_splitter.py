"""Sentences out of a stream of pieces: the same split however the text is cut, in linear time.

A model server may send a reply without any sentence end in thousands of pieces; splitting used
to rescan everything received so far on every piece (16,000 pieces: 7.1 s). Linear is proven by
counting the characters the splitter looks at, not by timing; the time is printed.
"""

from __future__ import annotations

import time

import pytest

from assistant.answer import support
from assistant.answer.support import SentenceSplitter, split_sentences

TEXT = (
    'Momentum averages past steps, e.g. the last few [slide 2]. It is "fast." Then, i.e. roughly, '
    "it damps noise [slides 3, 4]. Done!\nA new line? Yes [slide 5] and more text"
)


def pieces_of(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def fed(pieces: list[str]) -> list[str]:
    splitter = SentenceSplitter()
    out = [sentence for piece in pieces for sentence in splitter.feed(piece)]
    return out + splitter.close()


def test_the_split_does_not_depend_on_how_the_text_is_cut() -> None:
    whole = split_sentences(TEXT)
    assert whole == [
        "Momentum averages past steps, e.g. the last few [slide 2].",
        'It is "fast."',
        "Then, i.e. roughly, it damps noise [slides 3, 4].",
        "Done!",
        "A new line?",
        "Yes [slide 5] and more text",
    ]
    for size in (1, 2, 3, 7, 50):
        assert fed(pieces_of(TEXT, size)) == whole


def test_a_sentence_longer_than_the_window_stays_whole() -> None:
    long = "word " * 400 + "end [slide 2]. Next one."
    assert fed(pieces_of(long, 3)) == ["word " * 399 + "word end [slide 2].", "Next one."]


class Counting:
    """The sentence-end pattern, counting the characters each search looks at."""

    def __init__(self, pattern) -> None:
        self.pattern = pattern
        self.looked = 0

    def finditer(self, text: str, *args):
        self.looked += len(text) - (args[0] if args else 0)
        return self.pattern.finditer(text, *args)


@pytest.mark.parametrize("piece", ["word ", "e.g. ", " ", "x"], ids=["words", "abbreviations", "spaces", "one-word"])
def test_16000_pieces_without_a_sentence_end_split_in_linear_time(piece: str, monkeypatch: pytest.MonkeyPatch) -> None:
    counting = Counting(support._END)
    monkeypatch.setattr(support, "_END", counting)
    abbreviation = support._ends_in_abbreviation
    checked = [0]

    def counted(text: str) -> bool:
        checked[0] += len(text)
        return abbreviation(text)

    monkeypatch.setattr(support, "_ends_in_abbreviation", counted)
    n = 16_000
    started = time.perf_counter()
    splitter = SentenceSplitter()
    assert all(splitter.feed(piece) == [] for _ in range(n))
    rest = splitter.close()
    elapsed = time.perf_counter() - started
    assert rest == ([(piece * n).strip()] if piece.strip() else [])
    per_piece = (counting.looked + checked[0]) / n
    print(f"\n{n} pieces of {piece!r}: {elapsed:.3f} s, {per_piece:.0f} characters looked at per piece")
    # A bound per piece that does not grow with the reply: linear in all. Rescanning the reply so far
    # looks at 5 * 16,000 / 2 = 40,000 characters per piece on average.
    assert per_piece <= SentenceSplitter.WINDOW
