"""Suggested slides for questions that cite none: the bank audit's suggestions, behind one function.

The audit ranks every question with its own entry left out and re-orders the top slides by where
the question sits in the bank; it is the one place suggestions are made, so study mode asks it
rather than searching on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.retrieval.retriever import Retriever


def audit_suggestions(retriever: Retriever) -> dict[str, tuple[int, ...]]:
    """Question id → the slides the audit suggests, for each question that cites nothing."""
    if retriever.index is None or not retriever.bank:
        return {}
    from assistant.audit.report import run_audit

    report = run_audit(retriever)
    return {item.question.id: tuple(s.slide for s in item.suggestions) for item in report.suggested}


class Suggestions:
    """The audit run once, on first need (it ranks the whole bank), then answered from memory."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever  # the index and bank they are for: a new ingest or bank needs new ones
        self._found: dict[str, tuple[int, ...]] | None = None

    def __call__(self, qid: str) -> tuple[int, ...]:
        if self._found is None:
            self._found = audit_suggestions(self.retriever)
        return self._found.get(qid, ())
