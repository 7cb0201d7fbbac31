"""Every sentence of an answer, held to the slides it was given.

Support of a sentence by one slide is the mean of two signals:

- dense: the best cosine between the sentence and the slide's own chunk vectors in the index
  (the encoder that built the index, so no second model);
- lexical: the share of the sentence's content words (the index's tokenizer: stop words out,
  stemmed) that appear on the slide.

A sentence that quotes the slide (its words, in order, inside the slide text) is supported
outright: that is what an extractive answer writes, and it needs no encoding.

``SUPPORT_THRESHOLD`` was calibrated without any bank question: the deck's own sentences are the
positives, out-of-scope text the negatives; ``python -m assistant.evaluation.support`` recomputes
it and prints the ROC point (see docs/answers.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answer.citations import (
    Sentence,
    cited_numbers,
    says_not_covered,
    strip_citations,
)
from index.lexical import tokenize
from index.records import Slide

# Recompute: python -m assistant.evaluation.support --index INDEX --negatives OTHER_COURSE_PDFS
# (real deck, all-MiniLM-L6-v2; negatives: the package's out_of_scope.txt and a second course's slides).
SUPPORT_THRESHOLD = 0.439  # ROC point: TPR 0.972, FPR 0.050 (1032 positives, 363 negatives), AUC 0.992
DENSE_SHARE = 0.5  # the rest is lexical coverage; equal shares, fixed before calibration

Encode = Callable[[list[str]], np.ndarray]


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def content_tokens(text: str) -> list[str]:
    return tokenize(text)


@dataclass(frozen=True)
class Verdict:
    """The check of one raw sentence: the sentence (None when it has no content words), markers removed."""

    sentence: Sentence | None
    dropped: int  # citation markers removed: not given, or not supporting
    abstains: bool  # the sentence says the slides do not cover the question


class SupportChecker:
    """Scores sentences against a fixed set of given slides.

    ``encode``: the index's encoder (``texts -> unit vectors``); ``chunk_vectors``: slide number ->
    that slide's chunk vectors. Without them the score is the lexical signal alone.
    """

    def __init__(
        self,
        slides: Sequence[Slide],
        encode: Encode | None = None,
        chunk_vectors: Mapping[int, np.ndarray] | None = None,
        threshold: float = SUPPORT_THRESHOLD,
    ) -> None:
        self.slides = {s.number: s for s in slides}
        self.order = [s.number for s in slides]
        self.encode = encode
        self.chunk_vectors = dict(chunk_vectors or {})
        self.threshold = threshold
        self._tokens = {s.number: set(content_tokens(s.text)) for s in slides}
        self._normal = {s.number: _normal(s.text) for s in slides}
        self._vectors: dict[str, np.ndarray] = {}

    def scores(self, text: str, allow_quote: bool = True) -> dict[int, float]:
        """Support of ``text`` by each given slide, in [0, 1]."""
        return {n: self.score(text, n, allow_quote) for n in self.order}

    def score(self, text: str, number: int, allow_quote: bool = True) -> float:
        """Support of ``text`` by the given slide ``number`` (0 for a slide that was not given)."""
        if number not in self.slides:
            return 0.0
        words = set(content_tokens(text))
        if not words:
            return 0.0
        normal = _normal(text)
        if allow_quote and len(normal) >= 8 and normal in self._normal[number]:
            return 1.0
        lexical = len(words & self._tokens[number]) / len(words)
        vectors = self.chunk_vectors.get(number)
        if self.encode is None or vectors is None or len(vectors) == 0:
            return lexical
        vector = self._vectors.get(text)
        if vector is None:
            vector = self._vectors[text] = self.encode([text])[0]
        dense = max(0.0, float(np.max(vectors @ vector)))
        return DENSE_SHARE * dense + (1 - DENSE_SHARE) * lexical

    def best(self, text: str, allow_quote: bool = True) -> float:
        return max(self.scores(text, allow_quote).values(), default=0.0)

    def check(self, raw: str) -> Verdict:
        """One sentence as a backend wrote it, markers and all.

        A marker stays only if its slide was given and supports the sentence; a sentence left
        without one gets the best-supporting given slide when that clears the threshold.
        """
        cited = cited_numbers(raw)
        text = _tidy(strip_citations(raw))
        if says_not_covered(text):
            return Verdict(None, len(cited), True)
        if not content_tokens(text):
            return Verdict(None, len(cited), False)
        scores = self.scores(text)
        kept = [n for n in dict.fromkeys(cited) if scores.get(n, 0.0) >= self.threshold]
        dropped = sum(n not in kept for n in cited)
        if not kept:
            best = max(self.order, key=lambda n: (scores[n], -self.order.index(n)))
            if scores[best] >= self.threshold:
                kept = [best]
        return Verdict(Sentence(text, tuple(kept), bool(kept)), dropped, False)


def _tidy(text: str) -> str:
    # Markdown list marks and emphasis a model adds are not part of the claim; control characters
    # (a terminal escape sequence) are not text anyone should be shown.
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = re.sub(r"^\s*(?:[-*\u2022]|\d+[.)])\s+", "", text)
    return " ".join(text.replace("**", "").split())


def checker_for(retriever, slides: Sequence[Slide]) -> SupportChecker:
    """The checker for these slides with the retriever's encoder and the index's chunk vectors."""
    index = getattr(retriever, "index", None)
    if index is None:
        return SupportChecker(slides)
    owners = index.chunk_slides
    vectors: dict[int, np.ndarray] = {}
    for s in slides:
        rows = np.flatnonzero(owners == s.number)
        try:
            vectors[s.number] = (
                np.stack([index.dense.reconstruct(int(i)) for i in rows]) if len(rows) else np.zeros((0, 1))
            )
        except RuntimeError:  # an index type that cannot give rows back: encode the slide's chunks instead
            vectors[s.number] = retriever.encoder.encode([index.chunks[int(i)].text for i in rows])
    return SupportChecker(slides, retriever.encoder.encode, vectors)


# -- sentences out of a stream of text pieces ---------------------------------------------------

_ABBREVIATIONS = {"e.g", "i.e", "vs", "cf", "fig", "eq", "al", "approx", "resp", "etc"}
# A sentence ends at . ! or ? (with any citation markers that follow it) when more text follows,
# or at a line break. The lookahead waits for the next non-space character, so a marker still
# arriving ("... blurry. [sli") stays with its sentence.
_END = re.compile(r"[.!?][\"')\u201d]*(?:\s*\[\s*slides?\s*[\d,\s\-\u2013and]*\])*(?=\s+[^\s\[])|\n")

_ENDED = re.compile(r"[.!?][\"')\u201d]*(?:\s*\[\s*slides?\s*[\d,\s\-\u2013and]*\])*\s*\Z")


# What may stand between a sentence end and the text that confirms it (closing quotes, citation
# markers, spaces), read backwards from the end of the text received so far.
_WAITING_TAIL = re.compile(r"[\"')\u201d\[\]\d,\-\u2013slidean\s]*")
_CONTEXT = 64  # characters kept before a waiting sentence end: the word an abbreviation check reads


class SentenceSplitter:
    """Feed text pieces; get whole sentences as soon as they are complete.

    Linear in the text however it is cut into pieces: each feed searches the new piece, and
    again only from the last sentence end still waiting for the text that confirms it (at most
    ``WINDOW`` characters back); a sentence is joined from its pieces once, when complete. A
    sentence end followed by more than ``WINDOW`` characters of markers and spaces before the
    next word is missed; its sentence then ends at the next one.
    """

    WINDOW = 256

    def __init__(self) -> None:
        self._settled: list[str] = []  # the current sentence's text that will not be searched again
        self._recent = ""  # its last characters: a waiting sentence end and the words before it
        self._scan_from = 0  # where in ``_recent`` the next search starts

    @property
    def buffer(self) -> str:
        return "".join(self._settled) + self._recent

    def feed(self, piece: str) -> list[str]:
        text = self._recent + piece
        out: list[str] = []
        start = 0  # where the current sentence begins in ``text`` (0: it began in ``_settled``)
        for match in _END.finditer(text, self._scan_from):
            if match.group(0) != "\n" and _ends_in_abbreviation(
                text[max(start, match.start() - _CONTEXT) : match.start() + 1]
            ):
                continue
            sentence = text[start : match.end()]
            if start == 0:
                sentence, self._settled = "".join(self._settled) + sentence, []
            if sentence.strip():
                out.append(sentence.strip())
            start = match.end()
        waiting = _waiting_end(text, max(start, len(text) - self.WINDOW))
        keep = max(start, waiting - _CONTEXT)
        if keep > start:
            self._settled.append(text[start:keep])
        self._recent = text[keep:]
        self._scan_from = waiting - keep
        return out

    def close(self) -> list[str]:
        rest = self.buffer.strip()
        self._settled, self._recent, self._scan_from = [], "", 0
        return [rest] if rest else []


def _waiting_end(text: str, floor: int) -> int:
    """The position of a sentence end in ``text[floor:]`` that more text could still confirm, else ``len(text)``."""
    run = _WAITING_TAIL.match(text[floor:][::-1]).end()  # type: ignore[union-attr]  # a * pattern always matches
    at = len(text) - run - 1
    return at if at >= floor and text[at] in ".!?" else len(text)


def _ends_in_abbreviation(text: str) -> bool:
    words = text.rstrip(".").split()
    if not words:
        return False
    last = words[-1].lower().strip("(")
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def split_sentences(text: str) -> list[str]:
    splitter = SentenceSplitter()
    return splitter.feed(text) + splitter.close()


def checked(
    pieces: Iterator[str], checker: SupportChecker, finished: Callable[[], bool] = lambda: True
) -> Iterator[Verdict]:
    """Verdicts, one per complete sentence, as the pieces arrive. The text after the last sentence
    end is checked as a sentence only if ``finished()`` says the pieces ended on their own, or if
    it ends as a sentence does (a reply cut while the next sentence had not begun)."""
    splitter = SentenceSplitter()
    for piece in pieces:
        for raw in splitter.feed(piece):
            yield checker.check(raw)
    complete = finished()
    for raw in splitter.close():
        if complete or _ENDED.search(raw):  # cut short: only a sentence that had ended is checked
            yield checker.check(raw)
