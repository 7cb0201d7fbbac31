"""Answers for many queries with one setup: which backend writes them (``AnswerSettings``) and the
``Answerer`` that calibrates once and streams each answer. How answers are printed (text, JSON) is
``assistant/ui/terminal.py``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from assistant.answer.citations import Answer
from assistant.answer.generate import stream_answers
from assistant.retrieval.confidence import calibrate, query_confidence
from assistant.retrieval.retriever import Result, Retriever


@dataclass(frozen=True)
class AnswerSettings:
    """Which backend writes the answer, and where it runs."""

    backend: str = "extractive"
    model: str | None = None  # llm: name or path; server: the served model's name (None: its only one)
    url: str | None = None
    allow_remote: bool = False
    timeout_s: float | None = None  # seconds one server answer may take in all (None: the default)
    api_key: str | None = None

    def check(self) -> None:
        """Fail fast on what can be known without a connection or a model load (a bad path, a remote URL)."""
        if self.backend == "llm":
            from assistant.answer.llm import BUNDLED, resolve

            resolve(self.model or BUNDLED)
        elif self.backend == "server":
            from assistant.answer.server import check_url

            check_url(self.url or "", self.allow_remote)


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
            timeout_s=s.timeout_s,
            api_key=s.api_key,
        )
        return confidence, steps
