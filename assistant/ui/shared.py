"""The app on the shared store of a class: ``python app.py --database URL`` with ``--users FILE`` or
``--auth-header HEADER``.

The app process keeps no state of its own: the deck and the course bank come from the database's
live generation (followed between requests, so an ingest switches every replica), and each
signed-in student's study session reads and writes their own rows (assistant/study/pg_store.py).
Who the student is comes from Gradio's sign-in against the users file (scrypt hashes,
assistant/ui/users.py), or from a header set by the institution's reverse proxy, which must then
be the only way to reach the app (docs/deployment.md).
"""

# No ``from __future__ import annotations``: gr.api reads the API functions' type hints as objects.
import argparse
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from assistant.study.session import StudySession
from index.errors import InputError


def takes_request(fn: Callable) -> Callable:
    """Mark ``fn``'s ``request`` parameter as Gradio's request, for a module that imports Gradio lazily
    (with postponed annotations Gradio cannot resolve the name ``gr`` there, and would not pass it)."""
    import gradio as gr

    fn.__annotations__["request"] = gr.Request
    return fn


@dataclass(frozen=True)
class SharedSettings:
    url: str
    users: Path | None
    header: str | None

    @classmethod
    def from_args(cls, args: argparse.Namespace, url: str | None) -> "SharedSettings | None":
        """None for the local app; InputError when the flags do not add up. ``url``: the settings
        record's database URL (--database, else $SLIDEBANK_DATABASE_URL)."""
        if not url:
            if args.users or args.auth_header:
                raise InputError("--users and --auth-header go with --database URL")
            return None
        if args.database and args.index is not None:
            raise InputError("give --index or --database, not both")
        if not args.users and not args.auth_header:
            raise InputError("--database serves a class: give --users FILE (students sign in) or --auth-header HEADER")
        from index.pg.connect import check_url

        if args.users is not None:
            from assistant.ui.users import read_accounts

            if not read_accounts(args.users):
                raise InputError(
                    f"the users file {args.users} holds no user; add one with python -m assistant.ui.accounts"
                )
        return cls(check_url(url), args.users, args.auth_header)

    def auth(self) -> Callable[[str, str], bool] | None:
        """Gradio's sign-in check for --users (the file is read again at each sign-in: added users need no restart)."""
        if self.users is None:
            return None
        from assistant.ui.users import read_accounts, verify

        users = self.users
        return lambda name, password: verify(read_accounts(users), name, password)

    def live(self) -> Callable[[], str | None]:
        from index.pg.connect import shared_pool
        from index.pg.read import live_name

        pool = shared_pool(self.url)
        return lambda: live_name(pool)


class StudentSessions:
    """Each signed-in student's study session, built on first use and rebuilt when the course bank changes."""

    def __init__(self, settings: SharedSettings, view: Any) -> None:
        from index.pg.connect import shared_pool

        self.settings = settings
        self.view = view
        self.pool = shared_pool(settings.url)
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[object, StudySession]] = {}

    def user(self, request: Any) -> str:
        name = None
        if request is not None:
            if self.settings.header:
                name = request.headers.get(self.settings.header)
            else:
                name = getattr(request, "username", None)
        if not name:
            raise InputError("sign in to study: your reviews are your own")
        return str(name)

    def __call__(self, request: Any) -> StudySession:
        from assistant.study.pg_store import StudentStore, student_bank
        from assistant.study.suggestions import Suggestions

        user = self.user(request)
        self.view.current()  # follow an ingest first: the bank below is the live one
        course = self.view.retriever.bank
        with self._lock:
            known = self._sessions.get(user)
            if known is None or known[0] is not course:
                store = StudentStore(self.pool, user)
                bank = student_bank(course, store.layer(), store.marks())
                session = StudySession(bank, store, self.view.index, suggest=Suggestions(self.view.retriever))
                known = self._sessions[user] = (course, session)
            return known[1]

    def add_question(self, request: Any, section: str, text: str, refs: list[int]):
        """Add to the student's own layer (never the course bank); their session picks it up next time."""
        session = self(request)
        question = session.store.add_question(section, text, refs)  # type: ignore[attr-defined]
        with self._lock:
            self._sessions.pop(self.user(request), None)
        return question

    def api(self) -> None:
        """``/study_next``, ``/study_grade`` and ``/study_stats`` for the signed-in student (scripts, the load benchmark)."""
        import gradio as gr

        def study_next(request: gr.Request) -> dict:
            session = self(request)
            queue = session.queue()
            return {"user": self.user(request), "id": queue[0].qid if queue else None, "queued": len(queue)}

        def study_grade(qid: str, grade: str, request: gr.Request) -> dict:
            from assistant.study.schedule import parse_grade

            session = self(request)
            if session.card(qid) is None:
                raise gr.Error(f"question {qid} is not in your bank")
            memory = session.grade(qid, parse_grade(grade))
            return {"user": self.user(request), "id": qid, "due": memory.due.isoformat()}

        def study_stats(request: gr.Request) -> dict:
            from dataclasses import asdict

            from assistant.study.progress import totals

            return {"user": self.user(request), **asdict(totals(self(request).stats()))}

        gr.api(study_next, api_name="study_next")
        gr.api(study_grade, api_name="study_grade")
        gr.api(study_stats, api_name="study_stats")
