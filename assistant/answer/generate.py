"""Answers that cite slides. One function, ``stream_answers``, serves the CLI, the web app and the eval.

Three backends:

- ``extractive`` (default, no model): one or two slides said whole, in their own words
  (``assistant.answer.extractive``). Deterministic and instant.
- ``llm``: a causal LM inside this process (``assistant.answer.llm``; the bundled SmolLM2 by default).
- ``server``: a model server that speaks the OpenAI-compatible chat API (``assistant.answer.server``):
  Ollama, vLLM, llama.cpp, LM Studio, ``transformers serve``.

Every sentence, whichever backend wrote it, is checked against the slides the answer was given
(``assistant.answer.support``): a citation stays only if its slide supports the sentence, a
sentence without one gets the best-supporting slide when the support clears the threshold, and a
sentence no given slide supports is left out of the answer (it stays in ``Answer.sentences``,
marked unsupported). Nothing survives: the answer abstains. A language model's answer streams by
sentence, each one shown only once checked, so no draft is ever shown and then withdrawn.

Before any of that, a query whose retrieval confidence (``assistant.retrieval.confidence``) is below
the calibrated threshold abstains without generating anything.

Slide text is data: it goes into the prompt only inside ``<source>`` blocks (``prompt.py``), and
whatever the model writes is held to the check, so a slide cannot make an answer cite what was not shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.answer.citations import ABSTENTION, Answer, Sentence, check
from assistant.answer.extractive import (
    DeckProfile,
    choose,
    extract,
    has_content,
    render,
    source_lines,
)
from assistant.answer.layout import without_notes
from assistant.answer.prompt import messages
from assistant.answer.support import SupportChecker, checked, checker_for
from assistant.retrieval.retriever import Result, SlideHit
from assistant.retrieval.terms import never_mentioned
from index.records import Slide

BACKENDS = ("extractive", "llm", "server")

MAX_SOURCES = 3  # slides an answer draws on: the top of the fused ranking
MAX_NEW_TOKENS = 160


def deck_profile(retriever) -> DeckProfile | None:
    """The deck's structure (its titles), computed once per loaded index."""
    index = getattr(retriever, "index", None)
    if index is None:
        return None
    cached = _profiles.get(id(index))
    if cached is None or cached[0] is not index:
        _profiles.clear()
        cached = _profiles[id(index)] = (index, DeckProfile(index.slides))
    return cached[1]


_profiles: dict[int, tuple[object, DeckProfile]] = {}


def sources(result: Result, limit: int = MAX_SOURCES, profile: DeckProfile | None = None) -> tuple[SlideHit, ...]:
    """The slides an answer may cite: the top ``limit`` hits with content (not image-only, agenda or divider slides)."""
    return tuple(h for h in result.slides if has_content(h.slide, profile))[:limit]


def _checker(retriever, slides: Sequence[Slide], question: str = "") -> SupportChecker:
    return (
        checker_for(retriever, slides, question) if retriever is not None else SupportChecker(slides, question=question)
    )


def _gate(
    hits: Sequence[SlideHit],
    backend: str,
    confidence: float | None,
    threshold: float | None,
    unknown: Sequence[str] = (),
) -> Answer | None:
    if backend not in BACKENDS:
        raise ValueError(f"unknown answer backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if not hits:
        return Answer(ABSTENTION, (), True, backend, 0, "no slides")
    if confidence is not None and threshold is not None and confidence < threshold:
        return Answer(ABSTENTION, (), True, backend, 0, "low confidence")
    if unknown:
        # The slides are close to the question, but a key term of it is on none of them: whatever
        # the nearest slides say would answer another question.
        said = never_mentioned(tuple(unknown))
        return Answer(f"{said[0].upper()}{said[1:]}. {ABSTENTION}", (), True, backend, 0, "unknown term")
    return None


def _extractive(result: Result, slides: Sequence[Slide], checker: SupportChecker, query: str) -> Answer:
    kept: list[tuple[Slide, list]] = []
    sentences: list[Sentence] = []
    for slide, bullets in extract(slides, query):
        good = []
        for bullet in bullets:
            # A note stands where the slide shows what its text lacks: it is ours, not a claim to check.
            judged = checker.judge(without_notes(bullet.sentence), [slide.number])
            supported = judged.supported
            sentences.append(
                Sentence(
                    bullet.sentence, (slide.number,) if supported else (), supported, judged.verdict, judged.evidence
                )
            )
            if supported:
                good.append(bullet)
        if good:
            kept.append((slide, good))
    if not kept:
        return Answer(ABSTENTION, (), True, "extractive", 0, "unsupported", tuple(sentences))
    cited = tuple(slide.number for slide, _ in kept)
    return Answer(render(kept), cited, False, "extractive", 0, "", tuple(sentences))


def shown_text(sentences: Sequence[Sentence]) -> str:
    """The answer as read: the supported sentences, each followed by its citations."""
    return " ".join(f"{s.text} " + " ".join(f"[slide {n}]" for n in s.slides) for s in sentences if s.supported)


def _citations(sentences: Sequence[Sentence]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(n for s in sentences if s.supported for n in s.slides))


def _language_model(
    backend: str, model: str | None, url: str | None, allow_remote: bool, timeout_s: float | None, api_key: str | None
):
    if backend == "server":
        from assistant.answer import server

        if not url:
            raise server.ModelServerError(f"the server backend needs --llm-url (or {server.ENV_URL})")
        return server.connect(url, model, allow_remote, timeout_s=timeout_s, api_key=api_key)
    from assistant.answer import llm

    return llm.load(model or llm.BUNDLED)


def stream_answers(
    result: Result,
    backend: str = "extractive",
    *,
    retriever=None,
    confidence: float | None = None,
    threshold: float | None = None,
    model: str | None = None,
    url: str | None = None,
    allow_remote: bool = False,
    timeout_s: float | None = None,
    api_key: str | None = None,
    max_new_tokens: int = MAX_NEW_TOKENS,
) -> Iterator[Answer]:
    """Answers as they grow, one checked sentence at a time (``reason == "partial"``), then the final one (last).

    ``retriever``: gives the support check the index's encoder and chunk vectors, and the deck's
    structure; without it the check is lexical only. ``confidence``/``threshold``: see
    ``assistant.retrieval.confidence``. ``model``: a name or path for ``llm`` (default: the bundled
    SmolLM2), the served model's name for ``server`` (default: the server's only model).
    ``url``/``allow_remote``/``timeout_s``/``api_key``: the model server (see ``assistant.answer.server``).
    """
    hits = sources(result, profile=deck_profile(retriever))
    gated = _gate(hits, backend, confidence, threshold, result.unknown)
    if gated is not None:
        yield gated
        return
    slides = [h.slide for h in hits]
    # The question as searched (typos corrected, acronyms spelled out from the deck): "CFG" names the slide's topic.
    normalise = getattr(retriever, "normalise", None)
    query = normalise(result.query) if normalise is not None else result.searched
    if backend == "extractive":
        yield _extractive(result, slides, _checker(retriever, slides, result.query), query)
        return
    lm = _language_model(backend, model, url, allow_remote, timeout_s, api_key)
    # A model reads what an extractive answer would quote: the top slide and a second only on the
    # question's topic, each as its whole points (lists with their items), and may cite only those.
    slides = choose(slides, query)
    checker = _checker(retriever, slides, result.query)
    lines = [(s.number, source_lines(s, query)) for s in slides]
    stream = lm.stream(messages(result.searched, lines), max_new_tokens=max_new_tokens)
    sentences: list[Sentence] = []
    dropped = 0
    model_abstains = False
    # A reply cut short (time or size limit) ends inside a sentence: that fragment is not checked.
    for verdict in checked(iter(stream), checker, finished=lambda: not getattr(stream, "cut", "")):
        dropped += verdict.dropped
        model_abstains |= verdict.abstains
        if verdict.sentence is None:
            continue
        sentences.append(verdict.sentence)
        if verdict.sentence.supported:
            yield Answer(
                shown_text(sentences), _citations(sentences), False, backend, dropped, "partial", tuple(sentences)
            )
    cited = _citations(sentences)
    note = getattr(stream, "cut", "")
    if cited:
        yield Answer(shown_text(sentences), cited, False, backend, dropped, "", tuple(sentences), note)
    else:
        reason = "model" if model_abstains else ("unsupported" if sentences else "no valid citation")
        yield Answer(ABSTENTION, (), True, backend, dropped, reason, tuple(sentences), note)


def answer(result: Result, backend: str = "extractive", **options) -> Answer:
    """Turn a retrieval result into an answer whose every sentence passed the check.

    ``options``: those of ``stream_answers``.
    """
    final: Answer | None = None
    for step in stream_answers(result, backend, **options):
        final = step  # every step is a complete answer so far; the last one is the answer
    assert final is not None
    return final


def stream_answer(result: Result, backend: str = "extractive", **options) -> Iterator[str]:
    """The answer text as it grows (sentence by checked sentence for a language model); the last item is final."""
    for partial in stream_answers(result, backend, **options):
        yield partial.text


__all__ = [
    "ABSTENTION",
    "BACKENDS",
    "Answer",
    "Sentence",
    "answer",
    "check",
    "sources",
    "stream_answer",
    "stream_answers",
]
