"""A model server on loopback that turns hostile or breaks, against the real CLI in a subprocess under
a network guard (any name lookup or connection off loopback is refused and recorded).

Redirects that would carry the prompt elsewhere, ``.localhost`` names a resolver could point
anywhere, streams without end, drips, stalls, a 50 MB reply and plain JSON: each is one outcome a
user can read, within ``SLIDEBANK_LLM_TIMEOUT``, and nothing leaves the computer.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer import server
from tests.support.cli_run import run_module
from tests.support.fake_llm_server import MODEL, FakeServer
from tests.support.net import free_port
from tests.support.net_guard import guard

QUESTION = "what does momentum average"
FIRST = "Momentum averages previous steps. [slide 2]"
PIECES = [
    "Momentum averages ",
    "previous steps [slide 2]. ",
    "It reduces noise in the ",
    "update direction [slide 2]. ",
]


def guarded_query(
    tmp_path: Path, hash_index: Path, bank_file: Path, url: str, *extra: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], list[str], float]:
    """``python -m assistant.query --llm-url URL ...`` under the network guard: (process, refused, peak MB)."""
    log = tmp_path / "guard.log"
    env = {**(env or {}), "SLIDEBANK_LLM_URL": ""}
    args = ["--index", hash_index, "--bank", bank_file, "--llm-url", url, *extra, QUESTION]
    proc = run_module("tests.support.net_guard", log, "assistant.query", *args, env=env, timeout=90)
    lines = log.read_text(encoding="utf-8").splitlines()
    refused = [line for line in lines if line.startswith("refused:")]
    peak = float(next(line for line in lines if line.startswith("peak_mb:")).split()[1])
    return proc, refused, peak


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


# -- 6: redirects --------------------------------------------------------------------------------


@pytest.mark.parametrize("named_model", [True, False], ids=["chat", "model-list"])
@pytest.mark.parametrize("target", ["http://exfil.example/v1", "http://10.9.8.7:8000/v1", "loopback"])
def test_a_redirect_is_not_followed_and_nothing_leaves_loopback(
    target: str, named_model: bool, tmp_path: Path, hash_index: Path, bank_file: Path
) -> None:
    with FakeServer(PIECES) as other:
        where = other.url if target == "loopback" else target
        redirect = f"{where}/chat/completions" if named_model else f"{where}/models"
        with FakeServer(mode="redirect", redirect_to=redirect) as fake:
            extra = ["--llm-model", MODEL] if named_model else []
            proc, refused, _ = guarded_query(tmp_path, hash_index, bank_file, fake.url, *extra)
    assert refused == [] and other.paths == []  # the prompt went nowhere but the URL given
    assert proc.returncode == 2 and proc.stdout.startswith("Slides")
    assert f"answered with a redirect (HTTP 307 to {redirect})" in error_line(proc)
    assert len(fake.paths) == 1


@pytest.fixture()
def network_guard() -> Iterator[list[str]]:
    """In this process, every name lookup and every connection off loopback is refused; the test fails on any."""
    with guard() as seen:
        yield seen
    assert seen == [], f"the test reached beyond loopback: {seen}"


def test_the_app_panel_follows_no_redirect_and_looks_up_no_name(
    network_guard: list[str], hash_index: Path, bank_file: Path
) -> None:
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    view = WebView(*open_retriever(hash_index, bank_file))
    view.current().answer_threshold = None  # the hash embedder's confidence is low on any query
    result = view.search(QUESTION)
    with FakeServer(mode="redirect", redirect_to="http://exfil.example/v1/chat/completions") as fake:
        final = list(view.answer_html(result, "server", MODEL, fake.url))[-1]
    assert "answered with a redirect (HTTP 307 to http://exfil.example/v1/chat/completions)" in final
    with FakeServer(PIECES) as fake:
        port = fake.url.split(":")[2].split("/")[0]
        final = list(view.answer_html(result, "server", MODEL, f"http://evil.localhost:{port}/v1"))[-1]
    assert "<p>Momentum averages previous steps. " in final and fake.hosts == [f"evil.localhost:{port}"]


# -- 7: names under .localhost -------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.localhost", "localhost", "a.b.LOCALHOST"])
def test_a_localhost_name_reaches_127_0_0_1_without_any_lookup(
    host: str, tmp_path: Path, hash_index: Path, bank_file: Path
) -> None:
    with FakeServer(PIECES) as fake:
        port = fake.url.split(":")[2].split("/")[0]
        proc, refused, _ = guarded_query(tmp_path, hash_index, bank_file, f"http://{host}:{port}/v1")
    assert refused == [], refused
    assert proc.returncode == 0, proc.stderr
    assert FIRST in proc.stdout
    assert fake.hosts == [f"{host.lower()}:{port}"] * 2  # the model list, then the answer; the name only in Host


def test_the_guard_refuses_and_records_a_lookup_of_a_localhost_name(tmp_path: Path) -> None:
    """The guard itself: a plain lookup in the child, as a resolver-based client makes, is refused and recorded."""
    (tmp_path / "lookup_target.py").write_text(
        "import socket\ntry:\n    socket.getaddrinfo('evil.localhost', 80)\nexcept OSError as exc:\n    print(exc)\n"
    )
    log = tmp_path / "guard.log"
    proc = run_module("tests.support.net_guard", log, "lookup_target", env={"PYTHONPATH": f"{tmp_path}:{os.getcwd()}"})
    assert "network guard: name lookup of 'evil.localhost' refused" in proc.stdout
    assert "refused: name lookup of 'evil.localhost'" in log.read_text(encoding="utf-8")


def test_proxy_variables_do_not_take_the_prompt_off_loopback(tmp_path: Path, hash_index: Path, bank_file: Path) -> None:
    proxy = "http://10.9.8.7:3128"
    env = {name: proxy for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy")}
    with FakeServer(PIECES) as fake:
        proc, refused, _ = guarded_query(tmp_path, hash_index, bank_file, fake.url, env={**env, "NO_PROXY": ""})
    assert refused == [] and proc.returncode == 0, proc.stderr
    assert FIRST in proc.stdout


# -- 10: the whole answer is bounded -------------------------------------------------------------


def test_an_endless_fast_stream_stops_at_the_token_cap(tmp_path: Path, hash_index: Path, bank_file: Path) -> None:
    with FakeServer(PIECES, mode="endless", delay=0) as fake:
        proc, refused, _ = guarded_query(tmp_path, hash_index, bank_file, fake.url, env={server.ENV_TIMEOUT: "60"})
    assert refused == [] and proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\nAnswer\n", 1)[1].startswith(FIRST)
    assert "note: the model server wrote more than an answer may have" in proc.stderr
    assert fake.requests[0]["max_tokens"] > 0


@pytest.mark.parametrize(
    "mode, delay",
    [("endless", 0.1), ("stall", 0.2)],
    ids=["a-piece-every-100ms-forever", "two-sentences-then-keep-alives-forever"],
)
def test_a_server_that_never_finishes_is_cut_at_the_timeout_with_what_was_checked(
    mode: str, delay: float, tmp_path: Path, hash_index: Path, bank_file: Path
) -> None:
    timeout_s = 3.0
    with FakeServer(PIECES, mode=mode, delay=delay) as fake:
        proc, refused, _ = guarded_query(
            tmp_path, hash_index, bank_file, fake.url, env={server.ENV_TIMEOUT: str(timeout_s)}
        )
        ended = time.time()
    assert refused == [] and proc.returncode == 0, proc.stderr
    answer = proc.stdout.split("\nAnswer\n", 1)[1]
    assert answer.startswith(FIRST) and "[slide 2]" in answer.splitlines()[1]
    assert f"note: the model server took longer than {timeout_s:g} s" in proc.stderr
    # From the first request (the model list) to the end of the process, startup excluded.
    assert ended - fake.times[0] < timeout_s + 2.0


def test_a_server_that_drips_one_byte_at_a_time_is_an_error_at_the_timeout(
    tmp_path: Path, hash_index: Path, bank_file: Path
) -> None:
    with FakeServer(mode="drip", delay=0.2) as fake:
        proc, refused, _ = guarded_query(
            tmp_path, hash_index, bank_file, fake.url, "--llm-model", MODEL, env={server.ENV_TIMEOUT: "2"}
        )
        ended = time.time()
    assert refused == [] and proc.returncode == 2 and proc.stdout.startswith("Slides")
    assert "did not answer within 2 s" in error_line(proc)
    assert ended - fake.times[0] < 2.0 + 2.0


def test_a_50_mb_reply_takes_bounded_memory(tmp_path: Path, hash_index: Path, bank_file: Path) -> None:
    with FakeServer(PIECES) as fake:
        ok, _, baseline = guarded_query(tmp_path, hash_index, bank_file, fake.url, "--llm-model", MODEL)
    assert ok.returncode == 0, ok.stderr
    with FakeServer(mode="huge", size=50 * 1024 * 1024) as fake:
        proc, refused, peak = guarded_query(tmp_path, hash_index, bank_file, fake.url, "--llm-model", MODEL)
    print(f"\npeak RSS: plain answer {baseline:.0f} MB, 50 MB reply {peak:.0f} MB")
    assert refused == [] and proc.returncode == 2
    assert "sent more than 2 MB for one answer, and no text before that" in error_line(proc)
    assert peak < baseline + 64


# -- 15c: a stream was asked for ------------------------------------------------------------------


def test_plain_json_when_a_stream_was_asked_for_is_an_error(tmp_path: Path, hash_index: Path, bank_file: Path) -> None:
    with FakeServer(PIECES, mode="json") as fake:
        proc, refused, _ = guarded_query(tmp_path, hash_index, bank_file, fake.url, "--llm-model", MODEL)
    assert refused == [] and proc.returncode == 2, proc.stdout
    assert "answered with plain JSON instead of the stream that was asked for" in error_line(proc)
    assert "The slides do not cover this." not in proc.stdout


def test_an_unused_port_is_still_cannot_reach(tmp_path: Path, hash_index: Path, bank_file: Path) -> None:
    proc, refused, _ = guarded_query(
        tmp_path, hash_index, bank_file, f"http://localhost:{free_port()}/v1", "--llm-model", "m"
    )
    assert refused == [] and proc.returncode == 2
    assert error_line(proc).startswith("error: cannot reach the model server at http://localhost:")
