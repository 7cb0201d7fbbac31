"""The load benchmarks' lean client (``benchmarks/gradio_http.py``) against the real ``python app.py``.

Run as a program (``python -m benchmarks.gradio_http URL API_NAME INPUT...``), the way the tests use
every command: no test imports ``benchmarks/``. One app serves all three calls, to keep it quick.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.bank.parse import load_bank
from tests.support.app_process import running_app
from tests.support.cli_run import assert_clean_success, assert_one_line_error, run_module


def test_lean_client_gets_cards_and_says_why_a_call_failed(hash_index: Path, bank_file: Path) -> None:
    question = load_bank(bank_file)[0].text
    with running_app(hash_index, bank_file) as url:
        found = run_module("benchmarks.gradio_http", url, "/search", question, timeout=60)
        unknown = run_module("benchmarks.gradio_http", url, "no_such_endpoint", timeout=60)
        no_inputs = run_module("benchmarks.gradio_http", url, "search", timeout=60)
    assert_clean_success(found)
    outputs = json.loads(found.stdout)
    # The Search box's outputs: the cards, then the bank's matches; a bank question shares words with a slide.
    assert isinstance(outputs, list) and 'id="sb-card-' in outputs[0], found.stdout[:200]
    # An endpoint the app does not have: the status and the name, not a hang or a traceback.
    assert_one_line_error(unknown, "GradioCallError: POST /gradio_api/call/no_such_endpoint: HTTP ")
    # A call the app refuses: its error event's message reaches the caller.
    assert_one_line_error(no_inputs, "search: the app answered with an error: ")
