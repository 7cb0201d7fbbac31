"""``python app.py``: the slidebank web app. The command line only: the settings record, the
retriever, then the app from ``assistant/ui/`` (``layout``: the Blocks, theme and launch; one module
per tab: ``search_tab``, ``audit_tab``, ``bank_tab``, ``study_tab``; ``viewer``: the large slide).
Gradio is imported only inside those functions, so that ``--help`` stays instant.
"""

import os

# Private by default: Gradio reports usage and checks for updates over the network unless this
# is set before it is first imported. The app sets it itself, so nobody has to remember.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import argparse  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from assistant.cli import (  # noqa: E402 - light (argparse, the error types): --help stays instant
    LLM_URL_HELP,
    RERANKER_HELP,
    add_bank_option,
    add_database_option,
    add_index_option,
    command,
    fail,
    run,
    settings_from,
)
from assistant.ui.layout import APP_HELP as EPILOG  # noqa: E402
from assistant.ui.layout import DEFAULT_HOST, DEFAULT_PORT, build_app, is_loopback, launch  # noqa: E402
from assistant.ui.viewer import show_slide  # noqa: E402
from index.terminal import safe  # noqa: E402

__all__ = ["build_app", "build_parser", "launch", "main", "show_slide"]  # the app's parts, for tests and scripts


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
    add_index_option(parser)
    add_bank_option(parser)
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
    # A class on one database (docs/deployment.md): the students sign in, or the proxy names them.
    add_database_option(parser)
    who = parser.add_mutually_exclusive_group()
    who.add_argument(
        "--users",
        type=Path,
        default=None,
        metavar="FILE",
        help="with --database: students sign in (python -m assistant.ui.accounts FILE NAME adds one)",
    )
    who.add_argument(
        "--auth-header",
        default=None,
        metavar="HEADER",
        help="with --database: trust this header (e.g. X-Remote-User) for the student's name; only behind the proxy that sets it",
    )
    parser.add_argument(
        "--llm-url",
        metavar="URL",
        default=None,
        help="model server for answers, fills the URL field; " + LLM_URL_HELP,
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


@command
def main(argv: list[str] | None = None, prog: str = "python app.py") -> int:
    args = build_parser(prog).parse_args(argv)
    # Resolved once: the bank "Add to my bank" writes is the one the app reads, the study file its tab opens.
    settings = settings_from(args)
    if not 1 <= args.port <= 65535:
        fail("--port must be between 1 and 65535")
    if args.slides is not None and not 1 <= args.slides <= 50:
        fail("--slides must be between 1 and 50")
    from assistant.answer.answerer import AnswerSettings
    from assistant.answer.server import check_url

    # A remote server is refused before anything starts (and again on each answer, for the URL field).
    llm_url = check_url(settings.llm_url, args.allow_remote_llm) if settings.llm_url else None
    answer_settings = AnswerSettings(
        "server" if llm_url else "extractive",
        args.llm_model,
        llm_url,
        args.allow_remote_llm,
        settings.llm_timeout() if llm_url else None,
        settings.llm_api_key,
    )
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.live import Follow
    from assistant.ui.shared import SharedSettings, StudentSessions
    from assistant.ui.web import WebView

    shared = SharedSettings.from_args(args, settings.database_url)

    def reopen():
        retriever, notices = open_retriever(reranker=args.reranker, user=settings)
        retriever.adapter_for()  # trained (or read from the cache) now, not on the first search
        return retriever, notices

    print("slidebank: loading the index and the model ...", file=sys.stderr, flush=True)
    retriever, notices = reopen()
    for notice in notices:
        print(f"note: {safe(notice)}", file=sys.stderr)
    if not is_loopback(args.host):
        print(f"note: listening on {args.host}: other machines on your network can open this page", file=sys.stderr)
    # A re-ingest while the app runs is picked up on the next request (assistant.ui.live).
    view = WebView(
        retriever,
        notices,
        k=args.slides,
        follow=Follow(settings.index, reopen, live=shared.live() if shared else None),
        answer_settings=answer_settings,
        # Reachable from other machines: the page must not point this computer at a server of its choosing.
        url_from_page=is_loopback(args.host),
        settings=settings,
    )
    # One search before serving: first-use costs (the query encoder's first run, the word lists,
    # the templates; 0.1-0.5 s) are paid here, not by the first students to search.
    view.results_html(view.grouped("slides"))
    if shared is not None:
        view.students = StudentSessions(shared, view)  # type: ignore[attr-defined]
    demo = build_app(view)
    try:
        launch(demo, args.host, args.port, share=args.share, block=False, auth=shared.auth() if shared else None)
    except OSError as exc:
        fail(f"cannot listen on {args.host}:{args.port} ({exc}); try another --port")
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


if __name__ == "__main__":
    sys.exit(run(main, restore_sigpipe=False))
