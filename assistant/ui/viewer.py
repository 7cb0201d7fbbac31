"""The large slide viewer of a tab (Previous / Next / Close), and what a click on a slide shows.

No ``from __future__ import annotations`` here: Gradio reads the ``gr.EventData`` hints of the
handlers. Gradio is imported inside the functions, so that importing this module stays instant.
"""

from dataclasses import dataclass
from typing import Any


@dataclass
class Viewer:
    """The large slide view of one tab: its components, and the outputs ``show`` fills."""

    box: Any
    image: Any
    caption: Any
    current: Any
    prev: Any
    next: Any

    @property
    def outputs(self) -> list:
        return [self.box, self.image, self.caption, self.current, self.prev, self.next]


def slide_viewer(view, name: str) -> Viewer:
    import gradio as gr

    from assistant.ui.server import guarded

    with gr.Column(visible=False, elem_id=f"{name}-viewer", elem_classes="sb-viewer") as box:
        with gr.Row(equal_height=True):
            prev = gr.Button("\u25c0 Previous", size="sm", elem_id=f"{name}-prev", scale=0, min_width=110)
            nxt = gr.Button("Next \u25b6", size="sm", elem_id=f"{name}-next", scale=0, min_width=110)
            close = gr.Button("Close", size="sm", variant="secondary", elem_id=f"{name}-close", scale=0, min_width=80)
        image = gr.Image(
            type="pil",
            format="png",
            show_label=False,
            interactive=False,
            buttons=["fullscreen"],
            elem_id=f"{name}-image",
            height=460,
        )
        caption = gr.HTML(elem_id=f"{name}-caption", js_on_load=None)
    current = gr.State(0)
    viewer = Viewer(box, image, caption, current, prev, nxt)
    prev.click(guarded(lambda n: show_slide(view, n - 1)), current, viewer.outputs, api_visibility="private")
    nxt.click(guarded(lambda n: show_slide(view, n + 1)), current, viewer.outputs, api_visibility="private")
    close.click(lambda: gr.Column(visible=False), None, box, api_visibility="private")
    return viewer


def show_slide(view, number: int) -> tuple:
    import gradio as gr

    panel = view.slide_panel(number) if isinstance(number, int) else None
    if panel is None:
        return tuple(gr.skip() for _ in range(6))
    return (
        gr.Column(visible=True),
        panel.image,
        panel.caption_html,
        panel.number,
        gr.Button(interactive=panel.has_prev),
        gr.Button(interactive=panel.has_next),
    )


def scroll_to(elem_id: str) -> str:
    return (
        f"() => {{ document.getElementById('{elem_id}')?.scrollIntoView({{behavior: 'smooth', block: 'nearest'}}); }}"
    )
