"""The answer part of ``python -m assistant.query --answer`` / ``--llm`` / ``--llm-url``: print, stream, or JSON."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.answer.citations import Answer
from assistant.answer.confidence import calibrate, query_confidence
from assistant.answer.generate import stream_answers
from assistant.retrieval.results import GroupedResult
from assistant.retrieval.retriever import Result, Retriever
from assistant.ui.terminal import format_text
from index.errors import SlidebankError
from index.terminal import safe


@dataclass(frozen=True)
class AnswerSettings:
    """Which backend writes the answer, and where it runs."""

    backend: str = "extractive"
    model: str | None = None  # llm: name or path; server: the served model's name (None: its only one)
    url: str | None = None
    allow_remote: bool = False

    def check(self) -> None:
        """Fail fast on what can be known without a connection or a model load (a bad path, a remote URL)."""
        if self.backend == "llm":
            from assistant.answer.llm import BUNDLED, resolve

            resolve(self.model or BUNDLED)
        elif self.backend == "server":
            from assistant.answer.server import check_url

            check_url(self.url or "", self.allow_remote)


def answer_json(
    final: Answer | None, confidence: float | None = None, threshold: float | None = None, error: str | None = None
) -> dict | None:
    """The ``"answer"`` object of ``--answer --json`` and ``--answer --batch``."""
    if final is None:
        return None
    return {
        "text": final.text,
        "sentences": [{"text": s.text, "slides": list(s.slides), "supported": s.supported} for s in final.sentences],
        "abstained": final.abstained,
        "backend": final.backend,
        "reason": final.reason,
        "citations": list(final.citations),
        "dropped": final.dropped,
        "confidence": confidence,
        "threshold": threshold,
    }


class Answerer:
    """Answers many queries with one calibration and one model (loaded on the first answer)."""

    def __init__(self, retriever: Retriever, settings: AnswerSettings) -> None:
        self.retriever = retriever
        self.settings = settings
        self.threshold = calibrate(retriever)

    def stream(self, result: Result) -> tuple[float | None, Iterator[Answer]]:
        confidence = query_confidence(self.retriever, result.query)
        s = self.settings
        steps = stream_answers(
            result,
            s.backend,
            retriever=self.retriever,
            confidence=confidence,
            threshold=self.threshold,
            model=s.model,
            url=s.url,
            allow_remote=s.allow_remote,
        )
        return confidence, steps

    def to_json(self, result: Result) -> tuple[dict, str | None]:
        """(the answer object, or None; the error message, or None)."""
        confidence, steps = self.stream(result)
        final = None
        try:
            for step in steps:
                final = step  # every step is the answer so far; the last one is the answer
        except SlidebankError as exc:
            return {"answer": None, "answer_error": str(exc)}, str(exc)
        return {"answer": answer_json(final, confidence, self.threshold)}, None


def _notes(final: Answer) -> None:
    if final.dropped:
        print(
            f"note: removed {final.dropped} citation(s) of slides that were not given or do not support the sentence",
            file=sys.stderr,
        )
    if final.unsupported:
        print(f"note: left out {final.unsupported} sentence(s) that the given slides do not support", file=sys.stderr)


def print_answer(
    retriever: Retriever,
    result: Result,
    settings: AnswerSettings,
    as_json: bool,
    view: GroupedResult | None = None,
    show_all: bool = False,
) -> int:
    """Slides and bank matches as usual, then the answer to ``result`` (the ranked slides it draws on);
    a language model's sentence by checked sentence.

    ``view``: the search as the page shows it without an answer (the grouped view, or exactly -k
    slides), so asking for an answer never changes the slide list; without it, ``result``'s slides.
    A failing backend is one ``error:`` line after the slides, which are shown regardless.
    """
    import json

    from assistant.ui.terminal import format_grouped, grouped_to_json, result_to_json

    answerer = Answerer(retriever, settings)
    if as_json:
        out = grouped_to_json(view) if view is not None else result_to_json(result)
        extra, error = answerer.to_json(result)
        out.update(extra)
        print(json.dumps(out, ensure_ascii=False))
        if error:
            print(f"error: {safe(error)}", file=sys.stderr)
            return 2
        if out["answer"] is not None:
            _notes_from_json(out["answer"])
        return 0
    if view is not None and view.k is None:
        print(format_grouped(view, show_all=show_all))
    else:
        print(format_text(view.result if view is not None else result))
    print("\nAnswer")
    sys.stdout.flush()
    shown = 0
    final: Answer | None = None
    try:
        _, steps = answerer.stream(result)
        for final in steps:
            if final.reason == "partial" or (not final.abstained and final.backend != "extractive"):
                # Only checked, supported sentences reach the screen: nothing shown is ever withdrawn.
                supported = [s for s in final.sentences if s.supported]
                for s in supported[shown:]:
                    # A model's output is not trusted either: one line, no escape sequences.
                    print(f"{safe(s.text)} " + " ".join(f"[slide {n}]" for n in s.slides), flush=True)
                shown = len(supported)
    except SlidebankError as exc:
        print(f"error: {safe(exc)}", file=sys.stderr)
        return 2
    assert final is not None
    if final.backend == "extractive" or final.abstained:
        print(safe(final.text, lines=True))
    _notes(final)
    return 0


def _notes_from_json(answer: dict) -> None:
    if answer["dropped"]:
        print(
            f"note: removed {answer['dropped']} citation(s) of slides that were not given or do not support the sentence",
            file=sys.stderr,
        )
    unsupported = sum(not s["supported"] for s in answer["sentences"])
    if unsupported:
        print(f"note: left out {unsupported} sentence(s) that the given slides do not support", file=sys.stderr)
