"""``python -m assistant.query "question"``: the slides that answer a question, beside the bank's."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import TextIO

from assistant.cli import (
    RERANKER_HELP,
    add_bank_option,
    add_batch_option,
    add_database_option,
    add_index_option,
    add_json_option,
    command,
    fail,
    run,
    settings_from,
)
from index.errors import InputError
from index.settings import ENV_LLM_URL, UserSettings
from index.terminal import safe

ANSWER_SLIDES = 5  # the ranked slides an answer draws on when no -k is given

EPILOG = """
examples:
  python -m assistant.query "why is CFG's omega a tradeoff?"
  python -m assistant.query -k 10 "explain self attention"        # exactly 10 slides, in rank order
  python -m assistant.query --all "explain self attention"         # also the slides below the cut
  python -m assistant.query --json "formulate the GAN loss" | jq .slides[0]
  printf 'kmeans\\nwhat is a score function\\n' | python -m assistant.query --batch -
  python -m assistant.query --answer "formulate SGD with momentum"     # bullets, each with [slide N]
  python -m assistant.query --llm smollm2 "what does omega do in CFG?"  # a local model writes it
  python -m assistant.query --llm-url http://127.0.0.1:11434/v1 --llm-model llama3.2 "explain kmeans"  # Ollama, vLLM, ...
  printf 'kmeans\nwhat is a score function\n' | python -m assistant.query --answer --batch -   # answers in JSON lines
  python -m assistant.query --reranker ~/models/my-cross-encoder "explain kmeans"  # optional, slower

Slides come from the index built by `python -m ingest`; without one, the bank still answers
with its matching questions and the slides they cite.
"""


def build_parser(prog: str = "python -m assistant.query") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Find the lecture slides that answer a question, next to the matching bank questions.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("query", nargs="*", help="the question (quotes optional)")
    parser.add_argument(
        "-k",
        type=int,
        default=None,
        help="show exactly this many slides, in rank order (default: the top slide's topic and the results "
        "that stay close to it, grouped by topic)",
    )
    parser.add_argument(
        "--all", action="store_true", help='also show the slides below the cut ("other places this comes up")'
    )
    parser.add_argument(
        "--bank-matches", type=int, default=3, metavar="N", help="bank questions to show (default: %(default)s)"
    )
    add_json_option(parser, "print one JSON object")
    add_batch_option(parser)
    add_index_option(parser)
    add_database_option(parser)
    add_bank_option(parser)
    parser.add_argument(
        "--model", default=None, help="expected embedding model; an index built with another is an error"
    )
    parser.add_argument(
        "--answer", action="store_true", help="also write an answer citing the slides (extractive: no model needed)"
    )
    parser.add_argument("--reranker", metavar="NAME_OR_PATH", default=None, help=RERANKER_HELP)
    parser.add_argument(
        "--llm",
        metavar="NAME_OR_PATH",
        default=None,
        help="write the answer with a local language model (implies --answer): a folder, a .gguf file, or 'smollm2' for the bundled one; GPU when available",
    )
    parser.add_argument(
        "--llm-url",
        metavar="URL",
        default=None,
        help=f"write the answer with a model server that speaks the OpenAI chat API (implies --answer), e.g. http://127.0.0.1:11434/v1 for Ollama; default for --answer: ${ENV_LLM_URL}",
    )
    parser.add_argument(
        "--llm-model",
        metavar="NAME",
        default=None,
        help="the model to ask on --llm-url (default: the server's only model)",
    )
    parser.add_argument(
        "--allow-remote-llm",
        action="store_true",
        help="allow an --llm-url on another machine (slide text and your question are sent there)",
    )
    return parser


def answer_settings(args: argparse.Namespace, user: UserSettings):
    """The answer backend the flags ask for, checked without any connection; None when no answer is asked."""
    url = user.llm_url
    if args.llm and args.llm_url:
        raise InputError("give --llm or --llm-url, not both")
    if args.llm_model and not url:
        raise InputError("--llm-model names a model on the server given by --llm-url")
    if not (args.answer or args.llm or args.llm_url):
        return None
    from assistant.answer.answerer import AnswerSettings

    if args.llm:
        settings = AnswerSettings("llm", args.llm)
    elif url:
        settings = AnswerSettings(
            "server", args.llm_model, url, args.allow_remote_llm, user.llm_timeout(), user.llm_api_key
        )
    else:
        settings = AnswerSettings()
    settings.check()
    return settings


@command
def main(argv: list[str] | None = None, stdin: TextIO | None = None, prog: str = "python -m assistant.query") -> int:
    args = build_parser(prog).parse_args(argv)
    user = settings_from(args)
    query = " ".join(args.query)
    if args.batch is None and not query.strip():
        fail('empty query; ask a question, e.g. python -m assistant.query "what is a score function?"')
    if args.batch is not None and query.strip():
        fail("give either a query or --batch, not both")
    if args.k is not None and not 1 <= args.k <= 100:
        fail("-k must be between 1 and 100")
    if not 0 <= args.bank_matches <= 100:
        fail("--bank-matches must be between 0 and 100")
    # Before anything is opened or connected: a remote URL is refused here.
    settings = answer_settings(args, user)
    from assistant.retrieval.loading import open_retriever
    from assistant.retrieval.results import grouped_search, ranked_top
    from assistant.retrieval.retriever import prepare_query
    from assistant.ui.terminal import answer_to_json, format_grouped, format_text, grouped_to_json

    if args.batch is None and not prepare_query(query)[0]:
        fail("the query has no searchable text (only control characters)")

    with contextlib.ExitStack() as files:  # the --batch file, closed however main returns
        try:
            if args.batch is not None:
                # stdin given by a caller is already text; otherwise decoded as its BOM says
                source = (
                    stdin if stdin is not None and args.batch == "-" else files.enter_context(_open_batch(args.batch))
                )
            retriever, notices = open_retriever(model=args.model, reranker=args.reranker, user=user)
        except OSError as exc:
            fail(f"cannot read {args.batch} ({exc.strerror})")
        for notice in notices:
            print(f"note: {safe(notice)}", file=sys.stderr)

        if args.batch is not None:
            answerer = None
            if settings is not None:
                from assistant.answer.answerer import Answerer

                answerer = Answerer(retriever, settings)  # one calibration and one model for the whole batch
            for line in source:
                if line.strip():
                    found = grouped_search(retriever, line, k=args.k, n_bank=args.bank_matches)
                    out = grouped_to_json(found)
                    error = None
                    if answerer is not None:
                        # The answer draws on the ranked list (default 5 slides), as a single query's
                        # does: the top of the same ranking, not a second search.
                        extra, error = answer_to_json(answerer, ranked_top(found, args.k or ANSWER_SLIDES))
                        out.update(extra)
                    print(json.dumps(out, ensure_ascii=False), flush=True)
                    if error:
                        # The same server would fail the same way for every line that follows.
                        fail(error)
            return 0
    found = grouped_search(retriever, query, k=args.k, n_bank=args.bank_matches)
    result = found.result
    for notice in result.notices:
        print(f"note: {safe(notice)}", file=sys.stderr)
    if not result.query:
        fail("the query has no searchable text")
    if settings is not None:
        from assistant.ui.terminal import print_answer

        # The slides shown are the same with or without an answer; the answer draws on the top of
        # the same ranking (default 5 slides).
        return print_answer(retriever, ranked_top(found, args.k or ANSWER_SLIDES), settings, args.json, found, args.all)
    if args.json:
        print(json.dumps(grouped_to_json(found), ensure_ascii=False))
    elif args.k is not None:
        print(format_text(result))  # exactly the k asked for, as a list
    else:
        print(format_grouped(found, show_all=args.all))
    return 0


def _open_batch(name: str) -> TextIO:
    """The batch file, or stdin for '-', decoded as its BOM says (UTF-8 without one)."""
    from assistant.bank.encoding import open_text

    if name == "-":
        return open_text(sys.stdin.buffer, "the batch on stdin")
    return open_text(open(name, "rb"), f"the batch file {name}")  # closed by the caller's ExitStack


if __name__ == "__main__":
    sys.exit(run(main))
