"""Two app processes on one PostgreSQL database serve one class: students sign in, a grade given on
one replica shows on the other, and an ingest while both serve switches both."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.support.app_process import running_app_with
from tests.support.cli_run import assert_one_line_error, run_module
from tests.support.decks import BANK

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery"


def _users(tmp_path: Path, *names: str) -> Path:
    path = tmp_path / "users.txt"
    for name in names:
        proc = run_module("assistant.ui.accounts", path, name, stdin=PASSWORD + "\n")
        assert proc.returncode == 0, proc.stderr
    assert PASSWORD not in path.read_text()
    return path


def _card_src(cards: str) -> str:
    found = re.findall(r'<img class="sb-thumb" src="([^"]+)"', cards)
    assert found, cards[:200]
    return found[0]


def _ingest(decks, url: str, bank: Path) -> None:
    proc = run_module("ingest", *decks, "--database", url, "--bank", bank, "--model", "hash:64", "-q")
    assert proc.returncode == 0, proc.stderr


def test_two_replicas_share_grades_and_follow_an_ingest(
    pg_url: str, tiny_decks: list[Path], bank_file: Path, tmp_path: Path
) -> None:
    from gradio_client import Client

    _ingest(tiny_decks, pg_url, bank_file)
    users = _users(tmp_path, "ada", "bob")
    options = ["--database", pg_url, "--users", str(users)]
    with running_app_with(options) as url_a, running_app_with(options) as url_b:
        ada_a = Client(url_a, auth=("ada", PASSWORD), verbose=False)
        ada_b = Client(url_b, auth=("ada", PASSWORD), verbose=False)
        bob_b = Client(url_b, auth=("bob", PASSWORD), verbose=False)
        card = ada_a.predict(api_name="/study_next")
        assert card["user"] == "ada" and card["id"]
        ada_a.predict(card["id"], "good", api_name="/study_grade")
        assert ada_b.predict(api_name="/study_stats")["reviewed"] == 1
        assert bob_b.predict(api_name="/study_stats")["reviewed"] == 0
        cards = ada_b.predict(api_name="/study_stats")["cards"]

        smaller = tmp_path / "smaller.md"
        smaller.write_text(BANK.split("### diffusion")[0], encoding="utf-8")  # one section fewer
        _ingest(tiny_decks, pg_url, smaller)
        for client in (ada_a, ada_b):
            assert client.predict(api_name="/study_stats")["cards"] < cards
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own error for a refused sign-in
            Client(url_a, auth=("ada", "not the password"), verbose=False).predict(api_name="/study_stats")

        # The slide cards' images: for signed-in students only, on either replica.
        image = _card_src(ada_a.predict("classifier-free guidance omega", api_name="/search")[0])
        with httpx.Client(base_url=url_b.rstrip("/") + "/", timeout=30) as browser:
            assert browser.get(image).status_code == 401
            assert browser.post("login", data={"username": "ada", "password": "wrong"}).status_code >= 400
            assert browser.get(image).status_code == 401
            assert browser.post("login", data={"username": "ada", "password": PASSWORD}).status_code == 200
            reply = browser.get(image)
            assert reply.status_code == 200 and reply.headers["content-type"] == "image/jpeg"


def test_auth_header_names_the_student(pg_url: str, tiny_decks: list[Path], bank_file: Path) -> None:
    from gradio_client import Client

    _ingest(tiny_decks, pg_url, bank_file)
    with running_app_with(["--database", pg_url, "--auth-header", "X-Remote-User"]) as url:
        ada = Client(url, headers={"X-Remote-User": "ada"}, verbose=False)
        card = ada.predict(api_name="/study_next")
        ada.predict(card["id"], "easy", api_name="/study_grade")
        assert ada.predict(api_name="/study_stats")["reviewed"] == 1
        carol = Client(url, headers={"X-Remote-User": "carol"}, verbose=False)
        assert carol.predict(api_name="/study_stats")["reviewed"] == 0
        with pytest.raises(Exception):  # noqa: B017 - no header, no student
            Client(url, verbose=False).predict(api_name="/study_stats")
        image = url.rstrip("/") + "/" + _card_src(ada.predict("classifier-free guidance omega", api_name="/search")[0])
        assert httpx.get(image, timeout=30).status_code == 401  # not through the proxy: no slides
        assert httpx.get(image, headers={"X-Remote-User": "ada"}, timeout=30).status_code == 200


def test_database_app_needs_a_way_to_sign_in(pg_url: str) -> None:
    proc = run_module("app", "--database", pg_url, "--port", "1")
    assert_one_line_error(proc, "--users FILE")
