"""``app.py``: its command line, and its handlers through Gradio's own client on a loopback port."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli_run import assert_one_line_error
from tests.support.net import free_port
from tests.support.paths import ROOT
from tests.support.served import serving_index


def run_app(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_help_teaches_and_defaults_to_loopback() -> None:
    done = run_app("--help")
    assert done.returncode == 0
    assert "127.0.0.1" in done.stdout and "7860" in done.stdout and "python -m ingest" in done.stdout
    assert "--share" in done.stdout


def test_tabs_help_and_readme_name_the_same_tabs_in_the_same_order(hash_index: Path, bank_file: Path) -> None:
    import gradio as gr

    import app
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    demo = app.build_app(WebView(*open_retriever(hash_index, bank_file)))
    tabs = [block.label for block in demo.blocks.values() if isinstance(block, gr.Tab)]
    assert tabs == ["Search", "Question bank", "Bank audit", "Study"]
    help_text = " ".join(run_app("--help").stdout.split())
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    in_help = [help_text.index(f" {tab} ", help_text.index("what you get")) for tab in tabs]
    in_readme = [readme.index(f"**{tab}**", readme.index("## The web app")) for tab in tabs]
    assert in_help == sorted(in_help) and in_readme == sorted(in_readme)


def test_bad_options_are_one_line_errors() -> None:
    done = run_app("--port", "70000")
    assert done.returncode == 2
    assert_one_line_error(done, "--port")


def test_a_damaged_index_is_a_one_line_error(tmp_path: Path) -> None:
    broken = tmp_path / "index"
    broken.mkdir()
    (broken / "CURRENT").write_text("gen-x")
    (broken / "gen-x").mkdir()
    done = run_app("--index", str(broken), "--port", str(free_port()))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    # The app says what it is loading first; then the error, one line, last.
    *status, error = done.stderr.splitlines()
    assert error.startswith("error: the index at ") and str(broken) in error
    assert all(line.startswith("slidebank: ") for line in status), done.stderr


def test_the_app_switches_gradio_analytics_off_itself() -> None:
    code = "import os; os.environ['GRADIO_ANALYTICS_ENABLED'] = 'True'; import app, gradio.analytics as a; print(a.analytics_enabled())"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


@pytest.fixture()
def served(hash_index: Path, bank_file: Path):
    with serving_index(hash_index, bank_file) as url:
        yield url + "/"


def test_search_endpoint_returns_cards_and_bank_matches(served: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    cards, bank = client.predict("classifier-free guidance omega", api_name="/search")[:2]
    assert 'id="sb-card-4"' in cards and re.search(r'src="slidebank/card/4-[0-9a-f]{16}\.jpg"', cards)
    assert "Classifier-Free Guidance scenario" in bank
    empty_cards, empty_bank = client.predict("   ", api_name="/search")[:2]
    assert "press Enter" in empty_cards and empty_bank == ""


def _card_urls(base: str) -> list[str]:
    """The card images a search's HTML names, as absolute URLs (the page resolves them the same way)."""
    from gradio_client import Client

    cards = Client(base, verbose=False).predict("classifier-free guidance omega", api_name="/search")[0]
    return [base + src for src in re.findall(r'<img class="sb-thumb" src="([^"]+)"', cards)]


def test_card_images_come_from_the_app_and_are_cached_for_good(served: str) -> None:
    import httpx

    urls = _card_urls(served)
    assert urls and len(urls) == len(set(urls))
    for url in urls:
        reply = httpx.get(url, timeout=30)
        assert reply.status_code == 200, url
        assert reply.headers["content-type"] == "image/jpeg" and reply.content[:3] == b"\xff\xd8\xff"
        assert "immutable" in reply.headers["cache-control"] and "private" in reply.headers["cache-control"]
        assert "content-security-policy" in reply.headers  # the guard's headers cover the route too
    head = httpx.head(urls[0], timeout=30)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 1000


def test_the_card_route_serves_only_the_live_version_of_a_real_slide(served: str) -> None:
    import httpx

    url = _card_urls(served)[0]
    number, digest = url.rsplit("/", 1)[1].removesuffix(".jpg").split("-")
    other = "0" * 16 if digest != "0" * 16 else "1" * 16
    for wrong in (
        url.replace(f"-{digest}", f"-{other}"),  # another version of the slide: not the live one
        url.replace(f"/{number}-", "/0-"),
        url.replace(f"/{number}-", "/99999-"),
        url.replace(".jpg", ".png"),
        url.replace(f"/{number}-", "/../1-"),
    ):
        assert httpx.get(wrong, timeout=30).status_code == 404, wrong
    assert httpx.post(url, timeout=30).status_code == 405


def test_the_queue_computes_no_monitoring_summary_per_event(hash_index: Path, bank_file: Path) -> None:
    """Gradio's default recomputes a pandas summary of past events after every event (slower as the app runs)."""
    import app
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    demo = app.build_app(WebView(*open_retriever(hash_index, bank_file)))
    queue = demo._queue
    queue.events_recorded = 5_000  # as after a day of searches
    queue.cached_event_analytics_summary = {"functions": {"cached": {}}}
    records = [{"function": "search", "status": "success", "process_time": 0.01}] * 100
    assert queue.compute_analytics_summary(records) == {"functions": {"cached": {}}}
