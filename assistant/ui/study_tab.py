"""The Study tab: one due question at a time, the slides as its answer key, four grades, progress.

``study_tab(view)`` builds the tab inside the app's ``gr.Tabs``; the handlers are thin, the work is
``assistant.study.session.StudySession`` (the same one ``python -m assistant.study`` drives), and
the HTML comes from the small pure functions below, which tests call without a browser.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.study.cards import StudyCard
from assistant.study.queue import Filters
from assistant.study.schedule import GRADES
from assistant.study.session import AnswerKey, StudySession
from assistant.ui.bank_browser import ALL_SECTIONS, MARK_FILTERS
from assistant.ui.study_plan import CSS as PLAN_CSS
from assistant.ui.study_plan import cards_note, not_skipped, parse_exam, plan_updates, with_skipped
from index.symbols import latex_to_unicode as readable

if TYPE_CHECKING:
    from assistant.study.progress import SectionStats
    from assistant.ui.web import WebView

SCOPES = ("due only", "everything")
STATUS_COLOURS = {"reviewed": "#2e7d32", "not reviewed": "#b0b7c3"}
_MARK_OF = {"marked *": "*", "marked -": "-", "unmarked": ""}

# Keys 1-4 grade, space reveals, s skips; only while the Study tab is on screen and no text box has the focus.
KEYS_JS = """
if (!window.__sbStudyKeys) {
  window.__sbStudyKeys = true;
  document.addEventListener('keydown', (e) => {
    const card = document.getElementById('study-card');
    if (!card || card.offsetParent === null || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest && e.target.closest('input, textarea, select, [contenteditable=true]')) return;
    const ids = {'1': 'study-again', '2': 'study-hard', '3': 'study-good', '4': 'study-easy', ' ': 'study-show', 's': 'study-skip'};
    const button = document.getElementById(ids[e.key]);
    if (!button) return;
    e.preventDefault();
    if (!button.disabled && button.offsetParent !== null) button.click();
  });
}
"""

CSS = """
.sb-study-card { padding: 18px 20px; border-radius: 14px; background: var(--block-background-fill);
  border: 1px solid var(--border-color-primary); border-left: 5px solid var(--color-accent); }
.sb-study-q { font-size: 1.3rem; font-weight: 600; line-height: 1.35; margin: 6px 0 4px; }
.sb-study-meta { color: var(--body-text-color-subdued); font-size: 0.85rem; }
.sb-study-key h4 { margin: 4px 0; }
.sb-study-suggest { color: #b26b00; font-weight: 600; }
.sb-study-slidehead { display: flex; gap: 10px; align-items: baseline; }
"""


# -- pure pieces ------------------------------------------------------------------------------------


def filters_from(section: str, marks: str, scope: str) -> Filters:
    return Filters(None if section == ALL_SECTIONS else section, _MARK_OF.get(marks), scope != SCOPES[1])


def card_html(card: StudyCard | None, queued: int, new: bool) -> str:
    if card is None:
        return (
            '<div class="sb-study-card" id="sb-study-empty"><div class="sb-study-q">Nothing due.</div>'
            '<div class="sb-study-meta">Every card in this filter is scheduled later. Pick "everything" to review anyway.</div></div>'
        )
    mark = (
        f' <span class="sb-mark sb-mark-{"star" if card.marker == "*" else "dash"}" title="your mark">{escape(card.marker)}</span>'
        if card.marker
        else ""
    )
    state = "new" if new else "due for review"
    return (
        f'<div class="sb-study-card" data-qid="{escape(card.qid)}"><div class="sb-q-section">{escape(card.section)}</div>'
        f'<div class="sb-study-q">{escape(readable(card.text))}{mark}</div>'
        f'<div class="sb-study-meta">{state} · {queued} in the queue</div></div>'
    )


def key_html(key: AnswerKey) -> str:
    if not key.slides:
        return '<div class="sb-study-key"><h4>No slides</h4>This question cites none, and search suggested none.</div>'
    head = (
        '<h4 class="sb-study-suggest">Suggested slides: the question cites none; found by search, check them</h4>'
        if key.suggested
        else f"<h4>Cited slides: {', '.join(map(str, key.slides))}</h4>"
    )
    missing = f"<div>Not in the index: {', '.join(map(str, key.missing))}</div>" if key.missing else ""
    return f'<div class="sb-study-key">{head}{missing}</div>'


def slide_caption(key: AnswerKey, at: int) -> str:
    if not key.slides:
        return ""
    number, title = key.slides[at], key.titles[at]
    badge = ' <span class="sb-badge" style="position:static">suggested</span>' if key.suggested else ""
    return (
        f'<div class="sb-study-slidehead"><span class="sb-num">{number}</span>'
        f'<span class="sb-viewer-title">{escape(title or "(untitled)")}</span>{badge}'
        f'<span class="sb-where">{at + 1} of {len(key.slides)}</span></div>'
    )


def answer_html(key: AnswerKey) -> str:
    """The answer key's bullets, escaped by the template as the Search panel's are (no Markdown)."""
    from assistant.ui.render import render

    lines = [line.removeprefix("- ") for line in key.answer.splitlines() if line.strip()]
    return render("study_answer.html", lines=lines)


def progress_frame(rows: Sequence[SectionStats]) -> tuple[Any, Any]:
    """(reviewed vs not per section, mean recall per section) as data frames for ``gr.BarPlot``."""
    import pandas as pd

    counts = pd.DataFrame(
        [{"section": r.section, "cards": r.reviewed, "status": "reviewed"} for r in rows]
        + [{"section": r.section, "cards": r.unseen, "status": "not reviewed"} for r in rows]
    )
    recall = pd.DataFrame([{"section": r.section, "recall": round(r.retrievability or 0.0, 3)} for r in rows])
    return counts, recall


# -- the tab ----------------------------------------------------------------------------------------


@dataclass
class _Shown:
    """What the page shows now: the card and, once revealed, its answer key. ``grade_key`` names
    this showing of the card: every grade sent for it carries it, so the store records one grade
    however often the request is retried or a button is clicked."""

    qid: str | None = None
    key: AnswerKey | None = None
    grade_key: str | None = None


def open_session(view: WebView, db: Path | None = None) -> StudySession:
    """``db`` (default: the view's settings, else data/study.sqlite): the study file."""
    from assistant.study.store import open_store
    from assistant.study.suggestions import Suggestions

    if db is None and view.settings is not None:
        db = view.settings.study_db
    loaded = view.current()
    return StudySession(loaded.retriever.bank, open_store(db), loaded.index, suggest=Suggestions(loaded.retriever))


_FOLLOW = threading.Lock()  # handlers of several events may notice the same change: apply it once


def follow_view(view: WebView, session: StudySession) -> None:
    """Study shows what Search shows: the live index generation (a re-ingest while the app runs)
    and the current bank (grown by "Add to my bank"); suggestions are remade for a new one."""
    from assistant.study.suggestions import Suggestions

    with _FOLLOW:
        loaded = view.current()
        retriever = loaded.retriever
        if session.index is not loaded.index or getattr(session.suggest, "retriever", None) is not retriever:
            session.index = loaded.index
            session.suggest = Suggestions(retriever)
        if session.bank is not retriever.bank:
            session.reload(retriever.bank)


def shown_card(card: StudyCard | None) -> _Shown:
    """A card put on the page, with a fresh grade key."""
    return _Shown(card.qid, None, uuid.uuid4().hex) if card is not None else _Shown()


def said(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A handler whose own errors (a study file damaged while the app runs, a busy file) reach the
    page as their one-line message instead of Gradio's generic failure."""
    import gradio as gr

    from index.errors import SlidebankError

    @functools.wraps(fn)
    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except SlidebankError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    return call


def grade_shown(session: StudySession, state: _Shown, word: str) -> None:
    """Record the grade for the card on the page (once per showing; none for a card gone from the bank)."""
    if state.qid is not None and session.card(state.qid) is not None:
        session.grade(state.qid, word, key=state.grade_key)  # type: ignore[arg-type]


def study_tab(
    view: WebView,
    db: Path | None = None,
    session: StudySession | None = None,
    sessions: Callable[[Any], StudySession] | None = None,
    refresh: Any = None,
) -> StudySession | None:
    """The Study tab, built inside the caller's ``gr.Tabs``. Returns the session (None: no study file).

    ``sessions`` (the shared store, assistant/ui/shared.py) gives each request its signed-in student's
    session instead of the one local session; it follows ingests and the student's bank itself.
    ``refresh``: a component whose ``change`` means the bank grew ("Add to my bank")."""
    import gradio as gr

    from assistant.ui.shared import takes_request
    from index.errors import SlidebankError

    with gr.Tab("Study", id="study") as tab:
        gr.HTML(f"<style>{CSS}{PLAN_CSS}</style>", elem_id="study-style", container=False, padding=False)
        try:
            session = session or (open_session(view, db) if sessions is None else None)
        except SlidebankError as exc:
            gr.HTML(f'<div class="sb-note sb-note-warn">{escape(str(exc))}</div>')
            return None
        shown_bank = session.cards if session is not None else view.retriever.bank
        sections = [ALL_SECTIONS, *dict.fromkeys(c.section for c in shown_bank)]
        with gr.Row():
            section = gr.Dropdown(sections, value=ALL_SECTIONS, label="Section", elem_id="study-section", scale=3)
            marks = gr.Dropdown(
                list(MARK_FILTERS), value=MARK_FILTERS[0], label="Your marks", elem_id="study-marks", scale=2
            )
            scope = gr.Radio(list(SCOPES), value=SCOPES[0], label="Cards", elem_id="study-scope", scale=2)
            exam = gr.Textbox(
                label="Exam date (optional)", placeholder="e.g. 20/12/2026", elem_id="study-exam", scale=2, max_lines=1
            )
        with gr.Row():
            count = gr.HTML(cards_note(session) if session is not None else "", elem_id="study-count")
            exam_note = gr.HTML(elem_id="study-exam-note")
        with gr.Row():
            with gr.Column(scale=6):
                card = gr.HTML(elem_id="study-card", js_on_load=KEYS_JS)
                with gr.Row():
                    show = gr.Button("Show answer  (space)", variant="primary", elem_id="study-show", scale=4)
                    skip = gr.Button("Skip  (s)", elem_id="study-skip", scale=1, min_width=100, interactive=False)
                with gr.Accordion("Check my answer", open=False, elem_id="study-own"):
                    own = gr.Textbox(label="Your answer", lines=3, elem_id="study-own-answer")
                    own_check = gr.Button("Check my answer", size="sm", elem_id="study-own-check")
                    own_result = gr.HTML(elem_id="study-own-result")
                with gr.Column(visible=False, elem_id="study-answer-box") as answer_box:
                    key = gr.HTML(elem_id="study-key")
                    with gr.Row(equal_height=True):
                        prev = gr.Button("\u25c0", size="sm", elem_id="study-prev", scale=0, min_width=60)
                        caption = gr.HTML(elem_id="study-caption")
                        nxt = gr.Button("\u25b6", size="sm", elem_id="study-next", scale=0, min_width=60)
                    image = gr.Image(
                        type="pil",
                        format="png",
                        show_label=False,
                        interactive=False,
                        buttons=["fullscreen"],  # no "share": it would post the slide to an outside site
                        elem_id="study-slide",
                        height=420,
                    )
                    answer = gr.HTML(elem_id="study-answer")
                with gr.Row(elem_id="study-grades"):
                    grades = [
                        gr.Button(
                            f"{label}  ({n})",
                            elem_id=f"study-{word}",
                            interactive=False,
                            variant="secondary" if word != "good" else "primary",
                        )
                        for n, (word, label) in enumerate(zip(GRADES, ("Again", "Hard", "Good", "Easy")), start=1)
                    ]
            with gr.Column(scale=4, min_width=300):
                gr.Markdown("### Progress per section")
                counts_plot = gr.BarPlot(
                    x="section",
                    y="cards",
                    color="status",
                    color_map=STATUS_COLOURS,
                    sort=sections[1:],
                    x_label_angle=-35,
                    elem_id="study-progress",
                    show_label=False,
                    height=300,
                )
                recall_plot = gr.BarPlot(
                    x="section",
                    y="recall",
                    y_lim=[0, 1],
                    sort=sections[1:],
                    x_label_angle=-35,
                    elem_id="study-recall",
                    title="Mean recall of reviewed cards",
                    show_label=False,
                    height=260,
                )
        shown = gr.State(_Shown())
        at = gr.State(0)
        skipped = gr.State(frozenset())  # cards skipped on this page (study_plan.py)

    filters = [section, marks, scope, exam, skipped]
    card_outputs = [card, shown, at, answer_box, show, *grades, counts_plot, recall_plot, own, own_result]
    card_outputs += [skip, section, count, exam_note]  # study_plan.plan_updates

    def of(request: gr.Request) -> StudySession:
        if sessions is not None:
            return sessions(request)
        assert session is not None
        follow_view(view, session)
        return session

    @takes_request
    def render(sec: str, mark: str, scp: str, exam_text: str, gone: frozenset[str], request: gr.Request):
        session = of(request)
        session.exam = parse_exam(exam_text)
        queue = not_skipped(session.queue(filters_from(sec, mark, scp)), gone)
        current = queue[0] if queue else None
        memories = session.memories()
        counts, recall = progress_frame(session.stats())
        return (
            card_html(current, len(queue), current is not None and current.qid not in memories),
            shown_card(current),
            0,
            gr.Column(visible=False),
            gr.Button(interactive=current is not None),
            *(gr.Button(interactive=False) for _ in grades),
            counts,
            recall,
            "",
            "",
            *plan_updates(session, current, exam_text),
        )

    def slide(state: _Shown, n: int):
        if state.key is None or not state.key.slides:
            return None, "", 0, gr.Button(interactive=False), gr.Button(interactive=False)
        n = max(0, min(n, len(state.key.slides) - 1))
        return (
            view.slide_image(state.key.slides[n]),
            slide_caption(state.key, n),
            n,
            gr.Button(interactive=n > 0),
            gr.Button(interactive=n < len(state.key.slides) - 1),
        )

    @takes_request
    def reveal(state: _Shown, request: gr.Request):
        session = of(request)
        found = session.card(state.qid or "")
        if found is None:
            return (gr.skip(),) * 13
        answer_key = session.answer_key(found)
        revealed = _Shown(found.qid, answer_key, state.grade_key)
        return (
            revealed,
            gr.Column(visible=True),
            key_html(answer_key),
            answer_html(answer_key),
            *slide(revealed, 0),
            *(gr.Button(interactive=True) for _ in grades),
        )

    def grade_with(word: str):
        @takes_request
        def handler(
            state: _Shown, sec: str, mark: str, scp: str, exam_text: str, gone: frozenset[str], request: gr.Request
        ):
            grade_shown(of(request), state, word)
            return render(sec, mark, scp, exam_text, gone, request)

        return handler

    render, reveal = said(render), said(reveal)
    for control in (section, marks, scope):
        control.change(render, filters, card_outputs, api_visibility="private")
    for event in (exam.submit, exam.blur):
        event(render, filters, card_outputs, api_visibility="private")
    tab.select(render, filters, card_outputs, api_visibility="private")
    if refresh is not None:
        refresh.change(render, filters, card_outputs, api_visibility="private")

    @takes_request
    def skip_card(
        state: _Shown, sec: str, mark: str, scp: str, exam_text: str, gone: frozenset[str], request: gr.Request
    ):
        """Leave the card for later on this page (the terminal's ``s``): no grade, nothing written."""
        gone = with_skipped(gone, state.qid if isinstance(state, _Shown) else None)
        return (gone, *render(sec, mark, scp, exam_text, gone, request))

    skip.click(skip_card, [shown, *filters], [skipped, *card_outputs], api_visibility="private")
    show.click(
        reveal,
        shown,
        [shown, answer_box, key, answer, image, caption, at, prev, nxt, *grades],
        api_visibility="private",
    )
    prev.click(lambda s, n: slide(s, n - 1), [shown, at], [image, caption, at, prev, nxt], api_visibility="private")
    nxt.click(lambda s, n: slide(s, n + 1), [shown, at], [image, caption, at, prev, nxt], api_visibility="private")
    from assistant.ui.own_answer import check_card

    @takes_request
    def check_own(state: _Shown, text: str, request: gr.Request) -> str:
        return check_card(of(request), view.retriever, state.qid, text)

    own_check.click(
        check_own,
        [shown, own],
        own_result,
        api_visibility="private",
    )
    for word, button in zip(GRADES, grades):
        button.click(said(grade_with(word)), [shown, *filters], card_outputs, api_name=f"study_{word}")
    return session
