"""Evidence: what retrieval says about each bank question, gathered once. The one place the audit calls retrieval.

``gather_evidence`` ranks every question with its own entry left out (``Retriever.ranking``), once
fused and once content-only (dense + BM25: no bank votes, no section prior, which would repeat the
bank's own numbers). Everything after it (drift, suggestions, coverage) is pure and works on ``Evidence``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from assistant.bank.parse import Question
from assistant.retrieval.retriever import Retriever, parent_text

KEEP = 50  # ranking depth kept per question


def rank_of(ranked: Sequence[int], slide: int) -> int | None:
    """1-based position of ``slide`` in ``ranked``; None when absent."""
    try:
        return ranked.index(slide) + 1
    except ValueError:
        return None


@dataclass(frozen=True)
class Evidence:
    """What retrieval said about one question (its own entry left out). Slide numbers, best first."""

    question: Question
    fused: tuple[int, ...]
    content: tuple[int, ...]

    def fused_rank(self, slide: int) -> int | None:
        return rank_of(self.fused, slide)


def gather_evidence(
    retriever: Retriever, questions: Sequence[Question] | None = None, progress: bool = False
) -> list[Evidence]:
    """Rank every question with its own entry left out: fused, and content-only (dense + BM25)."""
    questions = list(retriever.bank if questions is None else questions)
    # Content only: no bank votes and no section prior, which would repeat the bank's own numbers.
    content_only = retriever.with_settings(bank_weight=0.0, section_weight=0.0)
    out: list[Evidence] = []
    items: Iterable[Question] = questions
    if progress:
        from tqdm import tqdm

        items = tqdm(questions, desc="audit", unit="question", leave=False)
    for q in items:
        text = retriever.query_text(q)
        own = (q.id,)
        fused = retriever.ranking(text, "fused", exclude=own, section=q.section, context=parent_text(retriever.bank, q))
        content = content_only.ranking(text, "fused", exclude=own)
        out.append(
            Evidence(q, tuple(int(n) for n in fused.numbers[:KEEP]), tuple(int(n) for n in content.numbers[:KEEP]))
        )
    return out
