"""The whole app's Blocks (the tabs, in order), its theme and its launch; ``app.py`` parses the
command line and calls these.

No ``from __future__ import annotations`` here: Gradio reads the ``gr.EventData`` hints of the
handlers. Gradio is imported inside the functions, so that importing this module stays instant.
"""

import ipaddress
import os
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# One handler at a time per event. A search is CPU-bound and its ONNX session already runs on two
# intra-op threads, all the cores this app is sized for, so running searches side by side adds no
# throughput, only contention; and one at a time keeps the Retriever's query memo, the view's
# thumbnail cache and the once-per-app calibration free of races without locks (none of them is
# proven thread-safe). The queue holds a bounded number of waiting requests: past it a client gets
# "queue full" at once instead of waiting without end behind a flood.
CONCURRENCY_LIMIT = 1
QUEUE_MAX_SIZE = 64
CARDS_ATTRIBUTE = "slidebank_cards"
ANALYTICS_EVERY = 10**9  # events between two of Gradio's monitoring summaries: never, in practice


# What `python app.py --help` says the app is.
APP_HELP = """
examples:
  python app.py                                  then open http://127.0.0.1:7860
  python app.py --port 8000 --index my/index     another port, another index
  python app.py --host 0.0.0.0                   let other machines on your network in (think first)
  python app.py --reranker ~/models/my-ce        re-order the top slides with a local cross-encoder (slower)

what you get (the tabs, left to right):
  Search       one box: the slides that answer your question as cards (the top slide with the
               slides around it on the same topic as one range, then the results that stay close
               to it; the rest folded under "Other places this comes up"), the matching bank
               questions with their cited slides as chips, and an answer panel (extractive, or a
               local model). Click a card or a chip to see the slide large, then step with
               Previous / Next. "Add to my bank" writes the question into your bank file.
  Question bank
               sections -> questions with your * / - marks; click a question to see the slides
               it cites, or, when it cites none, the slides search suggests.
  Bank audit   one button: references to check, suggested slides for uncited questions (marked
               as suggestions), deck drift, and a coverage strip of thumbnails per lecture.
  Study        the bank as spaced-repetition cards (as python -m assistant.study): one due
               question, Show answer for its slides, grade Again / Hard / Good / Easy or Skip;
               an exam date gives the new cards a day it needs; progress per section.

Without an index the page says how to build one (python -m ingest slides.pdf) and the bank
still works; a running app picks up a new ingest on the next search, no restart needed.
Everything runs on this computer: the app switches Gradio's analytics off, the page loads no
outside fonts, scripts or images (a Content-Security-Policy enforces it), text from your slides
and bank is shown as text, never as markup, uploads and requests from other sites are refused,
and it listens on 127.0.0.1 only unless you pass --host. --share (a public Gradio link) is never
on unless you ask for it.
"""


def build_app(view):
    """The Blocks of the whole app. New tabs go into the ``gr.Tabs`` below, one function each."""
    from assistant.ui.server import guarded, private_temp_dir, quiet_input_errors

    private_temp_dir()  # before any component exists: they read GRADIO_TEMP_DIR when built
    import gradio as gr

    from assistant.ui.audit_tab import audit_tab
    from assistant.ui.bank_tab import bank_tab
    from assistant.ui.search_tab import search_tab
    from assistant.ui.study_tab import study_tab

    # Files Gradio writes (the viewer's PNGs) are removed after an hour, checked every hour.
    with gr.Blocks(title="slidebank", fill_width=True, delete_cache=(3600, 3600)) as demo:
        status = gr.HTML(view.status_html(), elem_id="status")
        with gr.Tabs(elem_id="tabs"):
            # The order the README and --help give: Search, Question bank, Bank audit, Study.
            with gr.Tab("Search", id="search"):
                added = search_tab(view)
            with gr.Tab("Question bank", id="bank"):
                bank_tab(view, added)
            with gr.Tab("Bank audit", id="audit"):
                audit_tab(view)
            students = getattr(view, "students", None)  # the shared store: each student's own session
            study_tab(view, sessions=students, refresh=added)  # its own gr.Tab: assistant/ui/study_tab.py
            if students is not None:
                students.api()
        demo.load(
            guarded(view.status_html), None, status, api_visibility="private"
        )  # a reload shows a re-ingested deck
        added.change(guarded(view.status_html), None, status, api_visibility="private")  # the header's count
    # Gradio recomputes a monitoring summary (a pandas table of up to 10,000 past events) after every
    # event unless told to cache it: 2 ms per event at first, 7 ms after 10,000 events, growing with
    # uptime. The app serves no monitoring page, so the summary is never worth computing.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(ANALYTICS_EVERY))
    demo.queue(default_concurrency_limit=CONCURRENCY_LIMIT, max_size=QUEUE_MAX_SIZE)
    quiet_input_errors(demo)
    # What ``launch`` needs for the card route: where the images come from, and the proxy's sign-in
    # header (--auth-header) that a request must carry; kept with the Blocks they belong to.
    header = students.settings.header if students is not None else None
    setattr(demo, CARDS_ATTRIBUTE, (view.card_image, header))
    return demo


def theme():
    import gradio as gr

    # System fonts only: the default themes pull fonts from Google, which a private, offline tool must not.
    sans: list[Any] = [
        gr.themes.Font("ui-sans-serif"),
        "system-ui",
        "-apple-system",
        "Segoe UI",
        "Roboto",
        "sans-serif",
    ]
    mono: list[Any] = [gr.themes.Font("ui-monospace"), "SFMono-Regular", "Menlo", "Consolas", "monospace"]
    return gr.themes.Soft(primary_hue="indigo", neutral_hue="slate", font=sans, font_mono=mono)


def launch(
    demo, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, share: bool = False, block: bool = True, auth=None
):
    """Start serving. ``block=False`` returns at once (tests). ``auth``: Gradio's sign-in check (--users).
    The card route serves the images of the view ``build_app`` was given."""
    from assistant.ui.render import static_text
    from assistant.ui.server import app_kwargs

    return demo.launch(
        server_name=host,
        server_port=port,
        share=share,
        auth=auth,
        prevent_thread_lock=not block,
        quiet=True,
        theme=theme(),
        css=static_text("app.css"),
        ssr_mode=False,
        footer_links=[],
        show_error=False,  # handlers say what went wrong themselves (gr.Error); nothing else reaches the page raw
        max_file_size=0,  # the app takes no files; the guard also refuses the upload route outright
        app_kwargs=app_kwargs(is_loopback(host), *getattr(demo, CARDS_ATTRIBUTE, (None, None))),
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
