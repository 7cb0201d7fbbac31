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
from datetime import date, datetime
from pathlib import Path

from assistant.cli import (
    BANK_SUBJECT_HELP,
    STUDY_DB_HELP,
    add_bank_option,
    add_database_option,
    add_index_option,
    add_json_option,
    command,
    fail,
    settings_from,
)
from assistant.study.cards import StudyCard
from assistant.study.queue import Filters
from assistant.study.schedule import GRADES, parse_grade
from assistant.study.session import AnswerKey, StudySession
from index.errors import IndexMissing, InputError
from index.settings import ENV_STUDY_DB, UserSettings
from index.symbols import latex_to_unicode
from index.terminal import safe

EPILOG = f"""
examples:
  python -m assistant.study                          review due cards, one at a time
  python -m assistant.study --exam 2025-07-14        weakest sections first, everything seen before the date
  python -m assistant.study --next --json            the next due card, for scripts
  python -m assistant.study --grade q1a2b3c4 good    record a review
  python -m assistant.study --stats                  per section: cards, due now, reviewed, recall
  python -m assistant.study --anki aml.apkg          the bank as an Anki deck, slides on the back
  python -m assistant.study --check q1a2b3c4 "my answer"   your answer judged against the card's slides
  python -m assistant.study --restore-backup         put back the daily backup of a damaged study file

  python -m assistant.study --database postgresql://db.example/course --user ada --next
                                                     a student's cards on the shared store of a class
  python -m assistant.study --database URL --user ada --add "GANs" "why does mode collapse happen?" --cites 219

State lives in data/study.sqlite (or --db FILE, or ${ENV_STUDY_DB}), keyed by question id; with
--database, in the student's own rows of the shared store (reviews, marks, added questions).
An edit that keeps the question (spelling, punctuation, a word added or dropped, none replaced) keeps
its history; a removed or replaced question's history is kept, never shown, until it comes back.
The file is checked at every start and copied to FILE.backup once a day.
"""


CHECK_HELP = (
    "judge your answer sentence by sentence against the card's slides; lists the points it missed and suggests a grade"
)


def build_parser(prog: str = "python -m assistant.study") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
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
    verbs.add_argument("--check", nargs=2, metavar=("QUESTION_ID", "ANSWER"), help=CHECK_HELP)
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
    add_database_option(
        parser, "the shared store of a class (postgresql://...; default: $SLIDEBANK_DATABASE_URL); needs --user"
    )
    parser.add_argument("--user", default=None, metavar="NAME", help="with --database: whose study state")
    verbs.add_argument(
        "--restore-backup",
        action="store_true",
        help="put the study file's daily backup (FILE.backup) in its place; the damaged file is kept beside it",
    )
    parser.add_argument(
        "--key",
        default=None,
        help="with --grade: a key of your choosing; a grade repeated with the same key is recorded once",
    )
    add_json_option(parser, "with --next, --stats or --check: print JSON")
    parser.add_argument("--db", type=Path, default=None, help=STUDY_DB_HELP)
    add_bank_option(parser, BANK_SUBJECT_HELP)
    add_index_option(parser, "index folder, for slide titles and images (default: $SLIDEBANK_INDEX or data/index)")
    parser.add_argument(
        "--exam",
        metavar="DATE",
        default=None,
        help="exam date (2026-12-20, 20/12/2026, 20.12.2026 or Dec 20 2026): weakest sections first, so everything is seen before it",
    )
    parser.add_argument("--section", default=None, help="only this bank section")
    parser.add_argument(
        "--mark", choices=["*", "-", "none"], default=None, help="only questions you marked * or -, or unmarked ones"
    )
    parser.add_argument("--all", action="store_true", help="every card, not only the due ones (after the due ones)")
    return parser


@command
def main(argv: list[str] | None = None, prog: str = "python -m assistant.study") -> int:
    args = build_parser(prog).parse_args(argv)
    user = settings_from(args)
    try:
        exam = _parse_date(args.exam)
        if args.json and not (args.next or args.stats or args.check):
            raise InputError("--json goes with --next, --stats or --check")
        grade = parse_grade(args.grade[1]) if args.grade else None
        if args.key is not None and not args.grade:
            raise InputError("--key goes with --grade")
        if args.restore_backup:
            return restore(user.study_db)
        session = _open(args, user, exam)
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
            return print_grade(session, args.grade[0], grade, args.key)
        if args.stats:
            return print_stats(session, args.json)
        if args.anki is not None:
            return export(session, args.anki)
        if args.check:
            from assistant.study.check_cli import print_check

            return print_check(session, user, args.check[0], args.check[1], args.json)
        return loop(session, filters)
    except ValueError as exc:  # a malformed value in a file or an answer: one line, like every other error
        fail(str(exc))


# -- opening ------------------------------------------------------------------------------------


def _open(args: argparse.Namespace, user: UserSettings, exam: date | None) -> StudySession:
    """The local study file, or with --database (or $SLIDEBANK_DATABASE_URL) the student's rows in the shared store."""
    if user.database_url is None:
        if args.user or args.set_mark or args.add:
            raise InputError("--user, --set-mark and --add go with --database URL")
        return open_session(user, exam)
    if args.db is not None:
        raise InputError("--database replaces --db; give one or the other")
    from assistant.study.shared import open_student

    bank = user.bank if args.bank is not None else None  # else the course bank stored with the deck
    return open_student(user.database_url, args.user, bank, exam, _lazy_suggestions(user))


def open_session(user: UserSettings, exam: date | None) -> StudySession:
    from assistant.bank.parse import load_bank
    from assistant.study.store import open_store

    bank = load_bank(user.bank)
    if not [q for q in bank if not q.heading]:
        raise InputError(f"the bank {user.bank} has no questions to study")
    try:
        from index.store import load_index

        index = load_index(user.index)
    except IndexMissing:
        index = None  # cards still work: slide numbers without titles or images
    return StudySession(
        bank,
        open_store(user.study_db),
        index,
        suggest=_lazy_suggestions(user) if index is not None else None,
        exam=exam,
    )


def _lazy_suggestions(user: UserSettings) -> Callable[[str], tuple[int, ...]]:
    """Loads the retriever (the query encoder) only when an uncited card needs suggestions."""
    found: dict[str, tuple[int, ...]] | None = None

    def suggest(qid: str) -> tuple[int, ...]:
        nonlocal found
        if found is None:
            from assistant.retrieval.loading import open_retriever
            from assistant.study.suggestions import audit_suggestions

            print("slidebank: finding suggested slides for questions that cite none ...", file=sys.stderr, flush=True)
            # The bank being studied (with --database and no --bank: the course bank stored with the deck).
            stored = user.database_url is not None and not user.bank_named
            retriever, _ = open_retriever(user=user if stored else user.with_(bank_named=True))
            found = audit_suggestions(retriever)
        return found.get(qid, ())

    return suggest


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    from assistant.study.dates import parse_exam_date

    try:
        return parse_exam_date(text)
    except InputError as exc:
        raise InputError(f"--exam {exc}") from None


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
        print(format_card(card) + f"\n  id {safe(card.qid)} · {len(queue)} in the queue\n" + format_key(key))
    return 0


def print_grade(session: StudySession, qid: str, grade, key: str | None = None) -> int:
    if session.card(qid) is None:
        from assistant.study.store import UnknownCard

        raise UnknownCard(f"question {qid} is not in the bank; see --next or --stats for the ids")
    memory = session.grade(qid, grade, key)
    print(f"{safe(qid)}: {grade}, next due {local_time(memory.due)}")
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
        # Section names come from the bank: each passes through ``safe`` (one line, no escape sequences).
        print(format_table(rows, session.exam, session.clock().date(), shown=safe))
    return 0


def restore(db: Path) -> int:
    from assistant.study.backup import restore_backup

    restored, kept = restore_backup(db)
    where = f"; the damaged file is now {safe(kept)}" if kept is not None else ""
    print(f"restored {safe(restored)} from its backup{where}")
    return 0


def export(session: StudySession, path: Path) -> int:
    from assistant.study.anki import check_target, export_apkg

    check_target(path)
    if session.index is None:
        print(
            "note: no index, so the cards carry slide numbers but no images (python -m ingest slides.pdf)",
            file=sys.stderr,
        )
    keys = {c.qid: session.answer_key(c) for c in session.cards}
    report = export_apkg(path, session.cards, keys, session.index, session.store.origins())
    print(
        f"wrote {safe(path)}: {report.notes} notes, {report.images} slide images, {report.suggested} with suggested slides, {report.without_slides} without slides"
    )
    return 0


# -- the interactive loop -----------------------------------------------------------------------


def local_time(moment: datetime) -> str:
    """A review time as the student's clock shows it (the study file keeps UTC)."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def format_card(card: StudyCard) -> str:
    """The card as printed: bank text through ``safe``, like every printer of ``assistant.query``, and
    inline LaTeX as characters, as the web app shows it (``$\\omega$`` → ω)."""
    mark = f"  [{safe(card.marker)}]" if card.marker else ""
    return f"\n{safe(card.section)}\n  {safe(latex_to_unicode(card.text))}{mark}"


def format_key(key: AnswerKey) -> str:
    if not key.slides:
        return "  (cites no slides, and none are suggested)"
    head = "  suggested slides (the question cites none):" if key.suggested else "  slides:"
    lines = [head] + [f"    {n:>4}  {safe(t or '(untitled)')}" for n, t in zip(key.slides, key.titles)]
    if key.missing:
        lines.append(f"    not in the index: {', '.join(map(str, key.missing))}")
    if key.answer:
        lines += ["  from the slides:"] + [f"    {safe(line)}" for line in key.answer.splitlines()]
    return "\n".join(lines)


def loop(
    session: StudySession, filters: Filters, read: Callable[[str], str] = input, write: Callable[[str], None] = print
) -> int:
    """Question, Enter for the answer, then 1-4 (again, hard, good, easy); s skips, q quits.
    However it ends (q, Ctrl+D, nothing left), it says what was done."""
    skipped: set[str] = set()
    graded: dict[str, int] = {}
    while True:
        queue = [c for c in session.queue(filters) if c.qid not in skipped]
        if not queue:
            write(f"nothing more due ({sum(graded.values())} reviewed). --stats shows your progress.")
            return 0
        card = queue[0]
        write(format_card(card) + f"\n  ({len(queue)} to go)")
        try:
            if read("  Enter: show the answer, q: quit > ").strip().lower() == "q":
                write(session_summary(graded, len(skipped), len(queue)))
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
                graded[grade] = graded.get(grade, 0) + 1
                write(f"  {grade}: next due {local_time(memory.due)}")
                break
        except EOFError:
            write("")
            write(session_summary(graded, len(skipped), len(queue)))
            return 0
        if choice == "q":
            write(session_summary(graded, len(skipped), len(queue)))  # q instead of a grade: the card stays
            return 0
        if choice == "s":
            skipped.add(card.qid)


def session_summary(graded: dict[str, int], skipped: int, left: int) -> str:
    """The line a review ends on: reviews by grade, skips, and what is still waiting."""
    total = sum(graded.values())
    by_grade = ", ".join(f"{graded[g]} {g}" for g in GRADES if graded.get(g))
    reviews = f"{total} reviewed ({by_grade})" if total else "0 reviewed"
    return f"stopped: {reviews}, {skipped} skipped, {left} still in the queue. --stats shows your progress."
