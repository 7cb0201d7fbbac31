"""``python -m ingest``: build or refresh the slide index from lecture PDFs."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli import (
    BANK_HELP,
    add_bank_option,
    add_database_option,
    add_index_option,
    add_quiet_option,
    command,
    fail,
    settings_from,
)
from index.embedder import DEFAULT_MODEL
from index.errors import PasswordRequired
from index.settings import ENV_BANK, ENV_INDEX, ENV_PDF_PASSWORD, ENV_WORKER_MEMORY, UserSettings
from index.terminal import safe
from ingest.chunking import DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE

if TYPE_CHECKING:  # the build and the bank check load only when an ingest runs
    from index.bank_fit import BankCitations
    from ingest.build import IngestReport

EPILOG = f"""
Slide numbers are global: the 1-based page position across all PDFs in the order given
(a folder contributes its .pdf files in file-name order). That is how a question bank cites
slides, so give the decks in lecture order.

examples:
  python -m ingest slides.pdf                 one merged deck
  python -m ingest week01.pdf week02.pdf      several decks, numbered in this order
  python -m ingest lectures/                  every PDF in the folder, by file name
  python -m ingest slides.pdf --index /tmp/ix build elsewhere (or set {ENV_INDEX})
  python -m ingest lectures/ --bank none      a course without a question bank
  python -m ingest slides.pdf --database postgresql://staff@db.example/course --bank bank.md
                                              the shared store of a class (or set $SLIDEBANK_DATABASE_URL)

The question bank (--bank, default ${ENV_BANK} or data/question_bank.md) is checked against the
deck: its references must exist here and its sections must name what the cited slides are titled.
When it does not fit, the index records so, and searches run without it unless --bank is given.

Each PDF is read in a worker process capped at ${ENV_WORKER_MEMORY} MB (default 640).
Re-running on unchanged PDFs reuses text, thumbnails and vectors, and takes seconds.
The previous index stays whole and in use until the new one is complete.
"""


def build_parser(prog: str = "python -m ingest") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Turn lecture PDFs into a searchable slide index (text, thumbnails, dense and BM25 indexes).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "pdfs", nargs="+", type=Path, metavar="PDF_OR_FOLDER", help="lecture PDFs or folders of them, in lecture order"
    )
    add_index_option(parser)
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"sentence-transformers model name or local path (default: {DEFAULT_MODEL}, bundled)",
    )
    parser.add_argument(
        "--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="characters per chunk (default: %(default)s)"
    )
    parser.add_argument(
        "--chunk-overlap",
        type=int,
        default=DEFAULT_CHUNK_OVERLAP,
        help="characters shared by neighbouring chunks (default: %(default)s)",
    )
    parser.add_argument(
        "--password",
        default=None,
        help=f"password for encrypted PDFs (visible in ps and shell history: prefer ${ENV_PDF_PASSWORD}, or leave both out and type it at the prompt)",
    )
    add_bank_option(
        parser, "question bank to check against the deck; " + BANK_HELP.replace(", left out", ", if present; left out")
    )
    add_database_option(
        parser,
        "write into this PostgreSQL database (postgresql://...; default: $SLIDEBANK_DATABASE_URL) instead of an index folder",
    )
    add_quiet_option(parser, "no progress bars, only the summary line")
    return parser


@command
def main(argv: list[str] | None = None, prog: str = "python -m ingest") -> int:
    args = build_parser(prog).parse_args(argv)
    user = settings_from(args, pdf_password=args.password)
    if args.chunk_size < 50 or not (0 <= args.chunk_overlap < args.chunk_size):
        fail("need --chunk-size >= 50 and 0 <= --chunk-overlap < --chunk-size")
    index_dir = user.index
    if user.database_url:
        from index.pg.connect import check_url

        check_url(user.database_url)
    bank = _bank_citations(user)
    password = user.pdf_password
    worker_memory = user.worker_memory_bytes()
    # A polite kill (SIGTERM) unwinds like Ctrl-C, so the half-written generation is removed.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            report = _ingest(args, index_dir, password, bank, worker_memory, user)
        except PasswordRequired as exc:
            if not sys.stdin.isatty():
                raise
            import getpass

            # Asked for here, not as an argument: a password given on the command line shows in ps.
            print(safe(exc), file=sys.stderr)
            report = _ingest(args, index_dir, getpass.getpass("PDF password: "), bank, worker_memory, user)
    except OSError as exc:
        # Reading inputs is checked earlier; what is left is writing: a read-only or full disk.
        where = exc.filename or index_dir
        fail(
            f"cannot write the index at {index_dir} ({exc.strerror or type(exc).__name__}: {where}); the previous index is unchanged"
        )
    except (KeyboardInterrupt, EOFError):
        print("interrupted: the previous index is unchanged", file=sys.stderr)
        return 130
    print(safe(report.summary()))
    for note in report.notes:
        print(f"note: {safe(note)}")
    if report.image_only:
        shown = ", ".join(map(str, report.image_only[:20])) + (" ..." if len(report.image_only) > 20 else "")
        print(f"note: no extractable text on slide(s) {shown}; they are kept, numbered and shown by thumbnail only")
    if report.no_thumbnail:
        shown = ", ".join(map(str, report.no_thumbnail[:20])) + (" ..." if len(report.no_thumbnail) > 20 else "")
        print(f"note: no thumbnail for slide(s) {shown}; the page could not be rendered, its text is indexed")
    if report.bank_fit is not None and not report.bank_fit.fits:
        print(
            f"note: {safe(report.bank_fit.summary)}; searches of this index leave it out unless it is given with --bank"
        )
    return 0


def _ingest(
    args: argparse.Namespace,
    index_dir: Path,
    password: str | None,
    bank: BankCitations | None,
    worker_memory: int,
    user: UserSettings,
) -> IngestReport:
    options = {
        "model": args.model,
        "chunk_size": args.chunk_size,
        "chunk_overlap": args.chunk_overlap,
        "password": password,
        "progress": not args.quiet and sys.stderr.isatty(),
        "bank": bank,
        "worker_memory": worker_memory,
    }
    if user.database_url and args.index is None:
        from ingest.database import ingest_into_database

        return ingest_into_database(
            args.pdfs, user.database_url, bank_file=user.bank if bank is not None else None, **options
        )
    from ingest.build import ingest

    return ingest(args.pdfs, index_dir, **options)


def _bank_citations(user: UserSettings) -> BankCitations | None:
    """The bank to check, as plain citations; None for ``--bank none`` or no default bank."""
    # The bank's format is the assistant's to read; the index only records the verdict on it.
    from assistant.bank.parse import bank_citations

    if user.no_bank or (not user.bank_named and not user.bank.is_file()):
        return None
    return bank_citations(user.bank)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    from assistant.cli import run

    sys.exit(run(main, restore_sigpipe=False))
