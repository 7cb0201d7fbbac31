"""A running app survives re-ingests: it notices a new ``CURRENT`` between requests and switches to
it, so a search after two ingests (which prune the generation the app started with) shows every
card with its image, and the slides of the newest deck."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.decks import DECK_A, make_pdf
from tests.support.net import free_port


def _deck(folder: Path, title: str) -> Path:
    return make_pdf(
        folder / "week01.pdf", [*DECK_A, (title, ["Momentum and the learning rate, revisited", "gradient steps"])]
    )


def _by_slide(sources: set[str]) -> dict[int, str]:
    return {int(src.rsplit("/", 1)[1].split("-")[0]): src for src in sources}


def test_search_after_two_ingests_shows_the_new_deck_with_every_image(tmp_path: Path, bank_file: Path) -> None:
    import httpx
    from gradio_client import Client

    import app
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.live import Follow
    from assistant.ui.web import WebView
    from ingest.build import ingest

    index = tmp_path / "index"
    decks = tmp_path / "decks"
    decks.mkdir()
    ingest([_deck(decks, "Version One Summary")], index, model="hash:64", progress=False)
    first = (index / "CURRENT").read_text().strip()

    def reopen():
        return open_retriever(index, bank_file)

    view = WebView(*reopen(), follow=Follow(index, reopen))
    demo = app.build_app(view)
    port = free_port()
    app.launch(demo, "127.0.0.1", port, block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        cards = client.predict("momentum learning rate revisited", api_name="/search")[0]
        assert "Version One Summary" in cards
        first_images = set(re.findall(r'src="(slidebank/card/[^"]+)"', cards))

        for title in ("Version Two Summary", "Version Three Summary"):
            ingest([_deck(decks, title)], index, model="hash:64", progress=False)
        assert not (index / first).exists()  # the generation the app started with is gone

        cards = client.predict("momentum learning rate revisited", api_name="/search")[0]
        assert "Version Three Summary" in cards and "Version One Summary" not in cards
        assert cards.count('class="sb-card"') >= 2
        images = set(re.findall(r'src="(slidebank/card/[^"]+)"', cards))
        assert cards.count('class="sb-card"') == cards.count('src="slidebank/card/')
        # The retitled slide has a new URL and its old one is gone with its generation; a slide
        # that did not change keeps its URL, so a browser's cached copy stays good.
        before, after = _by_slide(first_images), _by_slide(images)
        retitled = len(DECK_A) + 1
        assert before[retitled] != after[retitled]
        assert all(before[n] == after[n] for n in before.keys() & after.keys() if n != retitled)
        base = f"http://127.0.0.1:{port}/"
        assert httpx.get(base + before[retitled], timeout=30).status_code == 404
        assert all(httpx.get(base + src, timeout=30).status_code == 200 for src in images)
        assert "no image" not in cards
        assert view.index is not None and view.index.path.name == (index / "CURRENT").read_text().strip()
        panel = view.slide_panel(4)
        assert panel is not None and panel.image is not None and "Version Three Summary" in panel.caption_html
    finally:
        demo.close()


def test_without_a_new_generation_nothing_is_reopened(hash_index: Path, bank_file: Path) -> None:
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.live import Follow
    from assistant.ui.web import WebView

    opened = []

    def reopen():
        opened.append(1)
        return open_retriever(hash_index, bank_file)

    view = WebView(*open_retriever(hash_index, bank_file), follow=Follow(hash_index, reopen))
    before = view.current()
    for _ in range(3):
        view.search("momentum")
    assert opened == [] and view.current() is before


def test_a_new_generation_that_cannot_be_opened_keeps_the_old_one(hash_index: Path, bank_file: Path, capsys) -> None:
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.live import Follow
    from assistant.ui.web import WebView
    from index.errors import IndexInvalid

    def reopen():
        raise IndexInvalid("the index at x is damaged (manifest.json)")

    view = WebView(*open_retriever(hash_index, bank_file), follow=Follow(hash_index, reopen))
    before = view.current()
    broken = hash_index / "gen-broken"
    broken.mkdir()
    (hash_index / "CURRENT").write_text("gen-broken\n")
    assert view.current() is before and view.current() is before
    assert capsys.readouterr().err.count("still serving the previous one") == 1  # said once, not per request
    assert "sb-card" in view.results_html(view.search("momentum"))
