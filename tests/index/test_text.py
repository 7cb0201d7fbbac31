"""index/text.py: the one normalisation of indexed text, titles, snippets and queries."""

from __future__ import annotations

import unicodedata

import pytest

from index.lexical import tokenize
from index.text import normalise_text, strip_accents

CASES = [
    ("Classiﬁcation", "Classification"),
    ("Oﬄine statistical learning", "Offline statistical learning"),
    ("Hoeﬀding’s Lemma", "Hoeffding's Lemma"),
    ("𝓁1 norm of 𝑥", "l1 norm of x"),
    ("H¨older’s inequality", "Hölder's inequality"),
    ("“behave nicely”", '"behave nicely"'),
    ("x−y and Non‐Euclidean", "x-y and Non-Euclidean"),
    ("Descent—Lipschitz", "Descent–Lipschitz"),
    ("▶ Function f is convex\n▪ small\n– sub point\n● round", "• Function f is convex\n• small\n• sub point\n• round"),
    ("plain ascii - stays\n- a dash bullet", "plain ascii - stays\n• a dash bullet"),
    ("▶\nthe item on the next line\n-\nminus alone", "• \nthe item on the next line\n-\nminus alone"),
]


@pytest.mark.parametrize("raw, expected", CASES)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize("raw", [raw for raw, _ in CASES] + ["¨ alone", "˜xt+1", "ﬃ ﬄ ﬀ ﬁ ﬂ", "½ ² ™ …", "Ｆｕｌｌ"])
def test_result_is_nfkc_stable_and_idempotent(raw: str) -> None:
    once = normalise_text(raw)
    assert unicodedata.normalize("NFKC", once) == once
    assert normalise_text(once) == once


def test_a_lone_spacing_accent_is_dropped_not_put_on_the_next_word() -> None:
    assert normalise_text("and ¨ alone") == "and  alone"


def test_bm25_words_meet_across_ligatures_and_accents() -> None:
    assert tokenize(normalise_text("Classiﬁcation")) == tokenize("classification")
    assert tokenize(normalise_text("H¨older")) == tokenize("Holder") == tokenize("Hölder")
    assert strip_accents("Fréchet") == "Frechet"
