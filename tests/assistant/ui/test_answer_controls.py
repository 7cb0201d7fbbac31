"""The Search tab's "Written by" controls: which fields a backend shows, and the model field's default."""

from __future__ import annotations


def test_model_fields_show_only_for_a_model_backend() -> None:
    from assistant.ui.answer_controls import fields_for, model_for

    assert fields_for("extractive")[:2] == (False, False)
    assert fields_for("llm")[:2] == (True, False)
    assert fields_for("server")[:2] == (True, True) and "server" in fields_for("server").model_label
    assert model_for("server", "smollm2") == "" and model_for("server", "qwen2.5") == "qwen2.5"
    assert model_for("llm", "") == "smollm2" and model_for("extractive", "x") == "x"
