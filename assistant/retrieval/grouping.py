"""Results as topics: the top slide with its neighbourhood, the plausible rest, and what lies below.

A ranked list of single slides hides that a topic usually spans several slides (a build, a
derivation, its results), and it shows lower results that merely share a word with the question.
This module turns a fused ranking into groups, from the deck alone (never the bank's references):

- **Topic of the top slide**: its neighbours join it while they stay in the same section of the
  deck (a PDF, or a lecture opened by a "Week 4: ..." / repeated-course-title slide) and either
  continue its title ("Self-attention layers (2)", "Diffusion Models in Practice - Sampling") or
  are as similar to it as most neighbouring slides of this deck are to each other (a percentile
  of the cosines of adjacent slides, so the bar moves with the deck and the embedding model).
- **Adaptive cut**: further ranked slides are shown while their fused score stays within a share
  of the top score (``CutRule``); at least one slide is always shown.
- **More**: the ranked slides below the cut, reachable but out of the way.

Pure functions over plain arrays and records: the retriever, the CLI, the app and the eval all
arrange the same ranking the same way (``assistant.retrieval.results`` wires it to a retriever).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np

from index.records import Slide

Role = Literal["hit", "context", "more"]
ROLES: tuple[Role, ...] = ("hit", "context", "more")


@dataclass(frozen=True)
class CutRule:
    """Which ranked slides are shown, and how far the top slide's topic reaches.

    ``keep``: a ranked slide is shown while its fused score is at least ``keep`` times the top
    score (the top is always shown).
    ``topic_percentile``: a neighbour without a shared title joins the top slide's topic when it is
    at least as similar to it as this percentile of the deck's adjacent slide pairs are to each other.
    ``keep`` and ``topic_percentile`` are picked on the bank by cross-validation and checked on the
    free-form questions in ``python -m assistant.eval`` (the shown-results table).
    ``max_hits``: never more ranked slides than the old fixed list showed.
    ``reach``: at most this many neighbours on each side of the top slide join its topic.
    ``depth``: ranked slides considered at all; those below the cut are "more".
    """

    keep: float = 0.75
    topic_percentile: float = 25.0
    max_hits: int = 5
    reach: int = 2
    depth: int = 10


@dataclass(frozen=True)
class DeckTopics:
    """What the deck says about its own structure, computed once per index.

    ``sections[i]``: the section id of slide ``i + 1``; ``stems[i]`` its title stems (see
    ``title_stems``); ``vectors[i]``: its unit text vector (zero for an image-only slide);
    ``neighbour_similarities``: the cosines of adjacent slides that both have text, sorted.
    """

    sections: tuple[int, ...]
    stems: tuple[frozenset[str], ...]
    vectors: np.ndarray = field(repr=False, compare=False)
    neighbour_similarities: np.ndarray = field(repr=False, compare=False)

    def similarity_bar(self, percentile: float) -> float:
        """The cosine a neighbour needs to join a topic without a shared title."""
        sims = self.neighbour_similarities
        return float(np.percentile(sims, percentile)) if len(sims) else 1.0

    @property
    def n_slides(self) -> int:
        return len(self.sections)


@dataclass(frozen=True)
class ShownSlide:
    number: int
    score: float  # the fused score (ranked or not: a context slide has one too)
    role: Role
    group: str  # the id of the group it belongs to, its range: "195-197"


@dataclass(frozen=True)
class SlideGroup:
    """A range of slides shown together; ``slides`` are in slide order."""

    id: str
    first: int
    last: int
    slides: tuple[ShownSlide, ...]

    @property
    def role(self) -> Role:
        """ "more" when every slide in it is below the cut, else what its best slide is."""
        return "more" if all(s.role == "more" for s in self.slides) else "hit"


# -- the deck's structure ---------------------------------------------------------------------------

_NUMBERING = re.compile(
    r"\s*(\((?:\d+|[ivx]+|cont(?:inued|'d|\.)?|part \d+)\)|\d+|cont(?:inued|'d|\.)?)\s*$", re.IGNORECASE
)
_SEPARATOR = re.compile(r"\s+[-\u2013\u2014]\s+|:\s+")
_SECTION_OPENER = re.compile(r"^(?:week|weeks|lecture|chapter|part|section|unit|module|session)\s*\d", re.IGNORECASE)


def _clean(title: str) -> str:
    text = " ".join(title.lower().split()).strip(" :.-\u2013\u2014")
    while True:
        stripped = _NUMBERING.sub("", text).strip(" :.-\u2013\u2014")
        if stripped == text or not stripped:
            return text
        text = stripped


def title_stems(title: str) -> frozenset[str]:
    """The title without its numbering, plus its lead before a separator when that has two words or more.

    "Self-attention layers (2)" → {"self-attention layers"}; "Diffusion Models in Practice - Sampling"
    → {"diffusion models in practice - sampling", "diffusion models in practice"}. A bare lead like
    "Example" names no topic, so it is not a stem.
    """
    clean = _clean(title)
    if not clean:
        return frozenset()
    stems = {clean}
    parts = _SEPARATOR.split(clean, maxsplit=1)
    if len(parts) == 2 and len(parts[0].split()) >= 2:
        stems.add(parts[0].strip())
    return frozenset(stems)


def opens_section(slide: Slide, course_title: str) -> bool:
    """A slide that starts a lecture: a divider found at ingest, "Week 4: ...", "Lecture 3", or the course title repeated."""
    title = slide.title.strip()
    return slide.divider or bool(_SECTION_OPENER.match(title)) or (bool(course_title) and _clean(title) == course_title)


def deck_topics(slides: Sequence[Slide], vectors: np.ndarray) -> DeckTopics:
    """The structure of a deck from its slides (in number order) and their unit text vectors."""
    sections: list[int] = []
    section = 0
    course_titles: dict[str, str] = {}  # deck -> its first slide's title
    for i, slide in enumerate(slides):
        first_of_deck = slide.deck not in course_titles
        course = course_titles.setdefault(slide.deck, _clean(slide.title))
        if i and (first_of_deck or opens_section(slide, course)):
            section += 1
        sections.append(section)
    vectors = np.asarray(vectors, dtype=np.float32)
    return DeckTopics(
        tuple(sections), tuple(title_stems(s.title) for s in slides), vectors, _neighbour_similarities(vectors)
    )


def _neighbour_similarities(vectors: np.ndarray) -> np.ndarray:
    """The cosines between adjacent slides that both have text, sorted: how alike a deck's neighbours are."""
    if len(vectors) < 2:
        return np.zeros(0, dtype=np.float32)
    sims = np.sum(vectors[:-1] * vectors[1:], axis=1)
    has_text = (np.linalg.norm(vectors[:-1], axis=1) > 0) & (np.linalg.norm(vectors[1:], axis=1) > 0)
    return np.sort(sims[has_text])


def continues(topics: DeckTopics, anchor: int, neighbour: int, inner: int, bar: float) -> bool:
    """Whether slide ``neighbour`` belongs to the topic of slide ``anchor``; ``inner`` is the slide
    beside it on the anchor's side (a build continues the slide before it, not only the anchor)."""
    if topics.sections[neighbour - 1] != topics.sections[anchor - 1]:
        return False
    if topics.stems[neighbour - 1] & (topics.stems[inner - 1] | topics.stems[anchor - 1]):
        return True
    if not topics.vectors[neighbour - 1].any():
        return False  # an image-only slide: nothing says what it is about
    similarity = float(topics.vectors[anchor - 1] @ topics.vectors[neighbour - 1])
    return similarity > 0 and similarity >= bar  # an unrelated neighbour never joins, however low the bar


def topic_span(topics: DeckTopics, anchor: int, rule: CutRule = CutRule()) -> tuple[int, int]:
    """(first, last) slide of the topic around ``anchor``: at most ``rule.reach`` neighbours a side."""
    first = last = anchor
    reach, bar = rule.reach, topics.similarity_bar(rule.topic_percentile)
    while anchor - first < reach and first > 1 and continues(topics, anchor, first - 1, first, bar):
        first -= 1
    while last - anchor < reach and last < topics.n_slides and continues(topics, anchor, last + 1, last, bar):
        last += 1
    return first, last


# -- arranging a ranking ------------------------------------------------------------------------------


def shown_count(scores: Sequence[float], rule: CutRule) -> int:
    """How many of the ranked slides (scores best first) pass the cut: at least one."""
    if not len(scores):
        return 0
    top = float(scores[0])
    count = 1
    for score in list(scores[1 : rule.max_hits]):
        # A non-positive top says nothing about how far ahead it is: show it alone.
        if top <= 0 or float(score) < rule.keep * top:
            break
        count += 1
    return count


def _group_id(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _runs(numbers: Sequence[int], topics: DeckTopics) -> list[list[int]]:
    """Consecutive slide numbers of one section as runs: (63, 64, 65, 70) → [[63, 64, 65], [70]]."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1 and topics.sections[n - 1] == topics.sections[n - 2]:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def arrange(
    numbers: Sequence[int], scores: Sequence[float], topics: DeckTopics, rule: CutRule = CutRule(), k: int | None = None
) -> tuple[SlideGroup, ...]:
    """The groups to show for a ranking, best first: slide ``numbers`` best first with their fused
    ``scores`` (the whole ranking, so that context slides keep their scores, or at least its top).

    Default (``k`` None): the ranked slides above the cut are "hit"s and the top slide's topic span
    adds its neighbours as "context"; neighbouring slides on the page form one group. The next
    ranked slides down to ``rule.depth`` are "more", in groups of their own.
    With ``k``: exactly the top ``k`` ranked slides and nothing added (scripts and the eval rely
    on it); those above the cut are "hit"s, the others "more".
    """
    numbers = [int(n) for n in numbers]
    if not numbers:
        return ()
    score_of = dict(zip(numbers, (float(s) for s in scores)))
    ranked = numbers[: max(k if k is not None else rule.depth, 1)]
    hits = ranked[: shown_count([float(s) for s in scores[: len(ranked)]], rule)]
    context: list[int] = []
    if k is None:
        first, last = topic_span(topics, numbers[0], rule)
        context = [n for n in range(first, last + 1) if n not in hits]
    rank = {n: i for i, n in enumerate(ranked)}
    for n in context:
        rank.setdefault(n, 0)  # the top slide's topic: it goes first with it
    below = [n for n in ranked if n not in hits and n not in context]

    def ordered(runs: list[list[int]]) -> list[list[int]]:
        return sorted(runs, key=lambda run: min(rank[n] for n in run))

    groups: list[SlideGroup] = []
    for run in ordered(_runs(hits + context, topics)) + ordered(_runs(below, topics)):
        gid = _group_id(run[0], run[-1])
        roles = ["hit" if n in hits else "context" if n in context else "more" for n in run]
        slides = tuple(ShownSlide(n, score_of.get(n, float("nan")), role, gid) for n, role in zip(run, roles))  # type: ignore[arg-type]
        groups.append(SlideGroup(gid, run[0], run[-1], slides))
    return tuple(groups)


def shown(groups: Sequence[SlideGroup]) -> list[ShownSlide]:
    """The slides on the page (hits and context), in group order."""
    return [s for g in groups for s in g.slides if s.role != "more"]
