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
    gr.Markdown(
        "The first audit of a new or edited bank takes longer (about 9 to 18 s on two cores): it first trains the "
        "five leave-one-out query adapters the audit ranks with (about 3 s each), then keeps them on disk; later "
        "runs, and later starts with the same bank, take about 2 s.",
        elem_id="audit-first-run",
    )
    summary = gr.HTML(elem_id="audit-summary")
    gr.Markdown("### Coverage: green = cited, amber = suggested, red = nothing in the bank")
    strip = gr.HTML(elem_id="audit-coverage")
    tables = gr.HTML(elem_id="audit-tables")  # assistant/ui/audit_view.py: tables that wrap inside the panel
    run.click(guarded(view.audit_views), None, [summary, strip, tables], api_name="audit")
