"""``python app.py``: the slidebank web app. Layout and wiring only; what it shows comes from
``assistant.ui.web`` and the retrieval from ``Retriever.search``, the same call the CLI makes;
what the HTTP server adds around Gradio (CSP, refused routes, temp folder) from ``assistant.ui.server``.

No ``from __future__ import annotations`` here: Gradio reads the ``gr.EventData`` hints of the
handlers, and gradio is imported inside functions so that ``--help`` stays instant.
"""

import os

# Private by default: Gradio reports usage and checks for updates over the network unless this
# is set before it is first imported. The app sets it itself, so nobody has to remember.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import argparse  # noqa: E402
import ipaddress  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from assistant.cli import BANK_HELP, INDEX_HELP, RERANKER_HELP, run  # noqa: E402 - light (argparse, the error types): --help stays instant
from index.terminal import safe  # noqa: E402

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

EPILOG = """
examples:
  python app.py                                  then open http://127.0.0.1:7860
  python app.py --port 8000 --index my/index     another port, another index
  python app.py --host 0.0.0.0                   let other machines on your network in (think first)
  python app.py --reranker ~/models/my-ce        re-order the top slides with a local cross-encoder (slower)

what you get:
  Search       one box: the slides that answer your question as cards (the top slide with the
               slides around it on the same topic as one range, then the results that stay close
               to it; the rest folded under "Other places this comes up"), the matching bank
               questions with their cited slides as chips, and an answer panel (extractive, or a
               local model). Click a card or a chip to see the slide large, then step with
               Previous / Next.
  Bank audit   one button: references to check, suggested slides for uncited questions (marked
               as suggestions), deck drift, and a coverage strip of thumbnails per lecture.
  Question bank
               sections -> questions with your * / - marks; click a question to see the slides
               it cites, or, when it cites none, the slides search suggests.

Without an index the page says how to build one (python -m ingest slides.pdf) and the bank
still works; a running app picks up a new ingest on the next search, no restart needed.
Everything runs on this computer: the app switches Gradio's analytics off, the page loads no
outside fonts, scripts or images (a Content-Security-Policy enforces it), text from your slides
and bank is shown as text, never as markup, uploads and requests from other sites are refused,
and it listens on 127.0.0.1 only unless you pass --host. --share (a public Gradio link) is never
on unless you ask for it.
"""


def build_parser(prog: str = "python app.py") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Study from your slides in the browser: search them next to your exam question bank.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s, this computer only)"
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: %(default)s)")
    parser.add_argument("--index", type=Path, default=None, help=INDEX_HELP)
    parser.add_argument("--bank", type=Path, default=None, help=BANK_HELP)
    parser.add_argument(
        "-k",
        "--slides",
        type=int,
        default=None,
        metavar="N",
        help="show exactly N slide cards per search, in rank order (default: the top slide's topic and the "
        "results that stay close to it; the rest under 'Other places this comes up')",
    )
    parser.add_argument("--reranker", metavar="NAME_OR_PATH", default=None, help=RERANKER_HELP)
    from assistant.ui.shared import add_options

    add_options(parser)  # --database, --users, --auth-header
    parser.add_argument(
        "--llm-url",
        metavar="URL",
        default=None,
        help="model server for answers (OpenAI-compatible, e.g. http://127.0.0.1:11434/v1); fills the URL field (default: $SLIDEBANK_LLM_URL)",
    )
    parser.add_argument("--llm-model", metavar="NAME", default=None, help="the model to ask on --llm-url")
    parser.add_argument(
        "--allow-remote-llm",
        action="store_true",
        help="allow a model server on another machine (slide text and questions are sent there)",
    )
    parser.add_argument(
        "--share",
        action="store_true",
        help="also open a public gradio.live link (off by default; sends traffic through Gradio's servers)",
    )
    return parser


# -- layout and wiring -------------------------------------------------------------------------------


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


def _scroll_to(elem_id: str) -> str:
    return (
        f"() => {{ document.getElementById('{elem_id}')?.scrollIntoView({{behavior: 'smooth', block: 'nearest'}}); }}"
    )


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
        guarded(view.answer_html), [result, backend, model, url], answer, api_visibility="private"
    )
    for source in (slides, bank, answer):
        source.click(guarded(open_clicked), None, viewer.outputs, api_visibility="private").then(
            None, js=_scroll_to("search-viewer")
        )
    from assistant.ui.add_to_bank import add_to_bank_panel

    add_to_bank_panel(view, query, result)


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
    ).then(None, js=_scroll_to("bank-viewer"))
    detail.click(guarded(on_detail_click), None, viewer.outputs, api_visibility="private").then(
        None, js=_scroll_to("bank-viewer")
    )


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


def build_app(view):
    """The Blocks of the whole app. New tabs go into the ``gr.Tabs`` below, one function each."""
    from assistant.ui.server import guarded, private_temp_dir, quiet_input_errors

    private_temp_dir()  # before any component exists: they read GRADIO_TEMP_DIR when built
    import gradio as gr

    from assistant.ui.study_tab import study_tab

    # Files Gradio writes (the viewer's PNGs) are removed after an hour, checked every hour.
    with gr.Blocks(title="slidebank", fill_width=True, delete_cache=(3600, 3600)) as demo:
        status = gr.HTML(view.status_html(), elem_id="status")
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("Search", id="search"):
                search_tab(view)
            with gr.Tab("Bank audit", id="audit"):
                audit_tab(view)
            with gr.Tab("Question bank", id="bank"):
                bank_tab(view)
            students = getattr(view, "students", None)  # the shared store: each student's own session
            study_tab(view, sessions=students)  # its own gr.Tab: assistant/ui/study_tab.py
            if students is not None:
                students.api()
        demo.load(
            guarded(view.status_html), None, status, api_visibility="private"
        )  # a reload shows a re-ingested deck
    demo.queue(default_concurrency_limit=CONCURRENCY_LIMIT, max_size=QUEUE_MAX_SIZE)
    quiet_input_errors(demo)
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
    """Start serving. ``block=False`` returns at once (tests). ``auth``: Gradio's sign-in check (--users)."""
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
        app_kwargs=app_kwargs(loopback_only=_is_loopback(host)),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None, prog: str = "python app.py") -> int:
    args = build_parser(prog).parse_args(argv)
    if args.bank is not None:
        os.environ["SLIDEBANK_BANK"] = str(args.bank)  # the file "Add to my bank" writes is the one the app reads
    if not 1 <= args.port <= 65535:
        return _fail("--port must be between 1 and 65535")
    if args.slides is not None and not 1 <= args.slides <= 50:
        return _fail("--slides must be between 1 and 50")
    from assistant.answer.cli import AnswerSettings
    from assistant.answer.server import ENV_URL, check_url
    from index.errors import SlidebankError

    llm_url = args.llm_url or os.environ.get(ENV_URL) or None
    try:
        # A remote server is refused before anything starts (and again on each answer, for the URL field).
        llm_url = check_url(llm_url, args.allow_remote_llm) if llm_url else None
    except SlidebankError as exc:
        return _fail(str(exc))
    answer_settings = AnswerSettings(
        "server" if llm_url else "extractive", args.llm_model, llm_url, args.allow_remote_llm
    )
    from assistant.retrieval.retriever import open_retriever
    from assistant.ui.live import Follow
    from assistant.ui.shared import SharedSettings, StudentSessions
    from assistant.ui.web import WebView
    from index.store import default_index_dir

    try:
        shared = SharedSettings.from_args(args, os.environ.get("SLIDEBANK_DATABASE_URL"))
    except SlidebankError as exc:
        return _fail(str(exc))

    def reopen():
        database = shared.url if shared is not None else None
        retriever, notices = open_retriever(args.index, args.bank, reranker=args.reranker, database=database)
        retriever.adapter_for()  # trained (or read from the cache) now, not on the first search
        return retriever, notices

    print("slidebank: loading the index and the model ...", file=sys.stderr, flush=True)
    try:
        retriever, notices = reopen()
    except SlidebankError as exc:
        return _fail(str(exc))
    for notice in notices:
        print(f"note: {safe(notice)}", file=sys.stderr)
    if not _is_loopback(args.host):
        print(f"note: listening on {args.host}: other machines on your network can open this page", file=sys.stderr)
    # A re-ingest while the app runs is picked up on the next request (assistant.ui.live).
    view = WebView(
        retriever,
        notices,
        k=args.slides,
        follow=Follow(Path(args.index or default_index_dir()), reopen, live=shared.live() if shared else None),
        answer_settings=answer_settings,
        # Reachable from other machines: the page must not point this computer at a server of its choosing.
        url_from_page=_is_loopback(args.host),
    )
    if shared is not None:
        view.students = StudentSessions(shared, view)  # type: ignore[attr-defined]
    demo = build_app(view)
    try:
        launch(demo, args.host, args.port, share=args.share, block=False, auth=shared.auth() if shared else None)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port} ({exc}); try another --port")
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"slidebank: open http://{shown}:{args.port}  (Ctrl+C to stop)", file=sys.stderr, flush=True)
    # SIGTERM ends the app like Ctrl+C does, so the exit handlers remove its temp folder.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        demo.close()
    return 0


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _fail(message: str) -> int:
    print(f"error: {safe(message)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(run(main, restore_sigpipe=False))
