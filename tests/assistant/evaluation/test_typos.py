"""The typo'd free-form sets: what ``python -m assistant.evaluation.typos`` writes, two one-edit typos a question."""

from __future__ import annotations

import random

import pytest
from rapidfuzz.distance import OSA

from assistant.evaluation.typos import DATA, SETS, typo_path, typo_set, with_typos


@pytest.mark.parametrize("name", SETS)
def test_the_committed_files_are_what_the_seeded_generator_writes(name: str) -> None:
    source = (DATA / name).read_text(encoding="utf-8")
    assert typo_path(DATA / name).read_text(encoding="utf-8") == typo_set(source)


@pytest.mark.parametrize("name", SETS)
def test_each_question_has_two_one_edit_typos_in_long_words(name: str) -> None:
    def questions(text: str) -> list[str]:
        return [line.split("\t", 1)[1] for line in text.splitlines() if line.strip() and not line.startswith("#")]

    clean = questions((DATA / name).read_text(encoding="utf-8"))
    typod = questions(typo_path(DATA / name).read_text(encoding="utf-8"))
    assert len(clean) == len(typod)
    for a, b in zip(clean, typod):
        changed = [(x, y) for x, y in zip(a.split(" "), b.split(" ")) if x != y]
        assert len(changed) == 2, (a, b)
        assert all(OSA.distance(x, y) == 1 and len(x) >= 6 for x, y in changed), changed


def test_the_same_seed_gives_the_same_typos() -> None:
    q = "how does contrastive learning avoid collapse without negative examples?"
    assert with_typos(q, random.Random(1)) == with_typos(q, random.Random(1)) != q
