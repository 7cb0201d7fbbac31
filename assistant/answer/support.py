"""Every sentence of an answer, held to the slides it was given.

Support of a sentence by one slide is the mean of two signals:

- dense: the best cosine between the sentence and the slide's own chunk vectors in the index
  (the encoder that built the index, so no second model);
- lexical: the share of the sentence's content words (the index's tokenizer: stop words out,
  stemmed) that appear on the slide.

A sentence that quotes the slide (its words, in order, inside the slide text) is supported
outright: that is what an extractive answer writes, and it needs no encoding.

Support is about topic. ``SupportChecker.judge`` adds truth: a sentence that clears the support
threshold is then held line by line to the slide (``faithfulness.py``: flips, swapped pairings,
numbers and names found on neither the slides nor the question, new content words) and gets one of
four verdicts: supported, contradicted, not on the slides, unchecked. Only "supported" is shown as
supported. Answers (extractive and model), ``python -m assistant.check``, the study check and the
app all go through ``judge``.

``SUPPORT_THRESHOLD`` was calibrated without any bank question: the deck's own sentences are the
positives, out-of-scope text the negatives; ``python -m assistant.evaluation.support`` recomputes
it and prints the ROC point (see docs/answers.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answer import faithfulness as faith
from assistant.answer import wording
from assistant.answer.citations import (
    Sentence,
    cited_numbers,
    says_not_covered,
    strip_citations,
)
from assistant.answer.entailment import ENTAIL_FLOOR, ENTAIL_LINES, Entailment
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
class Judgement:
    """One sentence judged against given slides: the verdict, the slides and the slide line that decide it, and why."""

    text: str
    verdict: str  # one of faithfulness.VERDICTS
    slides: tuple[int, ...]  # supported: the slides that support it; otherwise the slide of the deciding line
    evidence: str  # the deciding slide line ("" when there is none)
    reason: str
    score: float  # the support (topic) score of the best slide

    @property
    def supported(self) -> bool:
        return self.verdict == faith.SUPPORTED


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
        question: str = "",
        entailment: Entailment | None = None,
    ) -> None:
        self.entailment = entailment
        self.slides = {s.number: s for s in slides}
        self.question = question
        self._lines = {s.number: faith.slide_lines(s) for s in slides}
        self._line_vectors: dict[int, np.ndarray] = {}
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
        vector = self._vector(text)
        assert vector is not None
        dense = max(0.0, float(np.max(vectors @ vector)))
        return DENSE_SHARE * dense + (1 - DENSE_SHARE) * lexical

    def best(self, text: str, allow_quote: bool = True) -> float:
        return max(self.scores(text, allow_quote).values(), default=0.0)

    def lines(self, number: int) -> list[faith.Line]:
        """The given slide's lines (title first), as the check aligns sentences to them."""
        return self._lines.get(number, [])

    def _vector(self, text: str) -> np.ndarray | None:
        if self.encode is None:
            return None
        vector = self._vectors.get(text)
        if vector is None:
            vector = self._vectors[text] = self.encode([text])[0]
        return vector

    def _line_cosine(self, text: str, numbers: Sequence[int]) -> float:
        """The best cosine between the sentence and one line of the slides (0 without an encoder)."""
        vector = self._vector(text)
        if vector is None or self.encode is None:
            return 0.0
        best = 0.0
        for n in numbers:
            rows = self._line_vectors.get(n)
            if rows is None:
                texts = [line.text for line in self._lines[n] if not line.title]
                rows = self._line_vectors[n] = self.encode(texts) if texts else np.zeros((0, len(vector)))
            if len(rows):
                best = max(best, float(np.max(rows @ vector)))
        return best

    def judge(self, text: str, numbers: Sequence[int] | None = None) -> Judgement:
        """The verdict on one sentence (citation markers removed) against the given slides ``numbers`` (default: all)."""
        chosen = [n for n in dict.fromkeys(numbers or self.order) if n in self.slides] or list(self.order)
        lines = [line for n in chosen for line in self._lines.get(n, [])]
        tokens = wording.words(text)
        if not chosen or not lines:
            return Judgement(text, faith.UNCHECKED, tuple(chosen), "", "the slides have no text to check against", 0.0)
        if not tokens:
            return Judgement(text, faith.UNCHECKED, tuple(chosen), "", "no content words to check", 0.0)
        scores = {n: self.score(text, n) for n in chosen}
        best = max(chosen, key=lambda n: (scores[n], -chosen.index(n)))
        titles = frozenset(t for n in chosen for t in wording.words(self.slides[n].title))
        line, _ = faith.align(tokens, lines, titles)
        evidence = line.text if line else ""
        where = (line.slide,) if line else (best,)
        normal = _normal(text)
        if len(normal) >= 8 and any(normal in self._normal[n] for n in chosen):  # a quotation of the slide
            return Judgement(text, faith.SUPPORTED, (best,), evidence, "quotes the slide", 1.0)
        if scores[best] < self.threshold:
            return Judgement(
                text, faith.NOT_ON_SLIDES, where, evidence, "about something the slides do not say", scores[best]
            )
        found = faith.contradiction(text, lines, titles, " / ".join(self.slides[n].title for n in chosen))
        if found is not None:
            at = found.line or line
            return Judgement(
                text, found.verdict, (at.slide,) if at else where, at.text if at else "", found.reason, scores[best]
            )
        known_text = "\n".join([self.question, *(self.slides[n].text for n in chosen)])
        specific = wording.invented_specific(text, known_text)
        if specific:
            return Judgement(
                text, faith.NOT_ON_SLIDES, where, evidence, f"{specific} is not on the slides", scores[best]
            )
        known = frozenset(wording.words(known_text))
        novel = wording.novel_words(text, known)
        claim = tokens - titles  # the title names the topic; the claim is in the other words
        if faith.says_more(len(novel), len(claim)) and self._line_cosine(text, chosen) < faith.PARAPHRASE_COSINE:
            return Judgement(
                text,
                faith.NOT_ON_SLIDES,
                where,
                evidence,
                "says more than the slides: " + ", ".join(novel),
                scores[best],
            )
        # The model reads a sentence against the line whose claim words it reuses (two or more beyond
        # the title's): the case rules miss, a line's words with its meaning changed.
        premises = [
            x.text
            for x in faith.ranked(tokens, lines, titles)
            if not x.title and len((tokens & x.tokens) - titles) >= 2
        ][:ENTAIL_LINES]
        if self.entailment is not None and premises:
            entailed = float(np.max(self.entailment.entailed([(p, text) for p in premises])))
            if entailed < ENTAIL_FLOOR:
                return Judgement(
                    text,
                    faith.UNCHECKED,
                    where,
                    evidence,
                    f"the slide line does not entail it ({entailed:.2f})",
                    scores[best],
                )
        kept = tuple(n for n in chosen if scores[n] >= self.threshold)
        return Judgement(text, faith.SUPPORTED, kept, evidence, "", scores[best])

    def check(self, raw: str) -> Verdict:
        """One sentence as a backend wrote it, markers and all.

        A marker stays only if its slide was given and supports the sentence; a sentence left
        without one gets the best-supporting given slide when that clears the threshold. Either
        way the sentence must then be judged supported (``judge``) to be shown.
        """
        cited = cited_numbers(raw)
        text = tidy(strip_citations(raw))
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
        judged = self.judge(text, kept or None)
        if not judged.supported:
            dropped += len(kept) - sum(n not in cited for n in kept)
            kept = []
        return Verdict(Sentence(text, tuple(kept), bool(kept), judged.verdict, judged.evidence), dropped, False)


def tidy(text: str) -> str:
    # Markdown list marks and emphasis a model adds are not part of the claim; control characters
    # (a terminal escape sequence) are not text anyone should be shown.
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = re.sub(r"^\s*(?:[-*\u2022]|\d+[.)])\s+", "", text)
    return " ".join(text.replace("**", "").split())


def checker_for(retriever, slides: Sequence[Slide], question: str = "", nli: bool = True) -> SupportChecker:
    """The checker for these slides with the retriever's encoder and the index's chunk vectors.

    ``question``: what the sentences answer; its numbers and names are not inventions. ``nli``:
    use the entailment model when it is installed (``assistant.answer.entailment``).
    """
    from assistant.answer.entailment import judge

    model = judge() if nli else None
    index = getattr(retriever, "index", None)
    if index is None:
        return SupportChecker(slides, question=question, entailment=model)
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
    return SupportChecker(slides, retriever.encoder.encode, vectors, question=question, entailment=model)


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
