"""``python -m ingest``: build or refresh the slide index from lecture PDFs."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from index.embedder import DEFAULT_MODEL
from index.errors import PasswordRequired, SlidebankError
from index.store import ENV_INDEX, default_index_dir
from index.terminal import safe
from ingest.chunking import DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE
from ingest.pdf import ENV_PASSWORD

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

The question bank (--bank, default $SLIDEBANK_BANK or data/question_bank.md) is checked against the
deck: its references must exist here and its sections must name what the cited slides are titled.
When it does not fit, the index records so, and searches run without it unless --bank is given.

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
    parser.add_argument("--index", type=Path, default=None, help=f"index folder (default: ${ENV_INDEX} or data/index)")
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
        help=f"password for encrypted PDFs (visible in ps and shell history: prefer ${ENV_PASSWORD}, or leave both out and type it at the prompt)",
    )
    parser.add_argument(
        "--bank",
        default=None,
        metavar="FILE",
        help="question bank to check against the deck, or 'none' (default: $SLIDEBANK_BANK or data/question_bank.md, if present)",
    )
    parser.add_argument(
        "--database",
        default=None,
        metavar="URL",
        help="write into this PostgreSQL database (postgresql://...; default: $SLIDEBANK_DATABASE_URL) instead of an index folder",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars, only the summary line")
    return parser


def main(argv: list[str] | None = None, prog: str = "python -m ingest") -> int:
    args = build_parser(prog).parse_args(argv)
    if args.chunk_size < 50 or not (0 <= args.chunk_overlap < args.chunk_size):
        print("error: need --chunk-size >= 50 and 0 <= --chunk-overlap < --chunk-size", file=sys.stderr)
        return 2
    index_dir = args.index or default_index_dir()
    if args.database and args.index:
        print("error: give --index or --database, not both", file=sys.stderr)
        return 2
    try:
        if args.database or (os.environ.get("SLIDEBANK_DATABASE_URL") and args.index is None):
            from index.pg.connect import check_url

            check_url(args.database or os.environ["SLIDEBANK_DATABASE_URL"])
    except SlidebankError as exc:
        print(f"error: {safe(exc)}", file=sys.stderr)
        return 2
    try:
        bank = _bank_citations(args.bank)
    except SlidebankError as exc:
        print(f"error: {safe(exc)}", file=sys.stderr)
        return 2
    password = args.password if args.password is not None else (os.environ.get(ENV_PASSWORD) or None)
    # A polite kill (SIGTERM) unwinds like Ctrl-C, so the half-written generation is removed.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            report = _ingest(args, index_dir, password, bank)
        except PasswordRequired as exc:
            if not sys.stdin.isatty():
                raise
            import getpass

            # Asked for here, not as an argument: a password given on the command line shows in ps.
            print(safe(exc), file=sys.stderr)
            report = _ingest(args, index_dir, getpass.getpass("PDF password: "), bank)
    except SlidebankError as exc:
        print(f"error: {safe(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        # Reading inputs is checked earlier; what is left is writing: a read-only or full disk.
        where = exc.filename or index_dir
        print(
            safe(
                f"error: cannot write the index at {index_dir} ({exc.strerror or type(exc).__name__}: {where}); the previous index is unchanged"
            ),
            file=sys.stderr,
        )
        return 2
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
    args: argparse.Namespace, index_dir: Path, password: str | None, bank: BankCitations | None
) -> IngestReport:
    database = args.database or os.environ.get("SLIDEBANK_DATABASE_URL") or None
    if database and args.index is None:
        from ingest.database import ingest_into_database

        return ingest_into_database(
            args.pdfs,
            database,
            bank=bank,
            bank_file=_bank_file(args.bank) if bank is not None else None,
            model=args.model,
            chunk_size=args.chunk_size,
            chunk_overlap=args.chunk_overlap,
            password=password,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    from ingest.build import ingest

    return ingest(
        args.pdfs,
        index_dir,
        model=args.model,
        chunk_size=args.chunk_size,
        chunk_overlap=args.chunk_overlap,
        password=password,
        progress=not args.quiet and sys.stderr.isatty(),
        bank=bank,
    )


def _bank_file(choice: str | None) -> Path:
    from assistant.bank.parse import default_bank_path

    return Path(choice) if choice is not None else default_bank_path()


def _bank_citations(choice: str | None) -> BankCitations | None:
    """The bank to check, as plain citations; None for ``--bank none`` or no default bank."""
    # The bank's format is the assistant's to read; the index only records the verdict on it.
    from assistant.bank.parse import bank_citations, default_bank_path, is_no_bank

    if is_no_bank(choice):
        return None
    path = Path(choice) if choice is not None else default_bank_path()
    if choice is None and not path.is_file():
        return None
    return bank_citations(path)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    from assistant.cli import run

    sys.exit(run(main, restore_sigpipe=False))
