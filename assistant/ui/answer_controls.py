"""The Search tab's "Written by" controls: the backend, and the model and server fields it needs.

The model field shows only for a model backend (``llm``: a name or path; ``server``: the model
name on the server), the URL field only for ``server``; each on a row of its own, the panel's full
width, so a URL like ``http://127.0.0.1:11434/v1`` reads whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from assistant.ui.web import WebView

BACKENDS = ("extractive", "llm", "server")
MODEL_LABELS = {
    "llm": "Model (a name, e.g. smollm2, or a folder)",
    "server": "Model name on the server (empty: its only one)",
}


class Shown(NamedTuple):
    """Which fields a backend needs, and the model field's label."""

    model: bool
    url: bool
    model_label: str


LOCAL_DEFAULT = "smollm2"  # the bundled local model


def fields_for(backend: str) -> Shown:
    return Shown(backend in MODEL_LABELS, backend == "server", MODEL_LABELS.get(backend, MODEL_LABELS["llm"]))


def model_for(backend: str, current: str) -> str:
    """The model field after switching to ``backend``: the bundled model's name means nothing to a
    server (empty: the server's only model), and an empty field means the bundled one for ``llm``."""
    current = current.strip() if isinstance(current, str) else ""
    if backend == "server" and current == LOCAL_DEFAULT:
        return ""
    if backend == "llm" and not current:
        return LOCAL_DEFAULT
    return current


def answer_controls(view: WebView) -> tuple[Any, Any, Any]:
    """(backend radio, model box, URL box), built where called and wired to show what the backend needs."""
    import gradio as gr

    settings = view.answer_settings
    shown = fields_for(settings.backend)
    backend = gr.Radio(list(BACKENDS), value=settings.backend, label="Written by", elem_id="answer-backend")
    model = gr.Textbox(
        value=settings.model or model_for(settings.backend, ""),
        label=shown.model_label,
        elem_id="answer-model",
        visible=shown.model,
    )
    url = gr.Textbox(
        value=settings.url or "",
        label="Model server URL (this computer only unless --allow-remote-llm)",
        placeholder="http://127.0.0.1:11434/v1",
        elem_id="answer-url",
        interactive=view.url_from_page,
        visible=shown.url,
    )

    def on_backend(choice: str, current: str):
        choice = choice if isinstance(choice, str) else "extractive"
        now = fields_for(choice)
        return (
            gr.Textbox(visible=now.model, label=now.model_label, value=model_for(choice, current)),
            gr.Textbox(visible=now.url),
        )

    backend.change(on_backend, [backend, model], [model, url], api_visibility="private")
    return backend, model, url
