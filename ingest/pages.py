"""Reading a deck's text and drawing its thumbnails in a worker process under a memory cap.

A PDF of a few megabytes can hold a content stream that inflates to gigabytes, and pdfium draws
a page by inflating it whole. In the worker, an address-space cap (RLIMIT_AS) turns that into a
MemoryError (Python code, which costs only that page's text) or an abort (pdfium, which ends the
worker). The worker reports each page as it finishes, so when it dies the parent knows which page
killed it: that page gets no thumbnail (or no text) and a note, and a fresh worker goes on from
the next page. A page is never retried, and never in the parent, whose memory is not capped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from index.errors import InputError
from index.settings import DEFAULT_WORKER_MEMORY, ENV_WORKER_MEMORY
from ingest.pdf import PageTexts
from ingest.thumbnails import render_pages, save_png

# The cap's default and its variable live in the settings record (index/settings.py), which the
# command resolves and checks; ingest passes the cap in bytes down to here.


@dataclass
class DeckPages:
    """What reading one deck produced; filled page by page as the worker reports."""

    count: int | None = None
    texts: list[str] = field(default_factory=list)
    drawn: list[int] = field(default_factory=list)  # pages (1-based) whose thumbnail was written
    handled: int = 0  # pages the renderer is done with, drawn or not
    notes: list[str] = field(default_factory=list)

    def take(self, message: tuple) -> bool:
        """Apply one worker message; True when it finished a page's thumbnail (a progress tick)."""
        kind = message[0]
        if kind == "count":
            self.count, note = message[1], message[2]
            if note:
                self.notes.append(note)
        elif kind == "text":
            self.texts.append(message[1])
        elif kind == "page":
            self.handled += 1
            if message[1]:
                self.drawn.append(self.handled)
            return True
        return False


def read_deck(
    path: Path,
    password: str | None,
    thumbs: Path,
    first: int,
    text_from: int,
    draw_from: int,
    tick: Callable[[Any], None],
) -> None:
    """Worker side: texts of pages ``text_from``.. (after the page count), then thumbnails of pages
    ``draw_from``.., each reported by ``tick`` as soon as it is done. Slide ``first`` is page 1."""
    pages = PageTexts(path, password)
    try:
        tick(("count", pages.count, pages.note if text_from == 1 else ""))
        for page in range(text_from, pages.count + 1):
            tick(("text", pages.text(page)))
    finally:
        pages.close()
    if draw_from > pages.count:
        return
    images = render_pages(path, password, first_page=draw_from)
    try:
        for page in range(draw_from, pages.count + 1):
            # Never zip texts with images: a renderer that sees fewer pages must not drop slides.
            image = next(images, None)
            if image is not None:
                save_png(image, thumbs / f"{first + page - 1:04d}.png")
            tick(("page", image is not None))
    finally:
        images.close()


def read_deck_capped(
    path: Path,
    password: str | None,
    thumbs: Path,
    first: int,
    progress: Callable[[int], None],
    on_fallback: Callable[[str], None] = lambda reason: None,
    memory_limit: int = DEFAULT_WORKER_MEMORY,
) -> DeckPages:
    """Texts and thumbnails of one deck, read in memory-capped workers (see the module doc).

    When no worker process can be started at all (a process limit), the work runs here, uncapped,
    as it did before workers existed; ``on_fallback(reason)`` is told first, so that it can be seen.
    ``memory_limit``: each worker's cap in bytes (``UserSettings.worker_memory_bytes``).
    """
    from ingest.offload import ChildDied, ChildFailed, call_in_child

    limit = memory_limit
    state = DeckPages()
    over_cap: list[tuple[int, str]] = []  # (page, "text" or "thumbnail")

    def on_tick(message: tuple) -> None:
        if state.take(message):
            progress(1)

    while True:
        args = (path, password, thumbs, first, len(state.texts) + 1, state.handled + 1, on_tick)
        try:
            call_in_child(read_deck, args[:-1], on_tick, memory_limit=limit)
            break
        except ChildDied:
            if state.count is None:
                raise InputError(
                    f"{path}: could not be opened within the worker memory cap of {limit >> 20} MB (set {ENV_WORKER_MEMORY} to raise it)"
                ) from None
            if len(state.texts) < state.count:
                state.texts.append("")  # the page whose text took the worker down
                over_cap.append((len(state.texts), "text"))
            elif state.handled < state.count:
                state.handled += 1  # the page whose drawing took the worker down
                over_cap.append((state.handled, "thumbnail"))
                progress(1)
            else:
                break  # died after its last page: nothing is missing
            if len(state.texts) >= state.count and state.handled >= state.count:
                break
        except ChildFailed as exc:
            on_fallback(str(exc))
            state = DeckPages()  # start over: on_tick reads the new one
            read_deck(path, password, thumbs, first, 1, 1, on_tick)
            break
    if over_cap:
        shown = ", ".join(f"page {page} ({what})" for page, what in over_cap[:10]) + (
            " ..." if len(over_cap) > 10 else ""
        )
        state.notes.append(
            f"{path.name}: {shown} needed more than the worker memory cap of {limit >> 20} MB; left out, the other pages are indexed"
        )
    return state
