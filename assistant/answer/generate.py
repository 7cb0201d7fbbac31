"""Answers that cite slides. One function, ``answer``, serves the CLI and the web app.

Two backends:

- ``extractive`` (default, no model): the bullets of the top slides that share the most words
  with the query, in slide order, each followed by ``[slide N]``. Deterministic and instant.
- ``llm``: a local causal LM (``assistant.llm``, imported only here and only then) given the
  retrieved slides as numbered sources and asked for short sentences, each ending in ``[slide N]``.

Every answer passes the same check (``check``): citations to slides that were not given are
removed and counted, and an answer left with no valid citation becomes ``ABSTENTION``. Before
any of that, a query whose retrieval confidence (``assistant.confidence``) is below the
calibrated threshold abstains without generating anything.

Slide text is data: it goes into the prompt only inside ``<source>`` blocks, stripped of
anything that could close the block, after the instructions; and whatever the model then
writes is held to the citation check, so a slide cannot make an answer cite what was not shown.
"""

from __future__ import annotations

from typing import Iterator

from assistant.answer.citations import ABSTENTION, Answer, check, strip_citations
from assistant.answer.prompt import messages
from assistant.retrieval.retriever import Result, SlideHit
from assistant.slide_text import bullets
from index.lexical import tokenize

BACKENDS = ("extractive", "llm")

MAX_SOURCES = 3  # slides an answer draws on: the top of the fused ranking
EXTRACT_BULLETS = 4  # bullets in an extractive answer
MAX_NEW_TOKENS = 160


def sources(result: Result, limit: int = MAX_SOURCES) -> tuple[SlideHit, ...]:
    """The slides an answer may cite: the top ``limit`` hits that have text."""
    return tuple(h for h in result.slides if not h.slide.image_only)[:limit]


# -- extractive ----------------------------------------------------------------------------------


def extract(result: Result, n_bullets: int = EXTRACT_BULLETS) -> str:
    """The bullets of the top slides that share most words with the query, each with its slide.

    Bullets sharing no word with the query are left out, except that the top slide always gives
    its best bullet (retrieval may match it by meaning rather than words).
    """
    wanted = set(tokenize(result.query))
    scored: list[tuple[int, int, int, str, int]] = []  # (-overlap, source rank, bullet index, text, slide)
    for rank, hit in enumerate(sources(result)):
        lines = bullets(hit.slide) or ([hit.slide.title] if hit.slide.title else [])
        for i, line in enumerate(lines):
            overlap = len(wanted & set(tokenize(line)))
            if overlap or (rank == 0 and i == 0):
                scored.append((-overlap, rank, i, line, hit.slide.number))
    picked = sorted(scored)[:n_bullets]
    picked.sort(key=lambda t: (t[1], t[2]))  # source rank, then the slide's own order
    return "\n".join(f"- {_sentence(text)} [slide {number}]" for _, _, _, text, number in picked)


def _sentence(text: str) -> str:
    return " ".join(strip_citations(text).split()).rstrip(" .;:")


# -- the entry points ----------------------------------------------------------------------------


def _gate(result: Result, backend: str, confidence: float | None, threshold: float | None) -> Answer | None:
    if backend not in BACKENDS:
        raise ValueError(f"unknown answer backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if not sources(result):
        return Answer(ABSTENTION, (), True, backend, 0, "no slides")
    if confidence is not None and threshold is not None and confidence < threshold:
        return Answer(ABSTENTION, (), True, backend, 0, "low confidence")
    return None


def stream_answers(
    result: Result,
    backend: str = "extractive",
    *,
    confidence: float | None = None,
    threshold: float | None = None,
    model: str | None = None,
    max_new_tokens: int = MAX_NEW_TOKENS,
) -> Iterator[Answer]:
    """Answers as they grow: unchecked drafts while an LLM writes, then the checked final one (last).

    ``confidence``/``threshold``: see ``assistant.confidence``; below the threshold the answer
    abstains before any model runs. ``model``: a name or path for the LLM backend (default: the
    bundled SmolLM2 GGUF).
    """
    gated = _gate(result, backend, confidence, threshold)
    if gated is not None:
        yield gated
        return
    hits = sources(result)
    allowed = [h.slide.number for h in hits]
    if backend == "extractive":
        yield check(extract(result), allowed, backend)
        return
    from assistant.answer import llm

    lm = llm.load(model or llm.BUNDLED)
    text = ""
    for piece in lm.stream(
        messages(result.query, [(h.slide.number, h.slide.text) for h in hits]), max_new_tokens=max_new_tokens
    ):
        text += piece
        yield Answer(text, (), False, backend, 0, "draft")
    yield check(text, allowed, backend)


def answer(result: Result, backend: str = "extractive", **options) -> Answer:
    """Turn a retrieval result into an answer whose every citation is a slide it was given.

    ``options``: ``confidence``, ``threshold``, ``model``, ``max_new_tokens`` (see ``stream_answers``).
    """
    final: Answer | None = None
    for step in stream_answers(result, backend, **options):
        final = step  # every step is a complete answer so far; the last one is the answer
    assert final is not None
    return final


def stream_answer(result: Result, backend: str = "extractive", **options) -> Iterator[str]:
    """The answer text as it grows (token by token for a language model); the last item is final."""
    for partial in stream_answers(result, backend, **options):
        yield partial.text


__all__ = ["ABSTENTION", "BACKENDS", "Answer", "answer", "check", "stream_answer", "stream_answers"]
