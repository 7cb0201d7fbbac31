"""The app served on a free loopback port, for tests that talk to it over HTTP or drive a browser."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.net import free_port


@contextmanager
def serving(view) -> Iterator[str]:
    """The whole app over ``view``, listening until the block ends; yields ``http://127.0.0.1:PORT``."""
    import app

    demo = app.build_app(view)
    port = free_port()
    app.launch(demo, "127.0.0.1", port, block=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        demo.close()


@contextmanager
def serving_index(index: Path, bank: Path) -> Iterator[str]:
    """The app over ``index`` and ``bank`` (the tests' tiny deck, usually)."""
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    retriever, notices = open_retriever(index, bank)
    with serving(WebView(retriever, notices)) as url:
        yield url
