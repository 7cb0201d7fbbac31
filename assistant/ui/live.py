"""A running app follows re-ingests: between requests it notices a new ``CURRENT`` and reopens.

An ingest keeps the live generation and the one before it, and prunes older ones. An app that
held on to the generation it started with would lose its thumbnails after two ingests; an app
that checks ``CURRENT`` (one small file read) before each request always serves the newest
generation, whose files stay on disk until two more ingests have finished.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from assistant.retrieval.retriever import Retriever

Opener = Callable[[], "tuple[Retriever, tuple[str, ...]]"]


def live_generation(index_dir: Path) -> str | None:
    """The name ``CURRENT`` gives now, or None when there is none (or it cannot be read)."""
    from index.store import current_generation

    try:
        gen = current_generation(index_dir)
    except (OSError, ValueError):  # unreadable or not UTF-8: a problem for ingest to report, not for a page view
        return None
    return gen.name if gen is not None else None


class Follow:
    """Reopens the retriever when the index folder's live generation changes.

    ``check(loaded)`` returns a fresh (retriever, notices) when ``CURRENT`` names another
    generation than ``loaded`` and it opens cleanly, else None. A generation that fails to open is
    reported once on stderr and the app keeps serving what it has. Not thread-safe: the caller
    holds a lock around ``check`` and the swap.
    """

    def __init__(self, index_dir: Path, reopen: Opener, live: Callable[[], str | None] | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.reopen = reopen
        self._failed: str | None = None
        # What names the live generation: CURRENT in the folder, or (the shared store) the database's pointer.
        self._live = live

    def live(self) -> str | None:
        return self._live() if self._live is not None else live_generation(self.index_dir)

    def check(self, loaded: str | None) -> tuple[Retriever, tuple[str, ...]] | None:
        name = self.live()
        if name is None or name == loaded or name == self._failed:
            return None
        from index.errors import SlidebankError

        try:
            retriever, notices = self.reopen()
        except SlidebankError as exc:
            self._failed = name
            print(f"note: the new index could not be opened, still serving the previous one: {exc}", file=sys.stderr)
            return None
        return retriever, tuple(notices)
