"""Typos in a query, corrected to the deck's own words before it is searched.

A student types "diffrence between kmeans and spectral clustring": the dense encoder splits the
misspelt words into meaningless pieces and BM25 finds nothing for them, so a typo can move the
whole ranking. Here a query word is corrected only when every sign says it is a typo:

- it is not in the deck's vocabulary, nor the bank's (a word either of them uses is never changed),
  as written, with a regular ending ("GANs", "clusters") or written apart in the deck ("kmeans",
  "K Means"); a shared stem alone does not count ("evidance" has the stem of "evidence");
- it is not a plain English word (the English word list that ships with symspellpy), since a
  correct English word the deck lacks ("layman") is not a typo of some deck word;
- it is long enough to judge (at least ``MIN_LENGTH`` letters), holds no digit, and is not an
  acronym or a name with inner capitals ("RLHF", "CycleGAN"), nor a LaTeX command (``\\mathbb``);
- a deck word lies within a small edit distance (one edit, two for long words; a swap of two
  letters is one edit). The nearest one wins; among equally near ones, the one reached by swapping
  adjacent letters (the letters typed, in another order), then the deck's most frequent.
  A common English word strictly nearer than any deck word wins instead ("diference" is a typo of
  "difference", not of the deck's "divergence"; an equally near one does not, swap or not), and a
  typo of an English word the deck never uses ("potetial") is corrected to it, so it is neither
  mis-corrected nor taken for an unknown term; among English words, too, a swap comes first
  ("spasre" is "sparse", not the more frequent "spare").
  A word of a deck word's stem family ("recommender", "recommendation") is only ever corrected to
  a deck word: it is another form of one, not a typo of some English word ("recommended").

Nothing here knows a course: the vocabulary is read from the slides and the bank of the index in use.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping

from index.lexical import stem_words, stopwords
from index.symbols import GREEK_NAMES
from index.text import strip_accents

MIN_LENGTH = 5  # shorter words are too often another real word one edit away ("clst": "cost"? "clustering"?)
LONG_WORD = 8  # from this length two edits are allowed
ENGLISH_WORDS = "frequency_dictionary_en_82_765.txt"  # symspellpy's English word list with frequencies
MAX_LOOKUPS = 24  # correctable words looked up per query: a question has fewer; a pasted page waits no longer
COMMON_ENGLISH = 200_000  # corpus count from which an English word may be what a typo meant

_DECK_WORD = re.compile(r"[a-z0-9]+")
_QUERY_WORD = re.compile(r"[A-Za-z0-9]+")
_PHRASE = re.compile(r"[a-z0-9]+(?:[ \t\-]+[a-z0-9]+)+")  # words with only spaces or hyphens between
_GREEK = str.maketrans({k: f" {v} " for k, v in GREEK_NAMES.items()})


@lru_cache(maxsize=1)
def english_words() -> Mapping[str, int]:
    """Plain English words with their corpus counts (82,765 words); empty when the list is missing."""
    from importlib import resources

    try:
        text = resources.files("symspellpy").joinpath(ENGLISH_WORDS).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    out: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        if word and count.isdigit():
            out[word] = int(count)
    return out


def plain_english(word: str) -> bool:
    """An English word, or two common ones written as one ("tradeoff", "softmax")."""
    w = word.lower()
    english = english_words()
    if w in english:
        return True
    return any(
        english.get(w[:i], 0) >= COMMON_ENGLISH and english.get(w[i:], 0) >= COMMON_ENGLISH
        for i in range(3, len(w) - 2)
    )


def words_of(text: str) -> list[str]:
    """Lower-case words of a text, accents stripped and Greek letters named, as the lexical index reads them."""
    return _DECK_WORD.findall(strip_accents(text).translate(_GREEK).lower())


@dataclass(frozen=True)
class Vocabulary:
    """The words a query may use unchanged, and the deck words a typo may become.

    ``deck``: word -> count over the deck's titles and text; ``joined``: adjacent deck words
    written as one ("K Means" -> "kmeans", "Batch norm" -> "batchnorm"); ``bank``: the bank's words.
    ``targets``: deck words a typo may be corrected to (alphabetic, ``MIN_LENGTH`` letters or more).
    ``heads``: deck words that follow another content word somewhere ("feature collapse"): the
    heads of the deck's compound terms.
    """

    deck: Mapping[str, int]
    joined: frozenset[str]
    deck_stems: frozenset[str]
    bank: frozenset[str]
    forms: Mapping[str, tuple[str, ...]]  # stem -> the deck's and the bank's words with that stem
    targets: tuple[str, ...]
    heads: frozenset[str] = frozenset()

    def in_deck(self, word: str) -> bool:
        """The deck uses this word: as written, as a stem variant ("GANs"), or written apart ("kmeans")."""
        w = word.lower()
        if w in self.deck or w in self.joined or (w.endswith("s") and w[:-1] in self.deck):
            return True
        return stem_words([w])[0] in self.deck_stems

    def near_form(self, word: str) -> bool:
        """Another form of a deck word that the stemmer does not join ("backpropagate", "backpropagation"):
        the two share all but at most three letters of the shorter one, and at least six."""
        w = word.lower()
        if len(w) < 7:
            return False
        stem = w[: max(6, len(w) - 3)]
        return any(t.startswith(stem) for t in self.targets)

    def is_known(self, word: str) -> bool:
        """The deck or the bank uses this word, as written or inflected ("GANs", "clusters").

        A shared stem alone is not enough: the stemmer gives "evidance" the stem of "evidence",
        but a typo differs from the word inside it, where an inflection only changes the ending.
        """
        w = word.lower()
        if w in self.deck or w in self.joined or w in self.bank:
            return True
        return any(_inflection(w, form) for form in self.forms.get(stem_words([w])[0], ()))


def vocabulary(deck_texts: Iterable[str], bank_texts: Iterable[str] = ()) -> Vocabulary:
    """The vocabulary of a deck (titles and text) and a bank (question texts)."""
    counts: Counter[str] = Counter()
    joined: set[str] = set()
    heads: set[str] = set()
    stop = stopwords()
    for text in deck_texts:
        for line in text.splitlines():
            words = words_of(line)
            counts.update(words)
            # "K Means" is "kmeans"; "a sign" is not "asign": stop words are never joined.
            joined.update(a + b for a, b in zip(words, words[1:]) if a not in stop and b not in stop)
            for phrase in _PHRASE.findall(strip_accents(line).lower()):
                parts = _DECK_WORD.findall(phrase)
                heads.update(b for a, b in zip(parts, parts[1:]) if a not in stop and b not in stop)
    bank: set[str] = set()
    for text in bank_texts:
        bank.update(words_of(text))
    return Vocabulary(
        deck=dict(counts),
        joined=frozenset(joined),
        deck_stems=frozenset(stem_words(sorted(counts))),
        bank=frozenset(bank),
        forms=_forms(set(counts) | bank),
        targets=tuple(sorted(w for w in counts if w.isalpha() and len(w) >= MIN_LENGTH)),
        heads=frozenset(heads),
    )


def _forms(words: set[str]) -> dict[str, tuple[str, ...]]:
    ordered = sorted(words)
    out: dict[str, list[str]] = {}
    for word, stem in zip(ordered, stem_words(ordered)):
        out.setdefault(stem, []).append(word)
    return {stem: tuple(forms) for stem, forms in out.items()}


# Regular endings, longest first: plurals, verb forms, agent nouns ("regularizer", "recommender").
_ENDINGS = ("ing", "ers", "es", "ed", "er", "ly", "s", "d")


def _base(word: str) -> str:
    """A word without its regular ending, a final "e" dropped and "y" read as "i" ("entropies", "entropy")."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if word.endswith("e"):
        word = word[:-1]
    return word[:-1] + "i" if word.endswith("y") else word


def _inflection(word: str, form: str) -> bool:
    """The two differ by a regular ending only ("GANs", "clusters", "computing" and "compute",
    "regularizer" and "regularized"). Derivations ("diverge", "divergance") are not: there a typo hides."""
    return _base(word) == _base(form)


@dataclass(frozen=True)
class Spelling:
    """A query with its typos corrected: ``text`` (the corrected query) and each (typed, corrected) word."""

    text: str
    changes: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def correctable(token: str, vocab: Vocabulary) -> bool:
    """Whether a query token may be a typo at all (see the module's rules)."""
    if len(token) < MIN_LENGTH or not token.isalpha():
        return False
    if any(ch.isupper() for ch in token[1:]):
        return False  # an acronym or a name: "VAEs", "CycleGAN"
    word = token.lower()
    # The dictionary itself, not ``plain_english``: a typo near a word's end often leaves two
    # English words ("contrastvie": "contrast" + "vie").
    if vocab.is_known(word) or word in english_words():
        return False
    return True


@lru_cache(maxsize=1)
def _common_english() -> dict[int, tuple[str, ...]]:
    """English words common enough to be what a typo meant (a rare word is more often a typo itself), by length."""
    out: dict[int, list[str]] = {}
    for w, n in english_words().items():
        if n >= COMMON_ENGLISH and w.isalpha() and len(w) >= MIN_LENGTH - 1:
            out.setdefault(len(w), []).append(w)
    return {length: tuple(words) for length, words in out.items()}


def _common_english_near(length: int, limit: int) -> tuple[str, ...]:
    """The common English words whose length is within ``limit`` of ``length`` (no other can be that near)."""
    table = _common_english()
    return tuple(w for n in range(length - limit, length + limit + 1) for w in table.get(n, ()))


def same_letters(word: str, candidate: str) -> bool:
    """The candidate is made of exactly the letters typed, in another order ("spasre", "sparse"):
    within one edit, two neighbouring letters swapped."""
    return sorted(word) == sorted(candidate)


def _closest(word: str, choices: tuple[str, ...], limit: int, counts: Mapping[str, int]) -> tuple[str, int] | None:
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=None)
    if not found:
        return None
    # The nearest first. Among equally near words, one made of exactly the letters typed (adjacent
    # letters swapped, Damerau's transposition): a swap is among the commonest slips of the fingers,
    # and where a dropped or changed letter also leaves a word, the letters typed are the stronger
    # evidence ("spasre" is "sparse" swapped and "spare" with an "s" dropped). Then the most
    # frequent, then the alphabet (deterministic).
    best = min(found, key=lambda hit: (hit[1], not same_letters(word, hit[0]), -counts.get(hit[0], 0), hit[0]))
    return best[0], int(best[1])


def deck_spelling(word: str, vocab: Vocabulary) -> str | None:
    """The deck word that ``word`` is another spelling of (within the typo distance), if any:
    "discretisation" of the deck's "discretization"."""
    if len(word) < MIN_LENGTH or not word.isalpha():
        return None
    found = _closest(word.lower(), vocab.targets, 2 if len(word) >= LONG_WORD else 1, vocab.deck)
    return found[0] if found is not None else None


def nearest(word: str, vocab: Vocabulary) -> str | None:
    """The word ``word`` is most likely a typo of, or None when none is near enough.

    A deck word wins, unless a common English word is strictly nearer ("diference" is one edit from
    "difference" and two from the deck's "divergence"): then the typo was of that English word. A
    word that shares its stem with a deck word ("recommender", "recommendation") is another form of
    it rather than a typo of some English word ("recommended"): only deck words are tried for it.
    """
    limit = 2 if len(word) >= LONG_WORD else 1
    deck = _closest(word, vocab.targets, limit, vocab.deck)
    if deck is not None and deck[1] == 0:
        return deck[0]
    if stem_words([word])[0] in vocab.forms:
        return deck[0] if deck is not None else None
    near = (deck[1] - 1) if deck else limit
    english = _closest(word, _common_english_near(len(word), near), near, english_words())
    if english is not None and (deck is None or english[1] < deck[1]):
        return english[0]
    return deck[0] if deck is not None else None


def correct(text: str, vocab: Vocabulary) -> Spelling:
    """``text`` with each correctable word that has a near deck word replaced by it (case kept)."""
    changes: list[tuple[str, str]] = []
    looked_up = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal looked_up
        token = match.group(0)
        start = match.start()
        if start and text[start - 1] == "\\":
            return token  # a LaTeX command, read by the normaliser
        if looked_up >= MAX_LOOKUPS or not correctable(token, vocab):
            return token
        looked_up += 1
        found = nearest(token.lower(), vocab)
        if found is None:
            return token
        fixed = found.capitalize() if token[0].isupper() else found
        changes.append((token, fixed))
        return fixed

    corrected = _QUERY_WORD.sub(fix, text)
    return Spelling(corrected, tuple(changes))
