"""The Bank audit tab: one button, then references to check, suggestions, drift and coverage.

No ``from __future__ import annotations`` here: Gradio reads the ``gr.EventData`` hints of the
handlers. Gradio is imported inside the functions, so that importing this module stays instant.
"""


def audit_tab(view) -> None:
    import gradio as gr

    from assistant.ui.server import guarded

    gr.Markdown(
        "Checks every reference of your bank against the slides, suggests slides for questions that cite "
        "nothing (marked as **suggestions**), looks for deck drift, and shows what the bank never covers."
    )
    run = gr.Button("Run the audit", variant="primary", elem_id="audit-run")
    summary = gr.HTML(elem_id="audit-summary")
    gr.Markdown("### Coverage: green = cited, amber = suggested, red = nothing in the bank")
    strip = gr.HTML(elem_id="audit-coverage")
    gr.Markdown("### Check these references")
    flags = gr.Dataframe(
        headers=["question", "section", "cites", "retrieval suggests instead"], wrap=True, elem_id="audit-flags"
    )
    gr.Markdown("### Suggested slides for questions that cite nothing (suggestions, not references)")
    suggestions = gr.Dataframe(
        headers=["question", "section", "suggested slides"], wrap=True, elem_id="audit-suggestions"
    )
    run.click(guarded(view.audit_views), None, [summary, strip, flags, suggestions], api_name="audit")
