"""The Question bank tab: sections and questions with the user's marks, a question's slides.

No ``from __future__ import annotations`` here: Gradio reads the ``gr.EventData`` hints of the
handlers. Gradio is imported inside the functions, so that importing this module stays instant.
"""

from assistant.ui.viewer import scroll_to, show_slide, slide_viewer


def bank_tab(view) -> None:
    import gradio as gr

    from assistant.ui.render import static_text
    from assistant.ui.server import guarded
    from assistant.ui.web import ALL_SECTIONS, MARK_FILTERS, clicked

    click_js = static_text("click.js")

    with gr.Row():
        with gr.Column(scale=5, min_width=320):
            with gr.Row():
                section = gr.Dropdown(
                    view.section_choices(), value=ALL_SECTIONS, label="Section", elem_id="bank-section", scale=3
                )
                marks = gr.Dropdown(
                    list(MARK_FILTERS), value=MARK_FILTERS[0], label="Your marks", elem_id="bank-marks", scale=2
                )
            listing = gr.HTML(view.bank_list_html(), elem_id="bank-list", js_on_load=click_js, max_height=760)
        with gr.Column(scale=6):
            viewer = slide_viewer(view, "bank")
            detail = gr.HTML(view.question_html(None), elem_id="bank-question", js_on_load=click_js)
    selected = gr.State(None)

    def refilter(sec: str, mark: str, chosen):
        return view.bank_list_html(sec, mark, chosen)

    def on_click(sec: str, mark: str, evt: gr.EventData):
        number, qid = clicked(getattr(evt, "_data", None))
        if number is not None:
            return (gr.skip(), gr.skip(), gr.skip(), *show_slide(view, number))
        if qid is not None:
            hidden = gr.Column(visible=False)  # a new question replaces the slide that was open
            return (
                view.bank_list_html(sec, mark, qid),
                view.question_html(qid),
                qid,
                hidden,
                *(gr.skip() for _ in range(5)),
            )
        return tuple(gr.skip() for _ in range(9))

    def on_detail_click(evt: gr.EventData):
        number, _ = clicked(getattr(evt, "_data", None))
        return show_slide(view, number) if number is not None else tuple(gr.skip() for _ in range(6))

    for control in (section, marks):
        control.change(guarded(refilter), [section, marks, selected], listing, api_visibility="private")
    listing.click(
        guarded(on_click), [section, marks], [listing, detail, selected, *viewer.outputs], api_visibility="private"
    ).then(None, js=scroll_to("bank-viewer"))
    detail.click(guarded(on_detail_click), None, viewer.outputs, api_visibility="private").then(
        None, js=scroll_to("bank-viewer")
    )
