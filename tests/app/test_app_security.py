"""The web app's exposure: loopback only, no share link, no file served from a crafted path, and a
slide viewer that shrugs off crafted slide numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.file_opens import recorded_opens
from tests.support.net import free_port
from tests.support.paths import ROOT


@pytest.fixture()
def view(hash_index: Path, bank_file: Path):
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    retriever, notices = open_retriever(hash_index, bank_file)
    return WebView(retriever, notices)


@pytest.fixture()
def launched(view, monkeypatch: pytest.MonkeyPatch):
    """The app launched with the defaults of ``app.launch``, while the environment asks Gradio for the opposite."""
    import app

    # Gradio reads these when launch() leaves host or share unset; the app must set both itself.
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SHARE", "True")
    demo = app.build_app(view)
    port = free_port()
    app.launch(demo, port=port, block=False)
    yield demo, port
    demo.close()


def test_command_line_defaults_are_loopback_and_no_share() -> None:
    import app

    args = app.build_parser().parse_args([])
    assert args.host == "127.0.0.1" and args.share is False


def test_a_launched_app_listens_on_loopback_only_and_shares_nothing(launched) -> None:
    import psutil

    demo, port = launched
    assert demo.server_name == "127.0.0.1"
    assert demo.share is False and demo.share_url is None
    listening = [
        c
        for c in psutil.Process().net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    ]
    assert listening and all(c.laddr.ip == "127.0.0.1" for c in listening)


def test_no_extra_folders_are_opened_to_the_server(launched) -> None:
    demo, _ = launched
    assert demo.allowed_paths == []


def test_the_search_queue_is_bounded_and_serial(launched) -> None:
    from assistant.ui import layout

    demo, _ = launched
    assert demo._queue.max_size == layout.QUEUE_MAX_SIZE
    search = next(fn for fn in demo.fns.values() if fn.api_name == "search")
    assert (
        search.concurrency_limit == "default" and demo._queue.default_concurrency_limit == layout.CONCURRENCY_LIMIT == 1
    )


def test_crafted_file_paths_return_no_file_content(launched, hash_index: Path, bank_file: Path) -> None:
    import httpx

    _, port = launched
    thumbnail = next((hash_index / (hash_index / "CURRENT").read_text().strip() / "thumbnails").glob("*.png"))
    manifest = hash_index / (hash_index / "CURRENT").read_text().strip() / "manifest.json"
    secrets = {
        "/etc/passwd": b"root:",
        str(bank_file): bank_file.read_bytes()[:40],
        str(thumbnail): thumbnail.read_bytes()[:64],
        str(manifest): manifest.read_bytes()[:40],
        str(ROOT / "app.py"): (ROOT / "app.py").read_bytes()[:40],
        str(ROOT / "data" / "question_bank.md"): (ROOT / "data" / "question_bank.md").read_bytes()[:40],
    }
    targets = [
        ("/etc/passwd", b"root:"),
        ("../../../../../../etc/passwd", b"root:"),
        ("..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", b"root:"),
        ("%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", b"root:"),
        ("../../data/question_bank.md", secrets[str(ROOT / "data" / "question_bank.md")]),
        ("data/question_bank.md", secrets[str(ROOT / "data" / "question_bank.md")]),
        ("app.py", secrets[str(ROOT / "app.py")]),
        *((path, marker) for path, marker in secrets.items()),
    ]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        for prefix in ("/gradio_api/file=", "/file=", "/gradio_api/file/", "/static/", "/assets/"):
            for path, marker in targets:
                response = http.get(prefix + path)
                assert response.status_code != 200 or marker not in response.content, f"{prefix}{path} served the file"
                assert response.status_code < 500, f"{prefix}{path}: {response.status_code}"
        # The served page itself carries thumbnails only as data URIs, never as a file path into the index.
        page = http.get("/").text
        assert str(hash_index) not in page


CRAFTED = [0, -1, 10**9, -(10**9)]


@pytest.mark.parametrize("number", CRAFTED)
def test_the_viewer_shows_nothing_for_slides_that_do_not_exist(view, number: int) -> None:
    import app

    assert view.slide_panel(number) is None and view.slide_image(number) is None
    assert view.index.thumbnail(number) is None
    assert all(
        isinstance(out, dict) and out.get("__type__") == "update" and len(out) == 1
        for out in app.show_slide(view, number)
    )


@pytest.mark.parametrize(
    "slide", ["../x", "../../etc/passwd", "/etc/passwd", "1/../../2", "0x10", "1e9", "", None, [1], {"a": 1}, 1.5, "١"]
)
def test_a_crafted_click_payload_opens_no_file_and_raises_nothing(view, slide) -> None:
    from assistant.ui.web import clicked

    assert view.slide_panel(1) is not None  # lazy imports done before recording: they open modules
    with recorded_opens() as opened:
        number, _ = clicked({"slide": slide})
        panel = view.slide_panel(number) if number is not None else None
    if number is None:
        assert opened == []
    else:  # what survives is an int in range, and opens that slide's own thumbnail at most
        assert isinstance(number, int) and panel is not None and 1 <= panel.number <= view.n_slides
        assert set(opened) <= {str(view.index.thumbnail(number))}, opened


def test_a_real_slide_still_opens(view) -> None:
    panel = view.slide_panel(1)
    assert panel is not None and panel.image is not None and panel.number == 1
