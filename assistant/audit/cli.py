"""``python -m assistant.audit`` and ``slidebank audit``: the bank audit on the terminal, as markdown, or as a bank copy with suggestions.

The only I/O of the audit: it opens the retriever, runs the audit and writes the files asked for.
Your bank file is never modified.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from assistant.cli import (
    BANK_SUBJECT_HELP,
    add_bank_option,
    add_database_option,
    add_index_option,
    add_json_option,
    add_quiet_option,
    command,
    run,
    settings_from,
)
from index.errors import SlidebankError
from index.terminal import safe


def build_parser(prog: str = "python -m assistant.audit") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Audit the question bank against the slides: check every reference, suggest slides for "
        "questions that cite none, detect deck drift (references shifted by inserted or removed slides), "
        "and list the slide ranges the bank never touches.",
        epilog="examples:\n"
        "  python -m assistant.audit                              report on the terminal\n"
        "  python -m assistant.audit --markdown audit.md          also write the report as markdown\n"
        "  python -m assistant.audit --write-suggestions bank+.md copy of the bank with (suggested: N) notes\n"
        "\nYour bank file is never modified. Suggestions are written as (suggested: 196), which the bank\n"
        "parser keeps apart from your references.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_index_option(parser)
    add_database_option(parser)
    add_bank_option(parser, BANK_SUBJECT_HELP)
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the report as markdown to FILE")
    parser.add_argument(
        "--write-suggestions",
        type=Path,
        metavar="FILE",
        help="write a copy of the bank with suggested slides added to FILE",
    )
    add_json_option(parser, "print the report as JSON")
    add_quiet_option(parser, "no progress bar")
    return parser


@command
def main(argv: list[str] | None = None, prog: str = "python -m assistant.audit") -> int:
    from assistant.audit.findings import run_audit, suggestion_lines
    from assistant.audit.report import format_markdown, format_text
    from assistant.bank.annotate import with_suggestions
    from assistant.retrieval.loading import open_retriever
    from index.store import load_index

    args = build_parser(prog).parse_args(argv)
    user = settings_from(args)
    bank_path = user.bank
    # Any SlidebankError or OSError below is one error line (``command``); the bank file is only read.
    if args.write_suggestions is not None and args.write_suggestions.resolve() == bank_path.resolve():
        raise SlidebankError(
            f"--write-suggestions {args.write_suggestions} is the bank itself; the bank is never modified, pick another file"
        )
    for target in (args.markdown, args.write_suggestions):
        if target is not None and not target.resolve().parent.is_dir():
            raise SlidebankError(f"cannot write {target}: folder {target.parent} does not exist")
    # With --database and no --bank: the course bank stored with the deck (docs/deployment.md).
    stored = user.database_url is not None and args.bank is None
    if stored and args.write_suggestions is not None:
        raise SlidebankError("--write-suggestions with --database needs the bank file: give --bank FILE")
    if user.database_url is None:
        load_index(user.index)  # fail fast, before loading a model, when there is nothing to audit
    # The bank is the audit's subject: checked even when the index says it is another deck's.
    retriever, notices = open_retriever(user=user if stored else user.with_(bank_named=True))
    if retriever.index is None:
        raise SlidebankError(notices[0].split(";")[0] + "; the audit needs slides: python -m ingest path/to/slides.pdf")
    if not retriever.bank:
        raise SlidebankError(
            "--bank none: the audit checks a question bank, give one with --bank FILE"
            if user.no_bank
            else f"the bank {bank_path} has no questions"
        )
    report = run_audit(retriever, progress=not args.quiet and sys.stderr.isatty())
    bank = list(retriever.bank)
    if args.markdown is not None:
        args.markdown.write_text(format_markdown(report, bank), encoding="utf-8")
    if args.write_suggestions is not None:
        original = bank_path.read_text(encoding="utf-8", errors="replace")
        args.write_suggestions.write_text(
            with_suggestions(original, suggestion_lines(report.suggested)), encoding="utf-8"
        )
    if args.json:
        data = asdict(report)
        data["calibration"] = [
            {"rank": k[0], "in_window": k[1], "hits": v[0], "n": v[1]} for k, v in report.calibration.items()
        ]
        print(json.dumps(data, default=str))
    else:
        print(safe(format_text(report, bank), lines=True))
        for target, what in ((args.markdown, "report"), (args.write_suggestions, "bank with suggestions")):
            if target is not None:
                print(safe(f"wrote the {what} to {target}"))
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
