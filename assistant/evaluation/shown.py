"""The shown-results table of ``python -m assistant.eval``: what a student sees, not only what ranks.

hit@k scores a ranking; a page shows cards. For each query this scores the cards on the page:

- cards: how many slides are shown (hits and context, not the collapsed "more");
- precision: the share of shown cards within ``WINDOW`` slides of a labelled slide (a card beside
  the answer is on its topic; one far away is a card the student reads for nothing);
- recall: whether a labelled slide itself is shown;
- the same two for the first group alone (what the eye lands on).

Precision is averaged per query, so every question weighs the same. "Before" is the fixed list of
``FIXED_CARDS`` ranked slides the CLI showed by default; "after" is ``grouping.arrange``.

The rule's two parameters (``CutRule.keep``, ``CutRule.topic_percentile``) are picked on the bank
(typed, leave-one-out) with one criterion: the highest precision whose recall is no lower than the
fixed list's on the same questions; none qualifying, the highest recall. The cross-validated row
picks them on the four folds a question is not in; the free-form questions never pick anything.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from assistant.retrieval.grouping import CutRule, DeckTopics, SlideGroup, arrange, shown

WINDOW = 3
FIXED_CARDS = 5
FOLDS = 5
KEEP_GRID = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))  # 0.50 … 0.95
PERCENTILE_GRID = (25.0, 50.0, 75.0)


@dataclass(frozen=True)
class Ranked:
    """One labelled query's fused ranking (slide numbers best first, their scores)."""

    numbers: tuple[int, ...]
    scores: tuple[float, ...]
    relevant: tuple[int, ...]


@dataclass(frozen=True)
class PageScore:
    """One query's page: cards shown, share near a labelled slide, labelled slide shown (all, first group)."""

    cards: int
    precision: float
    recall: bool
    first_precision: float
    first_recall: bool


@dataclass(frozen=True)
class ShownScores:
    name: str
    queries: int
    cards: float
    precision: float
    recall: float
    first_precision: float
    first_recall: float


def near(number: int, relevant: Sequence[int], window: int = WINDOW) -> bool:
    return any(abs(number - r) <= window for r in relevant)


def _share(numbers: Sequence[int], relevant: Sequence[int]) -> float:
    return sum(near(n, relevant) for n in numbers) / len(numbers) if numbers else 0.0


def page_score(groups: Sequence[Sequence[int]], relevant: Sequence[int]) -> PageScore:
    """Score the slide numbers on a page, given as groups (best first)."""
    cards = [n for g in groups for n in g]
    first = list(groups[0]) if groups else []
    wanted = set(relevant)
    return PageScore(
        len(cards),
        _share(cards, relevant),
        bool(wanted & set(cards)),
        _share(first, relevant),
        bool(wanted & set(first)),
    )


def fixed_page(numbers: Sequence[int], k: int = FIXED_CARDS) -> list[list[int]]:
    """The old view: the top ``k`` ranked slides, neighbouring numbers framed together, best run first."""
    top = list(numbers[:k])
    runs: list[list[int]] = []
    for n in sorted(top):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return sorted(runs, key=lambda run: min(top.index(n) for n in run))


def grouped_page(groups: Sequence[SlideGroup]) -> list[list[int]]:
    """The slide numbers ``arrange`` puts on the page, per group (the "more" ones are collapsed)."""
    on_page = {s.number for s in shown(groups)}
    return [[s.number for s in g.slides if s.number in on_page] for g in groups if g.role != "more"]


def summarise(name: str, pages: Sequence[PageScore]) -> ShownScores:
    n = len(pages)

    def mean(values: Sequence[float]) -> float:
        return float(np.mean(values)) if n else 0.0

    return ShownScores(
        name,
        n,
        mean([p.cards for p in pages]),
        mean([p.precision for p in pages]),
        mean([float(p.recall) for p in pages]),
        mean([p.first_precision for p in pages]),
        mean([float(p.first_recall) for p in pages]),
    )


def before(queries: Sequence[Ranked]) -> list[PageScore]:
    return [page_score(fixed_page(q.numbers), q.relevant) for q in queries]


def after(queries: Sequence[Ranked], topics: DeckTopics, rule: CutRule) -> list[PageScore]:
    return [page_score(grouped_page(arrange(q.numbers, q.scores, topics, rule)), q.relevant) for q in queries]


def rule_grid(base: CutRule = CutRule()) -> list[CutRule]:
    return [
        dataclasses.replace(base, keep=k, topic_percentile=p) for k, p in itertools.product(KEEP_GRID, PERCENTILE_GRID)
    ]


def pick_rule(
    table: dict[CutRule, list[PageScore]], fixed: list[PageScore], members: Sequence[int], default: CutRule
) -> CutRule:
    """The rule with the highest precision on ``members`` whose recall there is no lower than the
    fixed list's; none qualifying, the highest recall. Ties go to ``default``, then to fewer cards."""
    floor = sum(fixed[i].recall for i in members)

    def key(rule: CutRule) -> tuple:
        pages = [table[rule][i] for i in members]
        recall = sum(p.recall for p in pages)
        precision = round(sum(p.precision for p in pages), 9)
        cards = sum(p.cards for p in pages)
        return (recall >= floor, precision if recall >= floor else recall, rule == default, -cards)

    return max(table, key=key)


def cross_validated(
    queries: Sequence[Ranked], topics: DeckTopics, default: CutRule = CutRule(), folds: int = FOLDS
) -> tuple[list[PageScore], list[CutRule], CutRule]:
    """Pages with the rule picked on the other folds (query ``i`` is in fold ``i % folds``).

    Returns the held-out pages, the rule each fold used, and the rule picked on all the queries.
    """
    table = {rule: after(queries, topics, rule) for rule in rule_grid(default)}
    fixed = before(queries)
    out: list[PageScore | None] = [None] * len(queries)
    chosen: list[CutRule] = []
    for fold in range(folds):
        train = [i for i in range(len(queries)) if i % folds != fold]
        rule = pick_rule(table, fixed, train, default)
        chosen.append(rule)
        for i in range(fold, len(queries), folds):
            out[i] = table[rule][i]
    whole = pick_rule(table, fixed, range(len(queries)), default)
    return [p for p in out if p is not None], chosen, whole


def describe(rule: CutRule) -> str:
    return f"keep {rule.keep:.2f}, topic p{rule.topic_percentile:g}"


def format_table(title: str, rows: Sequence[ShownScores], width: int = 40) -> str:
    head = f"{'':<{width}} {'n':>4} {'cards':>6} {'prec':>6} {'recall':>6}  {'1st prec':>8} {'1st rec':>8}"
    lines = [title, head, "-" * len(head)]
    for s in rows:
        lines.append(
            f"{s.name:<{width}} {s.queries:>4} {s.cards:>6.2f} {s.precision:>6.3f} {s.recall:>6.3f}  {s.first_precision:>8.3f} {s.first_recall:>8.3f}"
        )
    return "\n".join(lines)


def shown_report(
    bank: Sequence[Ranked], free: Sequence[Ranked], topics: DeckTopics, default: CutRule = CutRule()
) -> tuple[str, dict]:
    """The shown-results table (text) and its data: bank typed (leave-one-out) and free-form."""
    cv_pages, chosen, whole = cross_validated(bank, topics, default)
    no_context = dataclasses.replace(default, reach=0)
    rows: list[ShownScores] = []
    sets = (("bank typed", bank), ("free-form", free))
    for label, queries in sets:
        if not queries:
            continue
        rows.append(summarise(f"{label}: before, fixed {FIXED_CARDS} cards", before(queries)))
        rows.append(summarise(f"{label}: after, grouped ({describe(default)})", after(queries, topics, default)))
        if queries is bank:
            rows.append(summarise(f"{label}: after, rule from other {FOLDS} folds", cv_pages))
        rows.append(summarise(f"{label}: cut only, no topic context", after(queries, topics, no_context)))
    note = (
        f"Rule picked on the whole bank: {describe(whole)} (default: {describe(default)}); "
        f"per fold: {', '.join(describe(r) for r in chosen)}. Free-form questions never pick it."
    )
    title = f"Shown results: cards on the page, precision = share within \u00b1{WINDOW} of a labelled slide, recall = a labelled slide shown"
    data = {
        "rows": [dataclasses.asdict(r) for r in rows],
        "default_rule": dataclasses.asdict(default),
        "picked_on_bank": dataclasses.asdict(whole),
        "picked_per_fold": [dataclasses.asdict(r) for r in chosen],
    }
    return format_table(title, rows, width=52) + "\n" + note, data
