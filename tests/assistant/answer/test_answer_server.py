"""The model-server backend (``--llm-url``) against a fake OpenAI-compatible server on loopback:
the privacy rule, sentence-by-sentence streaming, the JSON schema, and every failure as one line."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from assistant.answer import server
from assistant.answer.generate import stream_answers
from assistant.query import main
from index.settings import ENV_LLM_TIMEOUT
from tests.support.fake_llm_server import MODEL, FakeServer
from tests.support.net import free_port

SUPPORTED = "Momentum averages previous steps"
INVENTED = "Paris is the capital of France"
PIECES = [
    "Momentum averages ",
    "previous steps [slide 2]. ",
    "Paris is the capital ",
    "of France. ",
    "It reduces noise in the ",
    "update direction [slide 9].",
]


@pytest.fixture(autouse=True)
def _fresh_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "_clients", {})
    monkeypatch.delenv(server.ENV_URL, raising=False)


def _args(hash_index: Path, bank_file: Path, *rest: str) -> list[str]:
    return ["--index", str(hash_index), "--bank", str(bank_file), *rest]


# -- private by default --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True),
        ("127.3.4.5", True),
        ("localhost", True),
        ("[::1]", True),
        ("10.0.0.5", False),
        ("0.0.0.0", False),
        ("example.com", False),
        ("[2001:db8::1]", False),
        ("localhost.example.com", False),
    ],
)
def test_only_loopback_hosts_are_this_machine(host: str, loopback: bool) -> None:
    assert server.is_loopback(host) is loopback


def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        pytest.fail("a connection or a name lookup was attempted for a refused URL")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.5:8000/v1", "https://example.com/v1", "http://[2001:db8::1]:11434/v1", "http://0.0.0.0:8000/v1"],
)
def test_a_remote_url_is_refused_before_any_connection(
    url: str, hash_index: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_network(monkeypatch)
    assert main(_args(hash_index, bank_file, "--llm-url", url, "what does momentum average")) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: refusing to send slides and questions to") and captured.err.count("\n") == 1
    assert "--allow-remote-llm" in captured.err and captured.out == ""


def test_a_remote_url_from_the_environment_is_refused_too(
    hash_index: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_network(monkeypatch)
    monkeypatch.setenv(server.ENV_URL, "http://192.168.1.20:11434/v1")
    assert main(_args(hash_index, bank_file, "--answer", "--batch", "-")) == 2
    assert capsys.readouterr().err.startswith("error: refusing")


def test_allow_remote_llm_lets_the_client_connect(
    hash_index: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tried: list[object] = []

    def blocked(self, address, *args, **kwargs):
        tried.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket.socket, "connect", blocked)
    rc = main(
        _args(
            hash_index,
            bank_file,
            "--llm-url",
            "http://10.255.0.1:9/v1",
            "--llm-model",
            "m",
            "--allow-remote-llm",
            "what does momentum average",
        )
    )
    captured = capsys.readouterr()
    assert rc == 2 and tried and tried[0][0] == "10.255.0.1"
    assert "Slides" in captured.out and captured.err.strip().splitlines()[-1].startswith(
        "error: cannot reach the model server"
    )


# -- streaming, the check, the schema ------------------------------------------------------------


def test_server_answer_streams_only_checked_sentences(hash_index: Path, bank_file: Path) -> None:
    from assistant.retrieval.loading import open_retriever

    retriever = open_retriever(hash_index, bank_file)[0]
    result = retriever.search("what does momentum average", k=5)
    with FakeServer(PIECES) as fake:
        steps = list(stream_answers(result, "server", retriever=retriever, url=fake.url))
    partials, final = steps[:-1], steps[-1]
    assert partials and all(p.reason == "partial" for p in partials)
    assert all(final.text.startswith(p.text) for p in partials)  # nothing shown is ever taken back
    assert all(INVENTED not in step.text for step in steps)
    assert not final.abstained and final.backend == "server" and final.citations == (2,)
    by_text = {s.text: s for s in final.sentences}
    assert by_text[SUPPORTED + "."].slides == (2,) and by_text[SUPPORTED + "."].supported
    assert not by_text[INVENTED + "."].supported and by_text[INVENTED + "."].slides == ()
    assert by_text["It reduces noise in the update direction."].slides == (2,)  # [slide 9] was never given
    assert final.dropped == 1 and fake.requests[0]["stream"] is True and fake.requests[0]["model"] == MODEL
    given = {h.slide.number for h in result.slides[:3]}
    assert set(final.citations) <= given


def test_cli_prints_checked_sentences_and_never_the_unsupported_one(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeServer(PIECES) as fake:
        assert main(_args(hash_index, bank_file, "--llm-url", fake.url, "what does momentum average")) == 0
    captured = capsys.readouterr()
    answer = captured.out.split("\nAnswer\n", 1)[1]
    assert answer.splitlines()[0] == f"{SUPPORTED}. [slide 2]"
    assert INVENTED not in captured.out and "left out 1 sentence" in captured.err


def test_answer_json_carries_the_sentences(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeServer(PIECES) as fake:
        assert (
            main(
                _args(
                    hash_index,
                    bank_file,
                    "--llm-url",
                    fake.url,
                    "--llm-model",
                    MODEL,
                    "--json",
                    "what does momentum average",
                )
            )
            == 0
        )
    out = json.loads(capsys.readouterr().out)
    a = out["answer"]
    assert {"text", "sentences", "abstained", "backend"} <= set(a) and a["backend"] == "server" and not a["abstained"]
    assert all(set(s) == {"text", "slides", "supported"} for s in a["sentences"])
    assert [s["supported"] for s in a["sentences"]] == [True, False, True]
    assert {n for s in a["sentences"] for n in s["slides"]} <= {s["number"] for s in out["slides"]}


def test_answer_batch_has_one_answer_per_line_from_one_client(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    with FakeServer(PIECES) as fake:
        stdin = io.StringIO("what does momentum average\n\nmomentum averages previous steps\n")
        assert main(_args(hash_index, bank_file, "--llm-url", fake.url, "--batch", "-"), stdin=stdin) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2 and all(line["answer"]["backend"] == "server" for line in lines)
    assert len(fake.requests) == 2 and len(server._clients) == 1


def test_extractive_answers_in_a_batch(hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    assert (
        main(
            _args(hash_index, bank_file, "--answer", "--batch", "-"),
            stdin=io.StringIO("what does momentum average\nexplain kmeans\n"),
        )
        == 0
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["answer"]["backend"] for line in lines] == ["extractive", "extractive"]
    first = lines[0]["answer"]
    assert (
        not first["abstained"]
        and first["sentences"]
        and all(s["supported"] and s["slides"] for s in first["sentences"])
    )


# -- failures: one line, slides still shown ------------------------------------------------------


@pytest.mark.parametrize(
    "mode, extra, expected",
    [
        ("ok", ["--llm-model", "no-such-model"], "has no model 'no-such-model'; it serves: fake-model"),
        ("slow", [], "did not answer within 0.5 s"),
        ("dies", [], "stopped in the middle of the answer"),
        ("malformed", [], "sent a stream that could not be read"),
    ],
)
def test_server_failures_are_one_line_after_the_slides(
    mode: str,
    extra: list[str],
    expected: str,
    hash_index: Path,
    bank_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV_LLM_TIMEOUT, "0.5")
    with FakeServer(PIECES * 3, mode=mode, delay=2.0) as fake:
        rc = main(_args(hash_index, bank_file, "--llm-url", fake.url, *extra, "what does momentum average"))
    captured = capsys.readouterr()
    assert rc == 2 and captured.out.startswith("Slides") and "Traceback" not in captured.err
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and expected in errors[0]
    if mode == "dies":  # what was checked before the drop stays on screen; nothing unchecked does
        assert f"{SUPPORTED}. [slide 2]" in captured.out and INVENTED not in captured.out


def test_an_unreachable_server_is_one_line_and_json_still_has_the_slides(
    hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    assert (
        main(_args(hash_index, bank_file, "--llm-url", url, "--llm-model", "m", "--json", "what does momentum average"))
        == 2
    )
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["slides"] and out["answer"] is None and out["answer_error"].startswith("cannot reach the model server")
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: cannot reach")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--llm", "smollm2", "--llm-url", "http://127.0.0.1:1/v1", "q"], "give --llm or --llm-url, not both"),
        (["--llm-model", "x", "q"], "--llm-model names a model"),
        (["--llm-url", "ftp://127.0.0.1/v1", "q"], "must be an http(s) URL"),
    ],
)
def test_bad_server_flags_are_one_line(
    argv: list[str], message: str, hash_index: Path, bank_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(hash_index, bank_file, *argv)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err and err.count("\n") == 1


def test_the_web_panel_refuses_a_remote_url_without_connecting(
    hash_index: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    view = WebView(*open_retriever(hash_index, bank_file))
    result = view.search("what does momentum average")
    _no_network(monkeypatch)
    steps = list(view.answer_html(result, "server", "", "http://10.0.0.5:8000/v1"))
    assert "sb-answer-pending" in steps[0] and "<button" not in "".join(steps)
    assert "The answer could not be written: refusing to send slides and questions to 10.0.0.5" in steps[-1]


def test_the_web_panel_streams_checked_sentences_from_a_server(hash_index: Path, bank_file: Path) -> None:
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    view = WebView(*open_retriever(hash_index, bank_file))
    result = view.search("what does momentum average")
    view.current().answer_threshold = None  # the hash embedder's confidence is low on any query
    with FakeServer(PIECES) as fake:
        steps = list(view.answer_html(result, "server", "", fake.url))
    assert "sb-answer-pending" in steps[0] and all(INVENTED not in step for step in steps)
    assert f"<p>{SUPPORTED}. " in steps[1] and steps[1].count("<p") == 1  # one checked sentence, then the next
    final = steps[-1]
    assert final.count('data-slide="2"') == 2 and 'data-slide="9"' not in final
    assert "1 sentence the given slides do not support was left out." in final


def test_an_app_open_to_the_network_uses_only_its_own_server_url(
    hash_index: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.answer.answerer import AnswerSettings
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.web import WebView

    retriever, notices = open_retriever(hash_index, bank_file)
    with FakeServer(PIECES) as fake:
        settings = AnswerSettings("server", None, fake.url)
        view = WebView(retriever, notices, answer_settings=settings, url_from_page=False)
        view.current().answer_threshold = None
        result = view.search("what does momentum average")
        # A page on another machine names a port of this one: the app asks its own server instead.
        final = list(view.answer_html(result, "server", "", f"http://127.0.0.1:{free_port()}/v1"))[-1]
    assert len(fake.requests) == 1 and f"<p>{SUPPORTED}. " in final


def test_answer_eval_writes_the_model_rows_sentences_for_reading_by_hand(
    hash_index: Path, bank_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.evaluation.answers import main as eval_main

    oos = tmp_path / "oos.txt"
    oos.write_text("how do I bake bread?\n", encoding="utf-8")
    out = tmp_path / "sentences.jsonl"
    with FakeServer(PIECES) as fake:
        args = _args(hash_index, bank_file, "--out-of-scope", str(oos), "--llm-url", fake.url, "--limit", "2")
        assert eval_main([*args, "-q", "--json", "--sentences", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 3 and {r["backend"] for r in records} == {"server"}  # 2 in scope, 1 out: model rows only
    written = [s for r in records for s in r["sentences"]]
    assert written and {"text", "slides", "supported"} <= set(written[0])
    assert all(not s["supported"] for s in written if s["text"].startswith("Paris"))
    capsys.readouterr()
    # A path that cannot be written is one line before anything runs (the server is gone by now).
    assert eval_main([*args, "-q", "--sentences", str(tmp_path / "missing" / "x.jsonl")]) == 2
    assert capsys.readouterr().err.startswith("error: cannot write")
