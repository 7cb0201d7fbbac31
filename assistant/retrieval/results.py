"""What a search shows: ``grouped_search``, the one call behind the CLI's and the app's result list.

It runs ``Retriever.search`` once over the whole deck (so every slide on the page has its fused
score), arranges the ranking into topic groups with an adaptive cut (``grouping.arrange``), and
says whether even the top slide is a weak match, with the same calibrated confidence the answer
abstention uses (``assistant.retrieval.confidence``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from assistant.retrieval import adapter
from assistant.retrieval.confidence import calibrate, query_confidence
from assistant.retrieval.grouping import CutRule, DeckTopics, SlideGroup, arrange, deck_topics
from assistant.retrieval.retriever import Result, Retriever, SlideHit
from index.records import Slide

WEAK_NOTICE = "No slide matches this well; closest:"


@dataclass(frozen=True)
class GroupedResult:
    """A search arranged for the page.

    ``result``: the search as ``Retriever.search`` returns it (query, bank matches, notices), its
    ``slides`` the ranked slides the groups were made from (the top ``CutRule.depth``, or exactly
    ``k``). ``groups``: best first; the shown ones (``shown_groups``) come before the "more" ones.
    ``weak``: the top slide's confidence is below the calibrated abstention threshold.
    """

    result: Result
    groups: tuple[SlideGroup, ...]
    weak: bool = False
    k: int | None = None  # the explicit -k it was made for, if any
    slides: dict[int, SlideHit] = field(default_factory=dict, repr=False, compare=False)
    ranked: tuple[SlideHit, ...] = field(default=(), repr=False, compare=False)  # the whole ranking searched

    @property
    def query(self) -> str:
        return self.result.query

    @property
    def shown_groups(self) -> tuple[SlideGroup, ...]:
        return tuple(g for g in self.groups if g.role != "more")

    @property
    def more_groups(self) -> tuple[SlideGroup, ...]:
        return tuple(g for g in self.groups if g.role == "more")

    def hits(self, group: SlideGroup) -> list[SlideHit]:
        """The group's slides as ``SlideHit``s (slide and fused score), in slide order."""
        return [self.slides[s.number] for s in group.slides]

    def slide(self, number: int) -> Slide:
        return self.slides[number].slide


def topics_of(retriever: Retriever) -> DeckTopics | None:
    """The deck structure of the retriever's index (None without one), computed once per index and
    kept by the retriever (shared with its variants: it depends on the index alone)."""
    index = retriever.index
    if index is None:
        return None
    topics = retriever.deck.get("topics")
    if isinstance(topics, DeckTopics):
        return topics
    is_title = np.array([c.kind == "title" for c in index.chunks], dtype=bool)
    vectors = adapter.slide_vectors(index.vectors(), index.chunk_slides, is_title, len(index.slides))
    topics = retriever.deck["topics"] = deck_topics(index.slides, vectors)
    return topics


def abstention_threshold(retriever: Retriever) -> float | None:
    """The answer abstention's calibrated threshold for this retriever, computed once and kept by it."""
    if "threshold" not in retriever.derived:
        retriever.derived["threshold"] = calibrate(retriever)
    threshold = retriever.derived["threshold"]
    return threshold if isinstance(threshold, float) else None


def is_weak(retriever: Retriever, query: str) -> bool:
    """True when even the best slide matches ``query`` less well than the abstention threshold."""
    threshold = abstention_threshold(retriever)
    confidence = query_confidence(retriever, query)
    return threshold is not None and confidence is not None and confidence < threshold


def grouped_search(
    retriever: Retriever,
    query: str,
    k: int | None = None,
    n_bank: int = 3,
    rule: CutRule = CutRule(),
    exclude: Iterable[str] = (),
    section: str | None = None,
    context: str | None = None,
) -> GroupedResult:
    """``Retriever.search`` arranged into groups: see ``grouping.arrange`` for ``k`` and ``rule``."""
    topics = topics_of(retriever)
    depth = topics.n_slides if topics is not None else (k or rule.depth)
    full = retriever.search(query, k=depth, n_bank=n_bank, exclude=exclude, section=section, context=context)
    considered = full.slides[: k if k is not None else rule.depth]
    result = dataclasses.replace(full, slides=considered)
    if topics is None or not full.slides:
        return GroupedResult(result, (), k=k, ranked=full.slides)
    numbers = [h.slide.number for h in full.slides]
    groups = arrange(numbers, [h.score for h in full.slides], topics, rule, k)
    by_number = {h.slide.number: h for h in full.slides}
    index = retriever.index
    assert index is not None
    # Fused rankings hold every slide; a single-signal one may lack a context slide: no score then.
    slides = {
        s.number: by_number.get(s.number) or SlideHit(index.slide(s.number), float("nan"))
        for g in groups
        for s in g.slides
    }
    return GroupedResult(result, groups, is_weak(retriever, full.query), k, slides, full.slides)


def ranked_top(found: GroupedResult, k: int) -> Result:
    """The top ``k`` slides of the ranking ``found`` was arranged from: what
    ``grouped_search(..., k=k).result`` gives for the same query, without searching again."""
    return dataclasses.replace(found.result, slides=found.ranked[:k])
