"""index/bank_fit.py: whether a bank belongs to a deck, from its references and section names."""

from __future__ import annotations

from index.bank_fit import BankCitations, BankFit, check_fit, recorded_fit
from index.records import Slide

TITLES = [
    "Introduction",
    "Gradient Descent",
    "Momentum",
    "Diffusion Models",
    "Denoising Steps",
    "Guidance",
    "K Means Clustering",
    "Cluster Quality",
]
SLIDES = [Slide(number=i, deck="d", page=i, title=t, text=t) for i, t in enumerate(TITLES, start=1)]


def citations(*sections: tuple[str, tuple[int, ...]]) -> BankCitations:
    return BankCitations("bank.md", "ab" * 32, tuple(sections))


def test_own_bank_fits() -> None:
    fit = check_fit(
        citations(("diffusion models", (4, 5, 6)), ("clustering", (7, 8)), ("optimisation", (2, 3))), SLIDES
    )
    assert fit.fits and fit.refs == fit.refs_inside == 7
    assert (fit.sections, fit.sections_agreeing) == (2, 2)  # "optimisation" names no title here: not checkable


def test_references_beyond_the_deck_do_not_fit() -> None:
    fit = check_fit(citations(("diffusion models", (4, 180, 181)), ("clustering", (370, 371))), SLIDES)
    assert not fit.fits and fit.refs_inside == 1
    assert "4 of its 5 slide references are beyond the last slide 8" in fit.summary


def test_references_inside_under_the_wrong_titles_do_not_fit() -> None:
    # Another course's numbers that happen to exist here: its sections name titles found elsewhere.
    fit = check_fit(
        citations(("clustering", (2, 3)), ("diffusion models", (7, 8)), ("gradient descent", (4, 5))), SLIDES
    )
    assert not fit.fits and fit.refs_inside == fit.refs and fit.sections_agreeing == 0


def test_a_bank_without_references_fits_and_the_verdict_round_trips() -> None:
    fit = check_fit(citations(("anything", ())), SLIDES)
    assert fit.fits and fit.evidence == "it cites no slides"
    assert recorded_fit({"bank_fit": fit.to_json()}) == fit
    assert recorded_fit({}) is None and recorded_fit({"bank_fit": {"bank": "x"}}) is None
    assert isinstance(fit, BankFit)
