"""``python -m assistant.study``: review the bank as flashcards in the terminal, or script it.

Plain verbs for scripts and tests (``--next``, ``--grade``, ``--stats``, ``--anki``); with none,
the interactive loop. Errors are one ``error: ...`` line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path

from assistant.study.cards import StudyCard
from assistant.study.queue import Filters
from assistant.study.schedule import GRADES, parse_grade
from assistant.study.session import AnswerKey, StudySession
from index.errors import IndexMissing, InputError, SlidebankError

EPILOG = """
examples:
  python -m assistant.study                          review due cards, one at a time
  python -m assistant.study --exam 2025-07-14        weakest sections first, everything seen before the date
  python -m assistant.study --next --json            the next due card, for scripts
  python -m assistant.study --grade q1a2b3c4 good    record a review
  python -m assistant.study --stats                  per section: cards, due now, reviewed, recall
  python -m assistant.study --anki aml.apkg          the bank as an Anki deck, slides on the back

  python -m assistant.study --database postgresql://db.example/course --user ada --next
                                                     a student's cards on the shared store of a class
  python -m assistant.study --database URL --user ada --add "GANs" "why does mode collapse happen?" --cites 219

State lives in data/study.sqlite (or --db FILE, or $SLIDEBANK_STUDY_DB), keyed by question id; with
--database, in the student's own rows of the shared store (reviews, marks, added questions).
Editing a question a little keeps its history; a removed question's history is kept, never shown.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.study",
        description="Study your question bank as spaced-repetition cards (FSRS), with the slides as the answer key.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_mutually_exclusive_group()
    verbs.add_argument("--next", action="store_true", help="print the next due card and exit")
    verbs.add_argument(
        "--grade", nargs=2, metavar=("QUESTION_ID", "GRADE"), help="record a review: GRADE is again, hard, good or easy"
    )
    verbs.add_argument("--stats", action="store_true", help="per section: cards, due now, reviewed, mean recall")
    verbs.add_argument("--anki", type=Path, metavar="FILE.apkg", help="export the bank as an Anki deck")
    verbs.add_argument(
        "--set-mark",
        nargs=2,
        metavar=("QUESTION_ID", "MARK"),
        help="with --database: your study mark on a question, * or - or none",
    )
    verbs.add_argument(
        "--add",
        nargs=2,
        metavar=("SECTION", "QUESTION"),
        help="with --database: add a question to your own layer over the course bank (--cites for its slides)",
    )
    parser.add_argument(
        "--cites", default=None, metavar="SLIDES", help="with --add: the slides it cites, e.g. 12,14-15"
    )
    parser.add_argument(
        "--database",
        default=None,
        metavar="URL",
        help="the shared store of a class (postgresql://...; default: $SLIDEBANK_DATABASE_URL); needs --user",
    )
    parser.add_argument("--user", default=None, metavar="NAME", help="with --database: whose study state")
    parser.add_argument("--json", action="store_true", help="with --next or --stats: print JSON")
    parser.add_argument(
        "--db", type=Path, default=None, help="study file (default: $SLIDEBANK_STUDY_DB or data/study.sqlite)"
    )
    parser.add_argument(
        "--bank",
        type=Path,
        default=None,
        help="question bank markdown (default: $SLIDEBANK_BANK or data/question_bank.md)",
    )
    parser.add_argument(
        "--index",
        type=Path,
        default=None,
        help="index folder, for slide titles and images (default: $SLIDEBANK_INDEX or data/index)",
    )
    parser.add_argument(
        "--exam",
        metavar="YYYY-MM-DD",
        default=None,
        help="exam date: weakest sections first, so everything is seen before it",
    )
    parser.add_argument("--section", default=None, help="only this bank section")
    parser.add_argument(
        "--mark", choices=["*", "-", "none"], default=None, help="only questions you marked * or -, or unmarked ones"
    )
    parser.add_argument("--all", action="store_true", help="every card, not only the due ones (after the due ones)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        exam = _parse_date(args.exam)
        if args.json and not (args.next or args.stats):
            raise InputError("--json goes with --next or --stats")
        grade = parse_grade(args.grade[1]) if args.grade else None
        session = _open(args, exam)
        filters = _filters(session, args.section, args.mark, not args.all)
        if args.set_mark:
            from assistant.study.shared import set_mark

            return set_mark(session, *args.set_mark)
        if args.add:
            from assistant.study.shared import add

            return add(session, args.add[0], args.add[1], args.cites)
        if args.next:
            return print_next(session, filters, args.json)
        if args.grade:
            return print_grade(session, args.grade[0], grade)
        if args.stats:
            return print_stats(session, args.json)
        if args.anki is not None:
            return export(session, args.anki)
        return loop(session, filters)
    except (SlidebankError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return 2


# -- opening ------------------------------------------------------------------------------------


def _open(args: argparse.Namespace, exam: date | None) -> StudySession:
    """The local study file, or with --database (or $SLIDEBANK_DATABASE_URL) the student's rows in the shared store."""
    import os

    url = args.database or (
        os.environ.get("SLIDEBANK_DATABASE_URL") if args.index is None and args.db is None else None
    )
    if args.database and (args.db is not None or args.index is not None):
        raise InputError("--database replaces --db and --index; give one or the other")
    if not url:
        if args.user or args.set_mark or args.add:
            raise InputError("--user, --set-mark and --add go with --database URL")
        return open_session(args.db, args.bank, args.index, exam)
    from assistant.study.shared import open_student
    from index.pg.connect import check_url

    return open_student(check_url(url), args.user, args.bank, exam, _lazy_suggestions(None, args.bank, url))


def open_session(db: Path | None, bank_path: Path | None, index_dir: Path | None, exam: date | None) -> StudySession:
    from assistant.bank.parse import load_bank
    from assistant.study.store import open_store

    bank = load_bank(bank_path)
    if not [q for q in bank if not q.heading]:
        raise InputError(f"the bank {bank_path or 'data/question_bank.md'} has no questions to study")
    try:
        from index.store import load_index

        index = load_index(index_dir)
    except IndexMissing:
        index = None  # cards still work: slide numbers without titles or images
    return StudySession(
        bank,
        open_store(db),
        index,
        suggest=_lazy_suggestions(index_dir, bank_path) if index is not None else None,
        exam=exam,
    )


def _lazy_suggestions(
    index_dir: Path | None, bank_path: Path | None, database: str | None = None
) -> Callable[[str], tuple[int, ...]]:
    """Loads the retriever (the query encoder) only when an uncited card needs suggestions."""
    found: dict[str, tuple[int, ...]] | None = None

    def suggest(qid: str) -> tuple[int, ...]:
        nonlocal found
        if found is None:
            from assistant.retrieval.retriever import open_retriever
            from assistant.study.suggestions import audit_suggestions

            print("slidebank: finding suggested slides for questions that cite none ...", file=sys.stderr, flush=True)
            retriever, _ = open_retriever(index_dir, bank_path, database=database)
            found = audit_suggestions(retriever)
        return found.get(qid, ())

    return suggest


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--exam {text!r} is not a date; write it as YYYY-MM-DD") from None


def _filters(session: StudySession, section: str | None, mark: str | None, due_only: bool) -> Filters:
    if section is not None and section not in {c.section for c in session.cards}:
        names = ", ".join(sorted({c.section for c in session.cards}))
        raise InputError(f"no section {section!r} in the bank; sections: {names}")
    return Filters(section, {"none": ""}.get(mark or "", mark), due_only)


# -- verbs --------------------------------------------------------------------------------------


def card_json(session: StudySession, card: StudyCard, key: AnswerKey, queued: int) -> dict:
    memory = session.memories().get(card.qid)
    return {
        "id": card.qid,
        "section": card.section,
        "question": card.text,
        "mark": card.marker,
        "new": memory is None,
        "due": memory.due.isoformat() if memory is not None else None,
        "slides": [{"number": n, "title": t} for n, t in zip(key.slides, key.titles)],
        "suggested": key.suggested and bool(key.slides),
        "missing": list(key.missing),
        "answer": key.answer,
        "queued": queued,
    }


def print_next(session: StudySession, filters: Filters, as_json: bool) -> int:
    queue = session.queue(filters)
    if not queue:
        print(json.dumps(None) if as_json else "nothing due: every card is scheduled later (--all shows them anyway)")
        return 0
    card = queue[0]
    key = session.answer_key(card)
    if as_json:
        print(json.dumps(card_json(session, card, key, len(queue)), ensure_ascii=False))
    else:
        print(format_card(card) + f"\n  id {card.qid} · {len(queue)} in the queue\n" + format_key(key))
    return 0


def print_grade(session: StudySession, qid: str, grade) -> int:
    if session.card(qid) is None:
        from assistant.study.store import UnknownCard

        raise UnknownCard(f"question {qid} is not in the bank; see --next or --stats for the ids")
    memory = session.grade(qid, grade)
    print(f"{qid}: {grade}, next due {memory.due:%Y-%m-%d %H:%M} UTC")
    return 0


def print_stats(session: StudySession, as_json: bool) -> int:
    from assistant.study.progress import format_table, totals

    rows = session.stats()
    if as_json:
        print(
            json.dumps(
                {
                    "sections": [asdict(r) for r in rows],
                    "total": asdict(totals(rows)),
                    "orphaned": len(session.store.orphans()),
                },
                ensure_ascii=False,
            )
        )
    else:
        print(format_table(rows, session.exam, session.clock().date()))
    return 0


def export(session: StudySession, path: Path) -> int:
    from assistant.study.anki import export_apkg

    if not path.resolve().parent.is_dir():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
    if session.index is None:
        print(
            "note: no index, so the cards carry slide numbers but no images (python -m ingest slides.pdf)",
            file=sys.stderr,
        )
    keys = {c.qid: session.answer_key(c) for c in session.cards}
    report = export_apkg(path, session.cards, keys, session.index, session.store.origins())
    print(
        f"wrote {path}: {report.notes} notes, {report.images} slide images, {report.suggested} with suggested slides, {report.without_slides} without slides"
    )
    return 0


# -- the interactive loop -----------------------------------------------------------------------


def format_card(card: StudyCard) -> str:
    mark = f"  [{card.marker}]" if card.marker else ""
    return f"\n{card.section}\n  {card.text}{mark}"


def format_key(key: AnswerKey) -> str:
    if not key.slides:
        return "  (cites no slides, and none are suggested)"
    head = "  suggested slides (the question cites none):" if key.suggested else "  slides:"
    lines = [head] + [f"    {n:>4}  {t or '(untitled)'}" for n, t in zip(key.slides, key.titles)]
    if key.missing:
        lines.append(f"    not in the index: {', '.join(map(str, key.missing))}")
    if key.answer:
        lines += ["  from the slides:"] + [f"    {line}" for line in key.answer.splitlines()]
    return "\n".join(lines)


def loop(
    session: StudySession, filters: Filters, read: Callable[[str], str] = input, write: Callable[[str], None] = print
) -> int:
    """Question, Enter for the answer, then 1-4 (again, hard, good, easy); s skips, q quits."""
    skipped: set[str] = set()
    graded = 0
    while True:
        queue = [c for c in session.queue(filters) if c.qid not in skipped]
        if not queue:
            write(f"nothing more due ({graded} reviewed). --stats shows your progress.")
            return 0
        card = queue[0]
        write(format_card(card) + f"\n  ({len(queue)} to go)")
        try:
            if read("  Enter: show the answer, q: quit > ").strip().lower() == "q":
                return 0
            write(format_key(session.answer_key(card)))
            while True:
                choice = read("  1 again  2 hard  3 good  4 easy  s skip  q quit > ").strip().lower()
                if choice in ("q", "s"):
                    break
                try:
                    grade = parse_grade(choice)
                except ValueError:
                    write(f"  type 1-4 or one of {', '.join(GRADES)}")
                    continue
                memory = session.grade(card.qid, grade)
                graded += 1
                write(f"  {grade}: next due {memory.due:%Y-%m-%d %H:%M} UTC")
                break
        except EOFError:
            write("")
            return 0
        if choice == "q":
            return 0
        if choice == "s":
            skipped.add(card.qid)
