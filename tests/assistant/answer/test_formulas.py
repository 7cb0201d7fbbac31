"""The check reads formulas: one spelling per symbol, inequality directions, norms, formula pieces of a PDF."""

from __future__ import annotations

import pytest

from assistant.answer import faithfulness as faith
from assistant.answer.formulas import flipped_relation, fragment, normalize
from assistant.answer.support import SupportChecker
from assistant.answer.wording import words
from index.records import Slide

# Made-up slides in the shape PDF text gives formula slides: pieces of a displayed formula on lines of their own.
SMOOTH = Slide(
    6,
    "d",
    6,
    "Properties w.r.t. a Norm",
    "Properties w.r.t. a Norm\n• Convex: f(y) ≥f(x) + ∇f(x)T (y-x)\n• β-Smooth:\n∃β > 0 such that f(y) ≤f(x) + ∇f(x)T (y-x) + β 2 ‖y-x‖2\n"
    "• Mirror map Φ is 1-strongly convex with respect to the ‖·‖1 norm\n"
    "• Projection: ΠC(y) = argmin\nx∈C\n‖x-y‖2 2",
)
CONDITIONS = Slide(
    68,
    "d",
    68,
    "Restricted Strong Convexity: Sufficient Conditions",
    "Restricted Strong Convexity: Sufficient Conditions\n• Tractable Sufficient Conditions for RSC\n"
    "• If the design is incoherent, RSC holds with α = 1/4",
)


def verdict(slide: Slide, text: str) -> str:
    return SupportChecker([slide]).judge(text).verdict


def test_one_spelling_for_symbols_norms_and_spellings() -> None:
    assert "l1norm" in words("the ℓ1 norm") and "l1norm" in words("‖w‖₁")
    assert {"l1norm"} <= words("\\|w\\|_1") and {"l1norm"} <= words("the L1-norm") and {"l2norm"} <= words("‖x‖₂²")
    assert words("minimise the loss") == words("minimize the loss")
    assert {"arg", "max"} <= words("argmax of f") and "≤" in normalize("a \\leq b") and "≥" in normalize("a >= b")


def test_an_inequality_the_other_way_round_is_a_flip_and_its_mirror_is_not() -> None:
    line = "f(y) ≤f(x) + ∇f(x)T (y-x)"
    assert flipped_relation("f(y) ≥ f(x) + ∇f(x)ᵀ(y−x)", line)
    assert flipped_relation("f(y) \\leq f(x) + something", line) is None
    assert flipped_relation("f(x) + ∇f(x)ᵀ(y−x) ≥ f(y)", line) is None


def test_pieces_of_a_displayed_formula_join_their_line() -> None:
    assert fragment("x∈C") and fragment("‖x-y‖2 2") and not fragment("such that f(y) ≤ f(x)")
    texts = [line.text for line in faith.slide_lines(SMOOTH)]
    assert "Projection: ΠC(y) = argmin x∈C ‖x-y‖2 2" in texts


@pytest.mark.parametrize(
    ("slide", "text"),
    [
        (SMOOTH, "A function is β-smooth if f(y) ≥ f(x) + ∇f(x)ᵀ(y−x) + (β/2)‖y−x‖²."),
        (SMOOTH, "The mirror map Φ is 1-strongly convex with respect to the ℓ2 norm."),
        (SMOOTH, "The projection is the argmax of ‖x−y‖² over C."),
        (CONDITIONS, "Incoherence gives necessary conditions for restricted strong convexity."),
    ],
)
def test_a_flipped_formula_or_modifier_is_contradicted(slide: Slide, text: str) -> None:
    assert verdict(slide, text) == faith.CONTRADICTED


@pytest.mark.parametrize(
    ("slide", "text"),
    [
        (SMOOTH, "The mirror map Φ is 1-strongly convex with respect to the ℓ1 norm."),
        (SMOOTH, "The projection is the argmin of ‖x−y‖₂² over C."),
        (CONDITIONS, "Incoherence gives sufficient conditions for restricted strong convexity."),
    ],
)
def test_the_same_formula_in_other_symbols_is_supported(slide: Slide, text: str) -> None:
    assert verdict(slide, text) == faith.SUPPORTED
