"""The Study tab's planning pieces: the exam date box's pace (or what a date should look like), the
count of cards the bank gives, and Skip. Pure functions, and the updates ``study_tab`` appends to
what each of its handlers draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any

from assistant.study.dates import exam_pace, parse_exam_date
from assistant.ui.bank_browser import ALL_SECTIONS, bank_count
from index.errors import InputError

if TYPE_CHECKING:
    from assistant.study.cards import StudyCard
    from assistant.study.session import StudySession

CSS = """
/* The grades stay on screen while the answer key (slide image, bullets) runs below the window. */
#study-grades { position: sticky; bottom: 0; z-index: 5; padding: 8px 0; background: var(--background-fill-primary);
  border-top: 1px solid var(--border-color-primary); }
.sb-study-exam { font-size: 0.88rem; margin: 2px 0 0; }
.sb-study-exam-warn { color: #b26b00; font-weight: 600; }
"""


def parse_exam(text: str) -> date | None:
    """The exam date typed in the box; None when it is empty or not a date (``exam_html`` says why)."""
    try:
        return parse_exam_date(text) if isinstance(text, str) and text.strip() else None
    except InputError:
        return None


def exam_html(text: str, today: date, unseen: int) -> str:
    """Under the date box: the pace the exam asks for, as ``--stats --exam`` gives it, or what a
    date should look like when the box holds something else."""
    if not isinstance(text, str) or not text.strip():
        return ""
    try:
        pace = exam_pace(parse_exam_date(text), today, unseen)
    except InputError as exc:
        return f'<div class="sb-study-exam sb-study-exam-warn">Exam date not used: {escape(str(exc))}</div>'
    return f'<div class="sb-study-exam">{escape(pace.sentence())}</div>'


def cards_note(session: StudySession) -> str:
    """How many cards the bank gives, and why that can be fewer than its lines (a cited heading is a topic)."""
    return f'<div class="sb-study-meta" id="sb-study-count">{escape(bank_count(session.bank))}</div>'


def not_skipped(queue: Iterable[StudyCard], skipped: Any) -> list[StudyCard]:
    """The queue without the cards skipped on this page (Skip records nothing; a reload brings them back)."""
    gone = skipped if isinstance(skipped, frozenset) else frozenset()
    return [c for c in queue if c.qid not in gone]


def with_skipped(skipped: Any, qid: str | None) -> frozenset[str]:
    gone = skipped if isinstance(skipped, frozenset) else frozenset()
    return gone | {qid} if isinstance(qid, str) else gone


def plan_updates(session: StudySession, current: StudyCard | None, exam_text: str) -> tuple[Any, ...]:
    """What a redrawn card also updates: Skip, the section list (a section "Add to my bank" made),
    the card count and the exam line. Outputs ``[skip, section, count, exam_note]`` of the tab."""
    import gradio as gr

    unseen = sum(r.unseen for r in session.stats())
    return (
        gr.Button(interactive=current is not None),
        gr.Dropdown(choices=[ALL_SECTIONS, *dict.fromkeys(c.section for c in session.cards)]),
        cards_note(session),
        exam_html(exam_text, session.clock().date(), unseen),
    )
