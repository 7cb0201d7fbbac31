"""Typo correction (``assistant.retrieval.spelling``) and unknown key terms (``assistant.retrieval.terms``)
on a small made-up deck: pure functions, no index."""

from __future__ import annotations

from assistant.retrieval.spelling import Vocabulary, correct, same_letters, vocabulary
from assistant.retrieval.terms import QUESTION_WORDS, never_mentioned, unknown_terms

DECK = [
    "Spectral Clustering\nBuild a similarity graph and cut it\nThe difference to K Means: no convex clusters needed",
    "Clustering\nGroup unlabeled points; clustering is unsupervised",
    "Variational Autoencoders\nThe encoder outputs a posterior over latent variables",
    "Contrastive learning\nPull positives together; feature collapse happens without negatives",
    "Generative Adversarial Networks\nGANs train a generator against a discriminator",
    "Classifier-Free Guidance\nDenoise with conditional and unconditional models",
]
BANK = ["what is the reparametrization trick?", "explain CFG"]


def deck() -> Vocabulary:
    return vocabulary(DECK, BANK)


def test_the_issue_example_is_corrected_to_deck_words() -> None:
    fixed = correct("diffrence between kmeans and spectral clustring", deck())
    assert fixed.text == "difference between kmeans and spectral clustering"
    assert fixed.changes == (("diffrence", "difference"), ("clustring", "clustering"))


def test_words_the_deck_or_the_bank_uses_are_never_changed() -> None:
    vocab = deck()
    for query in ("spectral clustering", "reparametrization trick", "Variational Autoencoders", "kmeans"):
        assert correct(query, vocab).text == query


def test_plurals_stems_short_words_numbers_acronyms_and_latex_stay() -> None:
    vocab = deck()
    # "encoders" is a stem variant, "GANz" an acronym-like name, "clst" too short, "k2means" holds a digit,
    # "\\mathbb" a LaTeX command, "layman" plain English the deck lacks.
    for query in ("encoders", "GANz", "clst", "k2means", "$\\mathbb{E}$ of x", "in layman terms"):
        assert correct(query, vocab).changes == (), query


def test_a_swap_and_a_doubled_letter_are_one_edit() -> None:
    vocab = deck()
    assert correct("contrastvie learning", vocab).text == "contrastive learning"
    assert correct("varriational autoencoders", vocab).text == "variational autoencoders"


def test_case_is_kept() -> None:
    assert correct("Clustring", deck()).text == "Clustering"


def test_a_common_english_word_strictly_nearer_wins_over_a_deck_word() -> None:
    # "gruop" is one edit from the deck's "group" only; "posteriro" one edit from "posterior";
    # "pracitce" is one edit from English "practice" and from nothing in the deck.
    vocab = deck()
    assert correct("gruop posteriro", vocab).text == "group posterior"
    assert correct("pracitce", vocab).text == "practice"


def test_same_letters_means_the_letters_typed_in_another_order() -> None:
    assert same_letters("spasre", "sparse")  # two neighbours swapped
    assert not same_letters("spasre", "spare")  # an "s" dropped
    assert not same_letters("spasre", "sparke")  # a letter changed


def test_a_swap_beats_a_more_frequent_deck_word_a_deletion_away() -> None:
    # "spasre" is one edit from both deck words: "sparse" with two letters swapped, "spare" with an
    # "s" dropped. "spare" is the deck's more frequent word, but the swap keeps the letters typed.
    vocab = vocabulary(DECK + ["Spare capacity\nspare spare spare", "Sparse coding\na sparse code"])
    assert correct("spasre coding", vocab).changes == (("spasre", "sparse"),)
    # Words the deck uses, as typed, stay.
    assert correct("spare and sparse", vocab).changes == ()


def test_a_swap_beats_a_more_frequent_english_word_a_deletion_away() -> None:
    # The made-up deck has neither word: English decides, and "spare" is the more frequent one.
    assert correct("spasre coding", deck()).changes == (("spasre", "sparse"),)


def test_a_deck_word_beats_an_equally_near_english_swap() -> None:
    # The deck says "spare" only: it wins at equal distance, though English "sparse" is the swap.
    vocab = vocabulary(DECK + ["Spare capacity\nspare spare spare"])
    assert correct("spasre coding", vocab).changes == (("spasre", "spare"),)


def test_the_mode_collapse_example_is_an_unknown_term() -> None:
    # "mode" is nowhere in the deck; "collapse" is, as the head of "feature collapse".
    assert unknown_terms("what is mode collapse in GANs", deck()) == ("mode collapse",)
    assert never_mentioned(("mode collapse",)) == "the slides never mention 'mode collapse'"


def test_jargon_the_deck_lacks_is_an_unknown_term_on_its_own() -> None:
    vocab = deck()
    assert unknown_terms("what is a Wasserstein GAN", vocab) == ("Wasserstein",)
    assert unknown_terms("explain RLHF", vocab) == ("RLHF",)


def test_question_words_generic_english_and_deck_words_never_count() -> None:
    vocab = deck()
    for query in (
        "explain the main difference between spectral clustering and kmeans, with an example",
        "what is the intuition behind GANs in layman terms",
        "why does the posterior matter so much in practice",
        "what does CFG do",  # an acronym of the deck's own title
        "why is $\\omega$ a tradeoff",  # notation, not terms
    ):
        assert unknown_terms(query, vocab, {"CFG": ("Classifier-Free Guidance",)}) == (), query
    assert {"explain", "difference", "intuition", "example"} <= QUESTION_WORDS


def test_a_plain_word_before_a_staple_of_the_deck_is_no_term() -> None:
    # "clustering" is used many times: "fuzzy clustering" is a plain modifier on a staple, not a missing term.
    vocab = vocabulary(DECK + ["Clustering\nclustering clustering clustering clustering clustering"])
    assert unknown_terms("what is good clustering", vocab) == ()


def test_a_name_and_plain_words_the_deck_never_uses_side_by_side_are_terms() -> None:
    vocab = deck()
    assert unknown_terms("how does Adam train a generator", vocab) == ("Adam",)
    assert unknown_terms("Adam is a name at the start of a sentence", vocab) == ()
    assert unknown_terms("what is a trust region method", vocab) == ("trust region method",)
    assert unknown_terms("can we trust the posterior", vocab) == ()  # one plain word alone never counts
