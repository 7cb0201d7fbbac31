"""What the web app shows, as a view that lives as long as the server: its state and the handlers'
pure parts. No Gradio here; ``app.py`` wires these methods to components.

The HTML comes from autoescaping templates (``assistant.ui.render``), the thumbnails from
``assistant.ui.thumbnails``, bank filtering from ``assistant.ui.bank_browser``. With a ``Follow``,
the view reopens the index when an ingest makes a new generation live (``assistant.ui.live``).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from assistant.retrieval.results import WEAK_NOTICE, GroupedResult, abstention_threshold, grouped_search
from assistant.retrieval.retriever import Result, Retriever, SlideHit, parent_text
from assistant.slide_text import bullets
from assistant.ui import bank_browser
from assistant.ui.bank_browser import ALL_SECTIONS, MARK_FILTERS
from assistant.ui.live import Follow
from assistant.ui.render import card_groups, checked_answer_html, message_html, render, topic_card_groups
from assistant.ui.terminal import reading_notes
from assistant.ui.thumbnails import Thumbnails

if TYPE_CHECKING:
    from assistant.answer.answerer import AnswerSettings
    from index.settings import UserSettings
    from index.store import LoadedIndex

__all__ = ["ALL_SECTIONS", "ANSWER_EMPTY", "MARK_FILTERS", "Loaded", "SlidePanel", "WebView", "clicked"]

ANSWER_EMPTY = "Search to see an answer here."
ANSWER_SLIDES = 8  # ranked slides the answer and "add to my bank" draw on when no -k is given
WRITING = "Writing; each sentence appears once the slides are checked to support it\u2026"
MAX_POINTS = 12  # bullets under the large slide
MAX_CITED_BY = 4  # bank questions named under the large slide


class Loaded:
    """One opened index and bank, and what is derived from them: replaced as a whole when an
    ingest goes live, so a request never mixes two generations."""

    def __init__(self, retriever: Retriever, notices: Iterable[str] = ()) -> None:
        self.retriever = retriever
        self.notices = tuple(notices)
        self.index: LoadedIndex | None = retriever.index
        self.generation = self.index.path.name if self.index is not None else None
        self.thumbnails = Thumbnails(self.index)
        self.by_id = {q.id: q for q in retriever.bank}

    @property
    def n_slides(self) -> int:
        return len(self.index.slides) if self.index is not None else 0

    @cached_property
    def answer_threshold(self) -> float | None:
        """The abstention threshold for this deck, bank and model: calibrated once, on the first
        search (it scores every bank question, too slow to pay for at start-up); the same value
        ``grouped_search`` uses for its weak-match notice."""
        return abstention_threshold(self.retriever)


@dataclass(frozen=True)
class SlidePanel:
    """What the large slide viewer shows. ``image`` is a PIL image or None."""

    number: int
    image: object
    caption_html: str
    has_prev: bool
    has_next: bool


class WebView:
    """The app's state: the loaded index and bank, and how many cards and bank matches to show.

    ``k`` None (the default): the top slide's topic and the results close to it, the rest folded
    under "Other places this comes up" (``assistant.retrieval.results.grouped_search``); ``k``:
    exactly ``k`` ranked cards, as ``python -m assistant.query -k`` prints them.

    Methods return plain strings and records, so tests call them without a browser. Each method
    that starts a request (``search``, ``slide_panel``, ``question_html``, ...) first checks
    whether a re-ingest made a new generation live and, with a ``follow``, switches to it.
    """

    def __init__(
        self,
        retriever: Retriever,
        notices: Iterable[str] = (),
        k: int | None = None,
        n_bank: int = 4,
        follow: Follow | None = None,
        answer_settings: AnswerSettings | None = None,
        url_from_page: bool = True,
        settings: UserSettings | None = None,
    ) -> None:
        from assistant.answer.answerer import AnswerSettings

        self._loaded = Loaded(retriever, notices)
        # The answer panel's defaults (app.py: --llm-url, --llm-model) and whether a remote server is allowed.
        self.answer_settings = answer_settings or AnswerSettings()
        # False: the model-server URL is the one the app was started with, whatever a request names.
        self.url_from_page = url_from_page
        self.k = k
        self.n_bank = n_bank
        # The app's settings record: the bank "Add to my bank" writes, the study file. None: the defaults.
        self.settings = settings
        self._follow = follow
        self._switch = threading.Lock()

    # -- state ---------------------------------------------------------------------------------

    def current(self) -> Loaded:
        """The loaded index, switched first to the live generation when an ingest replaced it."""
        if self._follow is not None and self._follow.live() != self._loaded.generation:
            with self._switch:  # handlers of other events may notice the same ingest: open it once
                fresh = self._follow.check(self._loaded.generation)
                if fresh is not None:
                    self._loaded = Loaded(*fresh)
        return self._loaded

    @property
    def retriever(self) -> Retriever:
        return self._loaded.retriever

    def use_retriever(self, retriever: Retriever) -> None:
        """Serve another retriever over the same index (a new bank version); caches follow it."""
        with self._switch:
            self._loaded = Loaded(retriever, self._loaded.notices)

    @property
    def index(self) -> LoadedIndex | None:
        return self._loaded.index

    @property
    def notices(self) -> tuple[str, ...]:
        return self._loaded.notices

    @property
    def n_slides(self) -> int:
        return self._loaded.n_slides

    def thumbnail_uri(self, number: int) -> str | None:
        return self._loaded.thumbnails.card_url(number)

    def card_image(self, number: int, digest: str) -> bytes | None:
        """The card JPEG a page asks for (``CardRoute``), from the live generation; None: not this version."""
        # The URL names the bytes, so the loaded generation answers without asking which one is
        # live (a database query, for the shared store); only a miss may mean a newer one went live.
        data = self._loaded.thumbnails.card_for(number, digest)
        return data if data is not None else self.current().thumbnails.card_for(number, digest)

    def slide_image(self, number: int):
        return self._loaded.thumbnails.image(number)

    # -- header --------------------------------------------------------------------------------

    def status_html(self) -> str:
        loaded = self.current()
        decks = [d.stem for d in loaded.index.manifest.decks] if loaded.index is not None else []
        fit = loaded.retriever.bank_fit
        # A bank the index found does not fit this deck: say so here, once, instead of on every search.
        unfit = None
        if fit is not None and not fit.fits:
            used = (
                "in use, as given with --bank"
                if loaded.retriever.bank
                else "left out (start with --bank FILE to use it anyway)"
            )
            unfit = f"{fit.summary}: {used}"
        return render(
            "status.html",
            n_slides=loaded.n_slides,
            decks=decks,
            bank_count=bank_browser.bank_count(loaded.retriever.bank),
            unfit=unfit,
        )

    # -- search tab ----------------------------------------------------------------------------

    def grouped(self, query: str) -> GroupedResult:
        """The search as the page shows it: the one call the CLI and the eval's shown-results table share."""
        return grouped_search(self.current().retriever, query, k=self.k, n_bank=self.n_bank)

    def ranked(self, found: GroupedResult) -> Result:
        """The top ranked slides (``k``, or ``ANSWER_SLIDES``): what the answer and "add to my bank" draw on."""
        return dataclasses.replace(found.result, slides=found.result.slides[: self.k or ANSWER_SLIDES])

    def search(self, query: str) -> Result:
        """The ranked slides and bank matches of ``grouped``, as a plain ``Result``."""
        return self.ranked(self.grouped(query))

    def cards_html(self, hits: Sequence[SlideHit], query: str, badge: str = "", ranked: bool = True) -> str:
        """Slide cards, neighbouring slides grouped into one framed range, best range first."""
        groups = card_groups(hits, query, self.thumbnail_uri, badge, ranked)
        return render("results.html", notices=(), state="cards", groups=groups, weak="", more=())

    def results_html(self, found: Result | GroupedResult) -> str:
        """The result cards. A ``GroupedResult`` without ``k``: the top slide's topic as one range,
        the results close to it, a weak-match notice when even the top is weak, and the rest
        collapsed under "Other places this comes up"; otherwise the ranked cards."""
        grouped = found if isinstance(found, GroupedResult) else None
        result = found.result if isinstance(found, GroupedResult) else found
        notices = [*reading_notes(result), *(n for n in result.notices if n != "empty query")]
        if not result.query:
            state = "empty"
        elif self.index is None:
            state = "no-index"
        elif not result.slides:
            state = "no-match"
        else:
            state = "cards"
        groups, more, weak = [], [], ""
        if state == "cards" and grouped is not None and grouped.k is None and grouped.groups:
            groups = topic_card_groups(grouped, grouped.shown_groups, self.thumbnail_uri)
            more = topic_card_groups(grouped, grouped.more_groups, self.thumbnail_uri)
            weak = WEAK_NOTICE if grouped.weak else ""
        elif state == "cards":
            groups = card_groups(result.slides, result.query, self.thumbnail_uri)
        return render("results.html", notices=notices, state=state, groups=groups, weak=weak, more=more)

    def bank_matches_html(self, result: Result) -> str:
        if not result.query:
            return ""
        return render("bank_matches.html", questions=[hit.question for hit in result.bank], n_slides=self.n_slides)

    # -- the slide viewer ----------------------------------------------------------------------

    def slide_panel(self, number: int) -> SlidePanel | None:
        """The large view of slide ``number``, or None when the index has no such slide."""
        loaded = self.current()
        if loaded.index is None or not (1 <= number <= loaded.n_slides):
            return None
        slide = loaded.index.slide(number)
        cited_by = [q for q in loaded.retriever.bank if number in q.refs][:MAX_CITED_BY]
        caption = render(
            "caption.html", slide=slide, n_slides=loaded.n_slides, cited_by=cited_by, points=bullets(slide)[:MAX_POINTS]
        )
        return SlidePanel(number, loaded.thumbnails.image(number), caption, number > 1, number < loaded.n_slides)

    # -- answer panel --------------------------------------------------------------------------

    def answer_html(
        self, result: Result | None, backend: str = "extractive", model: str = "", url: str = ""
    ) -> Iterator[str]:
        """The answer as it grows by checked sentence (the function the CLI's --answer calls), as
        escaped text whose only buttons are the slides the support check kept; abstention calibrated
        once per loaded index. ``model``: the ``llm`` model or the server's model name; ``url``: the
        model server for ``server`` (refused before any connection unless it is on this computer,
        or the app was started with --allow-remote-llm)."""
        if result is None or not isinstance(result, Result) or not result.query:
            yield message_html(ANSWER_EMPTY, "empty")
            return
        from assistant.answer.generate import stream_answers
        from assistant.retrieval.confidence import query_confidence

        loaded = self._loaded
        allow_remote = self.answer_settings.allow_remote
        if backend != "extractive":
            yield message_html(WRITING, "pending")
        try:
            if backend == "server":
                from assistant.answer.server import check_url

                if not self.url_from_page or not isinstance(url, str):
                    url = self.answer_settings.url or ""
                url = check_url(url, allow_remote)
            steps = stream_answers(
                result,
                backend,
                retriever=loaded.retriever,
                confidence=query_confidence(loaded.retriever, result.query),
                threshold=loaded.answer_threshold,
                model=(model if isinstance(model, str) else "").strip() or None,
                url=url or None,
                allow_remote=allow_remote,
                timeout_s=self.answer_settings.timeout_s,
                api_key=self.answer_settings.api_key,
            )
            for step in steps:
                yield checked_answer_html(step)
        except Exception as exc:  # noqa: BLE001 - a model or server that fails must not break the page
            reason = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
            yield message_html(f"The answer could not be written: {reason}", "error")

    # -- bank browser --------------------------------------------------------------------------

    def sections(self) -> list[str]:
        """Section names in bank order, with ``ALL_SECTIONS`` first."""
        return [ALL_SECTIONS, *bank_browser.section_names(self.retriever.bank)]

    def section_choices(self) -> list[tuple[str, str]]:
        return bank_browser.section_choices(self.retriever.bank)

    def bank_list_html(
        self, section: str = ALL_SECTIONS, marks: str = MARK_FILTERS[0], selected: str | None = None
    ) -> str:
        """The bank as sections → questions (nested ones indented), with marks and chips."""
        loaded = self.current()
        sections = bank_browser.filter_bank(loaded.retriever.bank, section, marks)
        return render("bank_list.html", sections=sections, selected=selected, n_slides=loaded.n_slides)

    def question_html(self, qid: str | None) -> str:
        """One bank question with its cited slides, or (citing nothing) the slides search suggests."""
        loaded = self.current()
        q = loaded.by_id.get(qid) if isinstance(qid, str) else None
        if q is None:
            return render("question.html", question=None)
        if loaded.index is None:
            return render("question.html", question=q, state="no-index")
        if q.refs:
            # Cited slides in slide order, so a citation like (63-65) reads as one range.
            hits = sorted(
                (SlideHit(loaded.index.slide(n), 0.0) for n in q.refs if 1 <= n <= loaded.n_slides),
                key=lambda h: h.slide.number,
            )
            missing = [n for n in q.refs if not 1 <= n <= loaded.n_slides]
            groups = card_groups(hits, q.text, loaded.thumbnails.card_url, ranked=False)
            return render("question.html", question=q, state="cited", missing=missing, groups=groups)
        # Leave-one-out: the question itself never votes for its own suggestions.
        result = grouped_search(
            loaded.retriever,
            q.text,
            k=min(self.k or ANSWER_SLIDES, 6),
            n_bank=0,
            exclude=(q.id,),
            section=q.section,
            context=parent_text(loaded.retriever.bank, q),
        ).result
        groups = card_groups(result.slides, q.text, loaded.thumbnails.card_url, badge="suggested")
        return render("question.html", question=q, state="suggested", groups=groups)

    # -- bank audit ----------------------------------------------------------------------------

    def audit_views(self) -> tuple[str, str, str]:
        """(summary HTML, coverage strip HTML, tables HTML) for the audit tab."""
        loaded = self.current()
        if loaded.index is None:
            return render("audit_summary.html", state="no-index"), "", ""
        from assistant.audit.findings import run_audit
        from assistant.audit.report import STATUS_COLOURS, audit_tab_data
        from assistant.ui.audit_view import tables_context

        report = run_audit(loaded.retriever)
        data = audit_tab_data(loaded.retriever, report)
        summary = render(
            "audit_summary.html", state="report", summary=data["summary"], drift=data["drift"], seconds=report.seconds
        )
        lectures = [
            {
                "deck": lec["deck"],
                "first": lec["first"],
                "last": lec["last"],
                "cells": [{**s, "image": loaded.thumbnails.strip_uri(s["number"])} for s in lec["slides"]],
            }
            for lec in data["coverage"]
        ]
        strip = render("coverage.html", lectures=lectures, colours=STATUS_COLOURS)
        return summary, strip, render("audit_tables.html", **tables_context(report))


def clicked(data: object) -> tuple[int | None, str | None]:
    """(slide number, question id) from a click's payload; each None when absent or malformed."""
    data = data if isinstance(data, dict) else {}
    slide = data.get("slide")
    number: int | None
    if isinstance(slide, bool):
        number = None
    elif isinstance(slide, int):
        number = slide
    elif isinstance(slide, str) and slide.isascii() and slide.strip().lstrip("-").isdigit():
        number = int(slide)
    else:
        number = None
    qid = data.get("qid")
    return number, qid if isinstance(qid, str) else None
