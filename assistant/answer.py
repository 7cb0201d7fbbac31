"""Answers that cite slides. One function, ``answer``, serves the CLI and the web app.

Interface fixed here so the web app can wire its answer panel; the backends are built out in
their own change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from assistant.retrieve import Result

ABSTENTION = "The slides do not cover this."


@dataclass(frozen=True)
class Answer:
    text: str
    citations: tuple[int, ...]
    abstained: bool
    backend: str


def answer(result: Result, backend: str = "extractive") -> Answer:
    """Turn a retrieval result into an answer whose every claim cites a slide it was given."""
    raise NotImplementedError("answers are not built yet")


def stream_answer(result: Result, backend: str = "extractive") -> Iterator[str]:
    """The answer text as it grows (token by token for a language model); the last item is final."""
    yield answer(result, backend).text
