"""The grouped view as scripts read it (``--json``): each slide's group and role."""

from __future__ import annotations

from pathlib import Path

from assistant.retrieval.loading import open_retriever
from assistant.retrieval.results import grouped_search
from assistant.ui.terminal import grouped_to_json
from tests.support.decks import lecture_index


def test_json_of_a_grouped_result_matches_its_groups(tmp_path: Path, bank_file: Path) -> None:
    retriever, _ = open_retriever(lecture_index(tmp_path), bank_file)
    found = grouped_search(retriever, "nearest centroid")
    out = grouped_to_json(found)
    assert sorted((s["number"], s["role"], s["group"]) for s in out["slides"]) == sorted(
        (s.number, s.role, s.group) for g in found.groups for s in g.slides
    )
    assert [g["id"] for g in out["groups"]] == [g.id for g in found.groups]
    assert out["weak"] == found.weak
