"""The sentence check tells true from false: flips, swapped pairings, invented specifics, verdicts."""

from __future__ import annotations

import pytest

from assistant.answer import faithfulness as faith
from assistant.answer.support import SupportChecker
from index.records import Slide

NORMS = Slide(
    73,
    "d",
    73,
    "Batch/Layer normalization",
    "Batch/Layer normalization\n• The output activations for each channel normalized by mean and std\n"
    "• Layer norm: compute stats across all pixels of a single example\n"
    "• Batch norm: compute stats across all pixels of a multiple examples",
)
CFG = Slide(
    196,
    "d",
    196,
    "Classifier-Free Guidance",
    "Classifier-Free Guidance\n• Conditioning alone is often insufficient for text-guided generation\n"
    "• Trick (not well grounded in theory):\n• Denoise according to conditional and unconditional models",
)
PCA = Slide(
    259,
    "d",
    259,
    "So What's Wrong with PCA",
    "So What's Wrong with PCA\n• A linear function – not powerful enough for complex data\n"
    "• More influence by large distances than small ones\n• Clusters are separated but local structure not preserved",
)
SAMPLERS = Slide(
    183,
    "d",
    183,
    "Inverting The Noise Process",
    "Inverting The Noise Process\n• Can also construct a stochastic process with the same marginals\n"
    "• Deterministic process called DDIM\n• Stochastic process classed DDPM",
)
MODELS = Slide(
    6, "d", 6, "Two directions", "Two directions\n• Discriminative: estimate P(y|x)\n• Generative: estimate P(x|y)"
)
PICTURE = Slide(9, "d", 9, "", "")


def verdict(slide: Slide, text: str, question: str = "") -> faith.Finding | str:
    return SupportChecker([slide], threshold=0.3, question=question).judge(text).verdict


@pytest.mark.parametrize(
    "slide, text",
    [
        (CFG, "Conditioning alone is always sufficient for text-guided generation."),  # antonym by affix + sweeping
        (CFG, "The trick is well grounded in theory."),  # the slide's negation dropped
        (CFG, "The trick denoises according to the conditional model only."),  # one side of a pair dropped
        (NORMS, "Layer norm computes stats across all pixels of multiple examples."),  # swapped pairing
        (PCA, "PCA has more influence by small distances than large ones."),  # comparison turned round
        (SAMPLERS, "The stochastic process is called DDIM and the deterministic one DDPM."),
        (MODELS, "Generative models estimate P(y|x)."),  # a formula with its symbols swapped
        (SAMPLERS, "It is not true that a stochastic process with the same marginals can be constructed."),
    ],
)
def test_a_sentence_that_reuses_the_slide_words_but_flips_them_is_contradicted(slide: Slide, text: str) -> None:
    assert verdict(slide, text) == faith.CONTRADICTED


@pytest.mark.parametrize(
    "slide, text",
    [
        (CFG, "Conditioning alone is often not enough for text-guided generation."),
        (CFG, "The trick is not well grounded in theory."),
        (CFG, "It denoises according to both conditional and unconditional models."),
        (NORMS, "Layer norm computes stats across all pixels of a single example."),
        (NORMS, "Batch norm computes the stats over all pixels of several examples."),
        (PCA, "PCA has more influence by large distances than small ones."),
        (SAMPLERS, "The deterministic process is called DDIM, and the stochastic process DDPM."),
        (MODELS, "Discriminative models estimate P(y|x), generative ones P(x|y)."),
    ],
)
def test_a_faithful_sentence_in_other_words_is_supported(slide: Slide, text: str) -> None:
    assert verdict(slide, text) == faith.SUPPORTED


def test_numbers_and_names_found_on_neither_the_slide_nor_the_question_are_not_on_the_slides() -> None:
    assert verdict(CFG, "Conditioning alone is often insufficient for text-guided generation in 2022.") == (
        faith.NOT_ON_SLIDES
    )
    assert verdict(CFG, "Conditioning alone, as Ho showed, is often insufficient for text-guided generation.") == (
        faith.NOT_ON_SLIDES
    )
    # The question's own numbers are no invention.
    assert verdict(
        CFG,
        "Conditioning alone is often insufficient for text-guided generation in 2022.",
        question="what did 2022 models find?",
    ) == (faith.SUPPORTED)


def test_a_claim_in_new_words_is_not_on_the_slides() -> None:
    norms = SupportChecker([NORMS], threshold=0.3)
    judged = norms.judge("Batch normalization helps prevent overfitting.")
    assert judged.verdict == faith.NOT_ON_SLIDES and not judged.supported and "overfit" in judged.reason


def test_a_quote_is_supported_with_its_line_and_a_slide_without_text_leaves_it_unchecked() -> None:
    judged = SupportChecker([PCA]).judge("More influence by large distances than small ones")
    assert judged.supported and judged.evidence == "More influence by large distances than small ones"
    assert judged.slides == (259,)
    blank = SupportChecker([PICTURE]).judge("Momentum reduces noise.")
    assert blank.verdict == faith.UNCHECKED and not blank.supported


def test_an_answer_sentence_that_contradicts_its_slide_loses_its_citation() -> None:
    checker = SupportChecker([CFG], threshold=0.3)
    bad = checker.check("Conditioning alone is always sufficient for text-guided generation [slide 196].")
    assert bad.sentence is not None and not bad.sentence.supported and bad.sentence.slides == ()
    assert bad.sentence.verdict == faith.CONTRADICTED and bad.dropped == 1
    assert "insufficient" in bad.sentence.evidence
    good = checker.check("Conditioning alone is often not enough for text-guided generation [slide 196].")
    assert good.sentence.supported and good.sentence.slides == (196,) and good.sentence.verdict == faith.SUPPORTED


def test_slide_lines_join_wrapped_lines_and_keep_the_title_apart() -> None:
    slide = Slide(
        1, "d", 1, "Momentum", "Momentum\n• Intuition: reduces noise by biasing step\nin direction of previous steps"
    )
    lines = faith.slide_lines(slide)
    assert [line.text for line in lines] == [
        "Momentum",
        "Intuition: reduces noise by biasing step in direction of previous steps",
    ]
    assert lines[0].title and not lines[1].title
