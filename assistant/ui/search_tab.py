"""The Search tab: one box, the slide cards, the bank's matching questions and the answer panel.

No ``from __future__ import annotations`` here: Gradio reads the ``gr.EventData`` hints of the
handlers. Gradio is imported inside the functions, so that importing this module stays instant.
"""

from assistant.ui.viewer import scroll_to, show_slide, slide_viewer

# Answers wait on a model server, not on the cores: they get their own slots (apart from the
# searches' one), so one tab's slow or stuck server never holds another tab's answer. Each answer
# ends by SLIDEBANK_LLM_TIMEOUT whatever its server does, which gives its slot back.
ANSWER_CONCURRENCY = 4


def search_tab(view) -> None:
    import gradio as gr

    from assistant.ui.render import static_text
    from assistant.ui.server import guarded
    from assistant.ui.web import clicked

    click_js = static_text("click.js")

    with gr.Row(equal_height=True):
        query = gr.Textbox(
            show_label=False,
            placeholder="Ask an exam question, e.g.  why is CFG's \u03c9 a tradeoff?",
            elem_id="query",
            autofocus=True,
            lines=1,
            max_lines=3,
            scale=8,
        )
        button = gr.Button("Search", variant="primary", elem_id="search-btn", scale=1, min_width=110)
    result = gr.State(None)
    with gr.Row():
        with gr.Column(scale=7):
            viewer = slide_viewer(view, "search")
            slides = gr.HTML(view.results_html(view.search("")), elem_id="results", js_on_load=click_js)
        with gr.Column(scale=4, min_width=300):
            gr.Markdown("### From your question bank")
            bank = gr.HTML(elem_id="bank-matches", js_on_load=click_js)
            gr.Markdown("### Answer")
            with gr.Row():
                settings = view.answer_settings
                backend = gr.Radio(
                    ["extractive", "llm", "server"],
                    value=settings.backend,
                    label="Written by",
                    elem_id="answer-backend",
                    scale=2,
                )
                model = gr.Textbox(
                    value=settings.model or ("" if settings.backend == "server" else "smollm2"),
                    label="Model (llm: name or path; server: its model name, empty for its only one)",
                    elem_id="answer-model",
                    scale=3,
                )
                url = gr.Textbox(
                    value=settings.url or "",
                    label="Model server URL (server; this computer only unless --allow-remote-llm)",
                    placeholder="http://127.0.0.1:11434/v1",
                    elem_id="answer-url",
                    interactive=view.url_from_page,
                    scale=3,
                )
            answer = gr.HTML(next(view.answer_html(None)), elem_id="answer", js_on_load=click_js)

    def run(text: str):
        if not isinstance(text, str):
            raise gr.Error("the query must be text", print_exception=False)
        found = view.grouped(text)
        return view.results_html(found), view.bank_matches_html(found.result), view.ranked(found)

    def open_clicked(evt: gr.EventData):
        number, _ = clicked(getattr(evt, "_data", None))
        return show_slide(view, number) if number is not None else tuple(gr.skip() for _ in range(6))

    gr.on([query.submit, button.click], guarded(run), query, [slides, bank, result], api_name="search").then(
        guarded(view.answer_html),
        [result, backend, model, url],
        answer,
        api_visibility="private",
        concurrency_limit=ANSWER_CONCURRENCY,
        concurrency_id="answer",
    )
    for source in (slides, bank, answer):
        source.click(guarded(open_clicked), None, viewer.outputs, api_visibility="private").then(
            None, js=scroll_to("search-viewer")
        )
    from assistant.ui.add_to_bank import add_to_bank_panel

    add_to_bank_panel(view, query, result)
