"""``slidebank``: one command for everything, and the pieces every slidebank command shares.

Every command module has the same shape: ``build_parser(prog)`` made from the option helpers below
(``add_index_option``, ``add_bank_option``, ``add_json_option``, ``add_batch_option``,
``add_database_option``), and ``main(argv, prog)`` decorated with ``@command``: its body raises a
``SlidebankError`` (``fail`` for a plain message) and the decorator prints it as one terminal-safe
``error: ...`` line and returns 2. ``main`` resolves the settings record once (``settings_from``:
flags, then the environment, then the defaults) and passes it down.

``slidebank COMMAND ...`` runs the same ``main`` as the matching ``python -m`` form (the table
``COMMANDS``), through the same ``run`` wrapper: a closed pipe (``| head``) ends the output
quietly, a ``SlidebankError`` is one ``error: ...`` line on stderr, and the exit codes are 0 (done),
2 (bad input, nothing changed) and 130 (interrupted). ``--index``, ``--bank`` and ``-q`` may be
given once before the command and reach every command that takes them.

Light on purpose (argparse and the error types only): ``slidebank query`` must stay as fast as
``python -m assistant.query``, so each command's module is imported only when it runs.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NoReturn, Sequence, TypeVar

from index.errors import InputError, SlidebankError
from index.settings import (
    ENV_BANK,
    ENV_DATABASE_URL,
    ENV_INDEX,
    ENV_LLM_URL,
    ENV_STUDY_DB,
    NO_BANK,
    UserSettings,
    resolve_settings,
)
from index.terminal import safe

EXIT_OK = 0
EXIT_ERROR = 2  # bad input or a missing/damaged index: one "error:" line, nothing changed
EXIT_INTERRUPTED = 130

# One text per shared option, for every command that has it; each names its variable and default.
INDEX_HELP = f"index folder (default: ${ENV_INDEX} or data/index)"
BANK_HELP = (
    f"question bank markdown, or '{NO_BANK}' for none (default: ${ENV_BANK} or data/question_bank.md, "
    "left out for an index whose deck it does not fit)"
)
# For the commands whose subject is the bank itself (audit, study): used even when it does not fit.
BANK_SUBJECT_HELP = f"question bank markdown, or '{NO_BANK}' for none (default: ${ENV_BANK} or data/question_bank.md)"
STUDY_DB_HELP = f"study file (default: ${ENV_STUDY_DB} or data/study.sqlite)"
DATABASE_HELP = f"PostgreSQL URL for a shared deployment, or '{NO_BANK}' for the local files (default: ${ENV_DATABASE_URL}, else none)"
LLM_URL_HELP = f"model server that speaks the OpenAI chat API, e.g. http://127.0.0.1:11434/v1 (default: ${ENV_LLM_URL})"
QUIET_HELP = "no progress bars"
JSON_HELP = "print JSON"
BATCH_HELP = "one query per line from FILE ('-' for stdin); prints JSON lines"
RERANKER_HELP = (
    "optional, off by default: re-order the top 20 slides with a cross-encoder from a local folder "
    "(or the local Hugging Face cache; nothing is downloaded); loads torch at start and costs model time on every query"
)


def add_index_option(parser: argparse.ArgumentParser, help: str = INDEX_HELP) -> None:
    parser.add_argument("--index", type=Path, default=None, help=help)


def add_bank_option(parser: argparse.ArgumentParser, help: str = BANK_HELP) -> None:
    parser.add_argument("--bank", type=Path, default=None, metavar="FILE", help=help)


def add_json_option(parser: argparse.ArgumentParser, help: str = JSON_HELP) -> None:
    parser.add_argument("--json", action="store_true", help=help)


def add_batch_option(parser: argparse.ArgumentParser, help: str = BATCH_HELP) -> None:
    parser.add_argument("--batch", metavar="FILE", default=None, help=help)


def add_quiet_option(parser: argparse.ArgumentParser, help: str = QUIET_HELP) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help=help)


def add_database_option(parser: argparse.ArgumentParser, help: str = DATABASE_HELP) -> None:
    parser.add_argument("--database", metavar="URL", default=None, help=help)


def settings_from(args: argparse.Namespace, **flags: object) -> UserSettings:
    """The settings record of one run: the shared options found on ``args`` (and ``flags``, for a
    command whose option has another name), then the environment, then the defaults. Called once,
    in a command's ``main``; everything below gets the record, never the environment."""
    given: dict[str, object] = {
        "index": getattr(args, "index", None),
        "bank": getattr(args, "bank", None),
        "study_db": getattr(args, "db", None),
        "llm_url": getattr(args, "llm_url", None),
        "database_url": getattr(args, "database", None),
    }
    given.update(flags)
    database = given["database_url"]
    if database and str(database).strip().lower() != NO_BANK and given["index"] is not None:
        raise InputError("give --index or --database, not both: the database replaces the index folder")
    return resolve_settings(os.environ, **given)  # type: ignore[arg-type]


def fail(message: str) -> NoReturn:
    """End the command with one ``error:`` line (exit 2): bad input, nothing changed."""
    raise InputError(message)


Main = TypeVar("Main", bound=Callable[..., int])


def command(main: Main) -> Main:
    """The one runner of a command's ``main``: a ``SlidebankError`` (or an ``OSError`` on a file the
    user named) becomes one terminal-safe ``error:`` line on stderr and exit 2; Ctrl-C exit 130."""

    @functools.wraps(main)
    def wrapper(*args: object, **kwargs: object) -> int:
        try:
            return main(*args, **kwargs)
        except SlidebankError as exc:
            print(f"error: {safe(exc)}", file=sys.stderr)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"error: {safe(where + (exc.strerror or str(exc)))}", file=sys.stderr)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        return EXIT_ERROR

    return wrapper  # type: ignore[return-value]


def run(
    main: Callable[..., int],
    argv: Sequence[str] | None = None,
    *,
    prog: str | None = None,
    restore_sigpipe: bool = True,
) -> int:
    """Call a command's ``main(argv)`` the way every slidebank command runs; returns the exit code.

    ``restore_sigpipe``: let a closed pipe end the process quietly, as other command-line tools do.
    Off for commands that talk to sockets or child processes (the app, ingest), where a closed
    peer must be an error the code handles, not a silent exit.
    """
    if restore_sigpipe and hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = list(argv) if argv is not None else None
    return command(main)(args) if prog is None else command(main)(args, prog=prog)


# -- the slidebank command ------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    module: str  # where its main lives
    summary: str
    same_as: str  # the python -m form
    takes: frozenset[str]  # which of the parent options (index, bank, quiet) it has
    restore_sigpipe: bool = True


COMMANDS: dict[str, Command] = {
    "ingest": Command(
        "ingest.__main__",
        "turn lecture PDFs into the slide index",
        "python -m ingest",
        frozenset({"index", "quiet"}),
        restore_sigpipe=False,
    ),
    "query": Command(
        "assistant.query",
        "the slides that answer a question, next to the bank's",
        "python -m assistant.query",
        frozenset({"index", "bank"}),
    ),
    "app": Command(
        "app",
        "the web app: search, bank audit, question bank",
        "python app.py",
        frozenset({"index", "bank"}),
        restore_sigpipe=False,
    ),
    "audit": Command(
        "assistant.audit.cli",
        "check the bank's references, suggest slides, find deck drift",
        "python -m assistant.audit",
        frozenset({"index", "bank", "quiet"}),
    ),
    "study": Command(
        "assistant.study.cli",
        "review the bank as flashcards, with the slides as the answer key",
        "python -m assistant.study",
        frozenset({"index", "bank"}),
    ),
    "eval": Command(
        "assistant.evaluation.retrieval",
        "retrieval accuracy against the bank (leave-one-out)",
        "python -m assistant.eval",
        frozenset({"index", "bank"}),
    ),
    "check": Command(
        "assistant.check",
        "each sentence of a text judged against chosen slides",
        "python -m assistant.check",
        frozenset({"index"}),
    ),
    "answer-eval": Command(
        "assistant.evaluation.answers",
        "answer abstention and citations against the bank",
        "python -m assistant.answer_eval",
        frozenset({"index", "bank", "quiet"}),
    ),
    "bench": Command(
        "assistant.evaluation.bench",
        "how fast ingest and queries are here, as one table (takes the PDF)",
        "python -m assistant.bench",
        frozenset(),
    ),
}

EPILOG = """
commands:
{commands}

Options before the command (--index, --bank, -q) reach every command that takes them; each
command has its own options too: slidebank COMMAND --help.

quick start:
  slidebank ingest slides.pdf                       build the index (once; seconds when unchanged)
  slidebank query "why is CFG's omega a tradeoff?"  the slides that answer it
  slidebank app                                     the same in the browser, with the bank
  slidebank --index my/index audit                  another index, checked against the bank

Every command is also a python -m module (shown above), with the same options and output.
Exit codes: 0 done, 2 bad input (one "error:" line, nothing changed), 130 interrupted.
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("slidebank")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {name:<12} {c.summary}  ({c.same_as})" for name, c in COMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="slidebank",
        description="Find the lecture slides that answer an exam question, next to your question bank.",
        epilog=EPILOG.format(commands=listing),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_index_option(parser)
    add_bank_option(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help=QUIET_HELP)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("command", choices=list(COMMANDS), metavar="COMMAND", help="one of: " + ", ".join(COMMANDS))
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)  # the command parses them
    return parser


def command_argv(args: argparse.Namespace, command: Command) -> list[str]:
    """The parent options given, spelled out for the command, then the command's own arguments."""
    given = {"index": args.index, "bank": args.bank, "quiet": args.quiet or None}
    unsupported = [name for name, value in given.items() if value is not None and name not in command.takes]
    if unsupported:
        raise ValueError(f"{', '.join('--' + n for n in unsupported)} does not apply to slidebank {args.command}")
    forwarded: list[str] = []
    if args.index is not None:
        forwarded += ["--index", str(args.index)]
    if args.bank is not None:
        forwarded += ["--bank", str(args.bank)]
    if args.quiet:
        forwarded.append("-q")
    return forwarded + list(args.args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = COMMANDS[args.command]
    try:
        sub_argv = command_argv(args, command)
    except ValueError as exc:
        parser.error(str(exc))
    entry = importlib.import_module(command.module).main
    return run(entry, sub_argv, prog=f"slidebank {args.command}", restore_sigpipe=command.restore_sigpipe)


if __name__ == "__main__":
    sys.exit(main())
