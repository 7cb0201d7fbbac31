""" "Add to my bank" under the Search tab's results: the typed question, with the slides the student
ticks as its references, written under a section they choose (``assistant.bank.edit``). The new
question is then a Study card and a bank vote for retrieval, without restarting the app."""

from __future__ import annotations

import dataclasses
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


def use_bank(view: WebView, bank: tuple[Question, ...]) -> None:
    """Point the app at a new version of the bank: a retriever with its vectors, the view's lookups."""
    view.use_retriever(dataclasses.replace(view.retriever, bank=bank, bank_vectors=None))


def add(view: WebView, query: str, section: str, slides: list[int], request: Any = None) -> str:
    """Write the question; returns a one-line status for the page. On the shared store of a class
    (``view.students``) it goes to the signed-in student's own layer, never to the course bank."""
    from assistant.bank.edit import add_question
    from assistant.bank.parse import default_bank_path, load_bank
    from index.errors import SlidebankError

    students = getattr(view, "students", None)
    if students is not None:
        try:
            mine = students.add_question(request, section or "", query or "", [int(n) for n in slides or []])
        except SlidebankError as exc:
            return f'<div class="sb-note sb-note-warn">{escape(str(exc))}</div>'
        return f'<div class="sb-note">Added to your own bank under <b>{escape(mine.section)}</b>; it is a Study card now.</div>'

    # The bank the app reads (its settings record: --bank, $SLIDEBANK_BANK), so the new question is searched at once.
    path = view.settings.bank if view.settings is not None else default_bank_path()
    try:
        question = add_question(path, section or "", query or "", [int(n) for n in slides or []])
        use_bank(view, load_bank(path))
    except SlidebankError as exc:
        return f'<div class="sb-note sb-note-warn">{escape(str(exc))}</div>'
    cites = ", ".join(map(str, question.refs)) or "no slides"
    return f'<div class="sb-note">Added to {escape(str(path))} under <b>{escape(question.section)}</b> (cites {escape(cites)}); a backup is beside it (.bak).</div>'


def add_to_bank_panel(view: WebView, query: Any, result: Any) -> None:
    """The panel, built where it is called; ``query`` is the search box, ``result`` the search's State."""
    import gradio as gr

    sections = list(dict.fromkeys(q.section for q in view.retriever.bank))
    with gr.Accordion("Add to my bank", open=False, elem_id="add-to-bank"):
        with gr.Row():
            section = gr.Dropdown(
                sections,
                value=sections[0] if sections else None,
                allow_custom_value=True,
                label="Section (or type a new one)",
                elem_id="add-section",
                scale=2,
            )
            slides = gr.CheckboxGroup([], label="Slides that answer it", elem_id="add-slides", scale=5)
        button = gr.Button("Add the question to my bank", elem_id="add-button")
        status = gr.HTML(elem_id="add-status")
    result.change(
        lambda r: gr.CheckboxGroup(choices=slide_choices(r), value=[]), result, slides, api_visibility="private"
    )

    from assistant.ui.shared import takes_request

    @takes_request
    def on_add(q: str, s: str, n: list[int], request: gr.Request) -> str:
        return add(view, q, s, n, request)

    button.click(on_add, [query, section, slides], status, api_visibility="private")
