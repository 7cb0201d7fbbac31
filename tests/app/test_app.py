"""``app.py``: its command line, and its handlers through Gradio's own client on a loopback port."""

from __future__ import annotations

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
    assert 'id="sb-card-4"' in cards and "data:image/jpeg;base64," in cards
    assert "Classifier-Free Guidance scenario" in bank
    empty_cards, empty_bank = client.predict("   ", api_name="/search")[:2]
    assert "press Enter" in empty_cards and empty_bank == ""
