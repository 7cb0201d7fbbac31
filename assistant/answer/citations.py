"""The answer record and the check every answer passes before anyone sees it.

No project imports: the GPU benchmark uses it with only torch and transformers installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

ABSTENTION = "The slides do not cover this."

# "[slide 12]", "[Slide 12, 14]", "[slides 3-5]". A bare "[12]" is not a citation: slide text is full
# of bracketed numbers (intervals like [0, 1], references) that must stay text.
_CITATION = re.compile(r"\[\s*slides?\s*(\d+(?:\s*(?:,|and|[-\u2013])\s*\d+)*)\s*\]", re.IGNORECASE)
_ABSTAIN_SAYINGS = re.compile(
    r"(slides|sources)\s+(do|does)\s+not\s+(cover|answer|mention)|not covered (in|by) the (slides|sources)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    """One checked sentence: its text (citation markers removed) and the given slides that support it.

    ``supported`` is False when no slide the answer was given clears the support threshold; such a
    sentence keeps no slide and is never shown as part of the answer.
    """

    text: str
    slides: tuple[int, ...]
    supported: bool
    verdict: str = ""  # supported, contradicted, not on the slides, unchecked ("" when not judged)
    evidence: str = ""  # the slide line that decided the verdict


@dataclass(frozen=True)
class Answer:
    text: str
    citations: tuple[int, ...]  # valid slide numbers, in order of first citation
    abstained: bool
    backend: str
    dropped: int = (
        0  # citation markers removed: a slide that was not provided, or one that does not support its sentence
    )
    reason: str = ""  # why it abstained: "no slides", "low confidence", "model", "no valid citation", "unsupported", "unknown term"; "partial" while streaming
    sentences: tuple[Sentence, ...] = ()  # every sentence the backend wrote, checked, supported or not
    note: str = ""  # why the backend's text was cut short (a time or size limit), for the reader

    @property
    def unsupported(self) -> int:
        return sum(not s.supported for s in self.sentences)


def cited_numbers(text: str) -> list[int]:
    """Every slide number the citation markers in ``text`` name, in order (repeats kept)."""
    return [n for match in _CITATION.finditer(text) for n in _numbers(match.group(1))]


def strip_citations(text: str) -> str:
    """``text`` without its citation markers, spaces before punctuation tidied.

    Quoted slide text goes through it too: a slide must not bring citations of its own.
    """
    body = _CITATION.sub(" ", text)
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", body)).strip()


def citations_as_text(text: str) -> str:
    """``text`` with its citation markers written as plain words ("[slide 1]" becomes "slide 1").

    For quoting a slide in an answer: the slide's own reference is kept as the slide says it, but can
    no longer be read as a citation of the answer (a bare "slide 1" is not one, see ``_CITATION``).
    """
    return _CITATION.sub(lambda match: " ".join(match.group(0)[1:-1].split()), text)


def says_not_covered(text: str) -> bool:
    """True for a sentence that says the sources do not answer (a model's own abstention)."""
    return bool(_ABSTAIN_SAYINGS.search(text)) or ABSTENTION.lower().rstrip(".") in text.lower()


def _numbers(inner: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|and)\s*", inner):
        bounds = [int(x) for x in re.split(r"\s*[-\u2013]\s*", part) if x.strip().isdigit()]
        if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] <= 20:
            out.extend(range(bounds[0], bounds[1] + 1))
        else:
            out.extend(bounds)
    return out


def check(text: str, allowed: Sequence[int], backend: str) -> Answer:
    """Keep citations to ``allowed`` slides (rewritten as ``[slide N]``), drop and count the rest.

    An answer that says the slides do not cover the question, or that keeps no valid citation,
    becomes the abstention.
    """
    allowed_set = set(allowed)
    cited: list[int] = []
    dropped = 0

    def rewrite(match: re.Match[str]) -> str:
        nonlocal dropped
        numbers = _numbers(match.group(1))
        kept = [n for n in numbers if n in allowed_set]
        dropped += len(numbers) - len(kept)
        for n in kept:
            if n not in cited:
                cited.append(n)
        return " ".join(f"[slide {n}]" for n in dict.fromkeys(kept))

    body = _CITATION.sub(rewrite, text)
    body = re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", body)).strip()
    # A model that says the slides do not cover the question abstains; an extractive answer only
    # quotes slides, and a slide that says so is quoted like any other line, never obeyed.
    if backend != "extractive" and (_ABSTAIN_SAYINGS.search(body) or ABSTENTION.lower().rstrip(".") in body.lower()):
        return Answer(ABSTENTION, (), True, backend, dropped, "model")
    if not cited:
        return Answer(ABSTENTION, (), True, backend, dropped, "no valid citation")
    return Answer(body, tuple(cited), False, backend, dropped)
