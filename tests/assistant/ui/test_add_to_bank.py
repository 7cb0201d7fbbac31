""" "Add to my bank" in an app started with ``--bank none``: it says there is no bank, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.settings import configured


def test_add_without_a_bank_says_so_and_writes_no_file(
    hash_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.retrieval.loading import open_retriever
    from assistant.ui.add_to_bank import add
    from assistant.ui.web import WebView

    monkeypatch.chdir(tmp_path)
    user = configured(index=hash_index, bank="none")  # what the app resolves for --bank none
    retriever, notices = open_retriever(user=user)
    view = WebView(retriever, notices, settings=user)
    before = sorted(p.name for p in tmp_path.iterdir())
    status = add(view, "how do centroids move in k means", "clustering", [6])
    assert "no question bank to add to" in status and "Added" not in status
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert view.retriever.bank == ()
