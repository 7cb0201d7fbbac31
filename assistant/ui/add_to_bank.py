""" "Add to my bank" under the Search tab's results: the typed question, with the slides the student
ticks as its references, written under a section they choose (``assistant.bank.edit``). The new
question is then a Study card and a bank vote for retrieval, without restarting the app.

The section starts at the section of the bank question that best matches the search (said under
the dropdown), not at whatever was used last; a question already in the bank is refused; after a
question is added the ticks clear, and the other tabs (header count, Question bank, Study) are
told through the ``added`` State this panel returns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.bank.parse import Question
    from assistant.retrieval.retriever import Result
    from assistant.ui.web import WebView


def slide_choices(result: Result | None) -> list[tuple[str, int]]:
    if result is None:
        return []
    return [(f"{h.slide.number} {h.slide.title or '(untitled)'}", h.slide.number) for h in result.slides]


def closest_question(result: Result | None) -> Question | None:
    """The bank question that best matches the search (its section is the likely home of the new one)."""
    if result is None or not result.bank:
        return None
    return result.bank[0].question


def duplicate_of(bank: Sequence[Question], text: str) -> Question | None:
    """The bank question that reads the same as ``text`` (spacing, case and study marks aside), if any."""
    from assistant.bank.parse import clean

    wanted = " ".join(clean(" ".join(text.split()))[0].split()).casefold()
    return next((q for q in bank if " ".join(q.text.split()).casefold() == wanted), None) if wanted else None


def use_bank(view: WebView, bank: tuple[Question, ...]) -> None:
    """Point the app at a new version of the bank: a retriever with its vectors, the view's lookups."""
    view.use_retriever(dataclasses.replace(view.retriever, bank=bank, bank_vectors=None))


def add(view: WebView, query: str, section: str, slides: list[int], request: Any = None) -> str:
    """Write the question; returns a one-line status for the page."""
    return add_question_to_bank(view, query, section, slides, request)[0]


def add_question_to_bank(
    view: WebView, query: str, section: str, slides: list[int], request: Any = None
) -> tuple[str, bool]:
    """(one-line status for the page, whether the bank changed). On the shared store of a class
    (``view.students``) it goes to the signed-in student's own layer, never to the course bank."""
    from assistant.bank.edit import add_question
    from assistant.bank.parse import default_bank_path, load_bank
    from index.errors import SlidebankError

    students = getattr(view, "students", None)
    if students is not None:
        try:
            mine = students.add_question(request, section or "", query or "", [int(n) for n in slides or []])
        except SlidebankError as exc:
            return _note(str(exc), warn=True), False
        return (
            f'<div class="sb-note">Added to your own bank under <b>{escape(mine.section)}</b>; it is a Study card now.</div>',
            True,
        )

    # The bank the app reads (its settings record: --bank, $SLIDEBANK_BANK), so the new question is searched at once.
    path = view.settings.bank if view.settings is not None else default_bank_path()
    try:
        # Read the file as it is now (another tab or an editor may have changed it), not the app's copy.
        same = duplicate_of(load_bank(path) if path.is_file() else (), query or "")
        if same is not None:
            return _note(
                f"Already in your bank under {same.section} (line {same.line}): nothing added.", warn=True
            ), False
        question = add_question(path, section or "", query or "", [int(n) for n in slides or []])
        use_bank(view, load_bank(path))
    except SlidebankError as exc:
        return _note(str(exc), warn=True), False
    cites = ", ".join(map(str, question.refs)) or "no slides"
    return (
        f'<div class="sb-note">Added to {escape(str(path))} under <b>{escape(question.section)}</b> '
        f"(cites {escape(cites)}); a backup is beside it (.bak).</div>",
        True,
    )


def _note(text: str, warn: bool = False) -> str:
    return f'<div class="sb-note{" sb-note-warn" if warn else ""}">{escape(text)}</div>'


def section_note(result: Result | None) -> str:
    """Says where the preselected section comes from, so a wrong guess is seen before Add."""
    found = closest_question(result)
    if found is None:
        return '<div class="sb-study-meta">No bank question matches this search: pick or type a section.</div>'
    return (
        f'<div class="sb-study-meta" id="add-section-why">Section preselected from the closest bank question: '
        f"<i>{escape(found.text)}</i> ({escape(found.section)})</div>"
    )


def add_to_bank_panel(view: WebView, query: Any, result: Any) -> Any:
    """The panel, built where it is called; ``query`` is the search box, ``result`` the search's State.
    Returns a State that counts the questions added: other tabs refresh on its ``change``."""
    import gradio as gr

    def sections() -> list[str]:
        return list(dict.fromkeys(q.section for q in view.retriever.bank))

    with gr.Accordion("Add to my bank", open=False, elem_id="add-to-bank"):
        with gr.Row():
            with gr.Column(scale=2, min_width=220):
                section = gr.Dropdown(
                    sections(),
                    value=None,
                    allow_custom_value=True,
                    label="Section (or type a new one)",
                    elem_id="add-section",
                )
                why = gr.HTML(section_note(None), elem_id="add-section-note")
            slides = gr.CheckboxGroup([], label="Slides that answer it", elem_id="add-slides", scale=5)
        button = gr.Button("Add the question to my bank", elem_id="add-button")
        status = gr.HTML(elem_id="add-status")
    added = gr.State(0)

    def on_result(found: Result | None):
        best = closest_question(found)
        return (
            gr.CheckboxGroup(choices=slide_choices(found), value=[]),
            gr.Dropdown(choices=sections(), value=best.section if best is not None else None),
            section_note(found),
            "",
        )

    from assistant.ui.shared import takes_request

    @takes_request
    def on_add(text: str, sec: str, ticked: list[int], count: int, request: gr.Request):
        message, changed = add_question_to_bank(view, text, sec, ticked, request)
        if not changed:
            return message, gr.skip(), gr.skip(), count
        # The form clears: the ticks go, the section list knows a new section.
        return message, gr.CheckboxGroup(value=[]), gr.Dropdown(choices=sections(), value=sec), count + 1

    result.change(on_result, result, [slides, section, why, status], api_visibility="private")
    button.click(on_add, [query, section, slides, added], [status, slides, section, added], api_visibility="private")
    return added
