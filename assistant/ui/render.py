"""HTML for the web app, from the Jinja2 templates in ``assistant/ui/templates`` (package data).

Autoescaping is on for every template, so all text that came from a PDF, the bank or a model
(titles, bullets, snippets, questions, section and deck names, answers, audit sentences) reaches
the page as text: ``<img src=…>``, ``![x](http://…)`` or ``<a href=…>`` in a slide shows as those
characters and makes nothing. Only the templates write markup. Gradio's Markdown component is
never fed such text.

Clickable things carry ``data-slide="N"`` (open slide N) or ``data-qid="ID"`` (show a bank
question); ``static/click.js`` turns a click on them into a Gradio event with that payload.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from assistant.answer.citations import Answer
from assistant.answer.extractive import read_rendered
from assistant.retrieval.grouping import SlideGroup
from assistant.retrieval.results import GroupedResult
from assistant.retrieval.retriever import SlideHit
from assistant.ui.terminal import format_refs, group_ranges, range_label, snippet
from index.records import Slide
from index.symbols import latex_to_unicode

MAX_CHIPS = 16  # chips per question; a longer citation list ends with "+N"


class Card(NamedTuple):
    slide: Slide
    image: str | None  # the card route's URL (assistant/ui/thumbnails.py), or None ("no image")
    text: str
    rank: int | None = None
    badge: str = ""


class CardGroup(NamedTuple):
    """One slide, or neighbouring slides framed as one range."""

    cards: tuple[Card, ...]
    label: str
    deck: str
    first_page: int
    last_page: int
    id: str = ""  # a topic group's range id ("195-197"), as ``--json`` gives it


def runs(numbers: Sequence[int]) -> list[list[int]]:
    """(63, 64, 65, 70) → [[63, 64, 65], [70]], in the order first cited."""
    out: list[list[int]] = []
    for n in numbers:
        if out and n == out[-1][-1] + 1:
            out[-1].append(n)
        else:
            out.append([n])
    return out


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("assistant.ui", "templates"),
        autoescape=True,  # every template, whatever its name: text in, text out
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(readable=latex_to_unicode, refs=format_refs, runs=runs)
    return env


def render(template: str, **context: object) -> str:
    """``templates/<template>`` filled with ``context``; every value is escaped unless a template says otherwise."""
    return _environment().get_template(template).render(max_chips=MAX_CHIPS, **context).strip()


def static_text(name: str) -> str:
    """A file of ``assistant/ui/static`` (the app's CSS and browser JS)."""
    return resources.files("assistant.ui").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def card_groups(
    hits: Sequence[SlideHit], query: str, image: Callable[[int], str | None], badge: str = "", ranked: bool = True
) -> list[CardGroup]:
    """Slide cards, neighbouring slides grouped into one framed range, best range first."""
    rank = {h.slide.number: (i if ranked else None) for i, h in enumerate(hits, start=1)}
    groups = []
    for group in group_ranges(hits):
        cards = tuple(
            Card(h.slide, image(h.slide.number), snippet(h.slide, query), rank[h.slide.number], badge) for h in group
        )
        first, last = group[0].slide, group[-1].slide
        groups.append(CardGroup(cards, range_label(group), first.deck, first.page, last.page))
    return groups


def topic_card_groups(
    found: GroupedResult, groups: Sequence[SlideGroup], image: Callable[[int], str | None]
) -> list[CardGroup]:
    """Cards for topic groups (``grouped_search``), in their order: a ranked slide shows its rank,
    a slide added as the top slide's topic says "same topic"."""
    rank = {h.slide.number: i for i, h in enumerate(found.result.slides, start=1)}
    out = []
    for group in groups:
        hits = found.hits(group)
        cards = tuple(
            Card(
                h.slide,
                image(h.slide.number),
                snippet(h.slide, found.query),
                None if place.role == "context" else rank.get(h.slide.number),
                "same topic" if place.role == "context" else "",
            )
            for h, place in zip(hits, group.slides)
        )
        first, last = hits[0].slide, hits[-1].slide
        out.append(CardGroup(cards, range_label(hits), first.deck, first.page, last.page, group.id))
    return out


class AnswerPart(NamedTuple):
    text: str = ""
    slide: int | None = None  # a citation: drawn as a button that opens the slide


class AnswerLine(NamedTuple):
    parts: tuple[AnswerPart, ...]
    point: bool  # a "- " bullet of the extractive answer
    kind: str = ""  # "heading" (a slide's number and title), "sub" (a sub-bullet), "note" (about the answer)

    @property
    def classes(self) -> str:
        """The paragraph's CSS classes (ours only)."""
        names = (["sb-answer-point"] if self.point else []) + ([f"sb-answer-{self.kind}"] if self.kind else [])
        return " ".join(names)


def message_html(text: str, kind: str = "") -> str:
    """The answer panel holding a message of ours ("writing", an error), shown as text: no citation
    buttons, since an error can quote what a model server sent."""
    return render("answer.html", lines=[AnswerLine((AnswerPart(text),), False)], kind=kind)


def checked_answer_lines(answer: Answer) -> list[AnswerLine]:
    """The lines of a checked answer, built from its structure rather than by reading its text.

    Extractive: each chosen slide's number (a button) and title, then its bullets and sub-bullets.
    A model's: one line per sentence that passed the support check, followed by the slides that
    support it. Sentence and slide text are never searched for ``[slide N]``: the only buttons are
    the slides the check kept. Sentences the slides do not support are left out and counted.
    """
    if answer.abstained:
        lines = [AnswerLine((AnswerPart(answer.text),), False)]
    elif answer.backend == "extractive":
        lines = []
        for line in read_rendered(answer.text):
            if line.kind == "heading":
                cited = line.slide is not None and line.slide in answer.citations
                head = (AnswerPart(slide=line.slide),) if cited else (AnswerPart(f"Slide {line.slide}"),)
                lines.append(AnswerLine((*head, AnswerPart(f" {line.text}")), False, "heading"))
            else:
                lines.append(AnswerLine((AnswerPart(line.text),), True, "sub" if line.kind == "sub" else ""))
    else:
        lines = [
            AnswerLine((AnswerPart(f"{s.text} "), *(AnswerPart(slide=n) for n in s.slides)), False)
            for s in answer.sentences
            if s.supported and s.slides
        ]
    if answer.note and answer.reason != "partial":
        lines.append(AnswerLine((AnswerPart(f"Cut short: {answer.note}."),), False, "note"))
    left_out = answer.unsupported
    if left_out and answer.reason != "partial":
        note = f"{left_out} sentence{'s' if left_out > 1 else ''} the given slides do not support {'were' if left_out > 1 else 'was'} left out."
        lines.append(AnswerLine((AnswerPart(note),), False, "note"))
    return lines


def checked_answer_html(answer: Answer) -> str:
    """The answer panel for a checked answer (or a partial one while a model writes)."""
    return render("answer.html", lines=checked_answer_lines(answer), kind="")
