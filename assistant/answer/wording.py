"""Words as the sentence check reads them: stems, negations, antonyms, numbers and names.

English word lists, not any course's terms (``faithfulness.py`` uses them to compare a sentence
with its slide line).
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.formulas import normalize, symbol
from index.lexical import tokenize

_NEGATION = re.compile(r"\b(?:not|no|never|none|nor|neither|cannot|without|nothing|lacks?|n't)\b|n't\b", re.IGNORECASE)
# Pairs in plain words; stemmed at first use. Both directions count.
_ANTONYMS = """
large small|big small|larger smaller|bigger smaller|largest smallest|high low|higher lower|highest lowest
more less|more fewer|most least|increase decrease|increase reduce|increasing decreasing|grow shrink
rise fall|maximize minimize|maximum minimum|max min|fast slow|faster slower|easy hard|easy difficult
easier harder|simple complex|simpler complex|good bad|good poor|better worse|best worst|strong weak
stronger weaker|positive negative|same different|similar different|similar dissimilar|local global
linear nonlinear|convex concave|convex nonconvex|smooth nonsmooth|deterministic stochastic
deterministic random|discrete continuous|conditional unconditional|supervised unsupervised
labeled unlabeled|labelled unlabelled|sparse dense|true false|correct wrong|correct incorrect
possible impossible|sufficient insufficient|enough insufficient|necessary unnecessary|important unimportant
well poorly|well badly|before after|first last|early late|input output|encoder decoder|start end
upper lower|above below|inside outside|include exclude|add remove|accept reject|success failure
overfit underfit|overfitting underfitting|exploding vanishing|preserve destroy|preserving changing
constant changing|constant varying|unchanged changed|bounded unbounded|finite infinite|independent dependent
symmetric asymmetric|valid invalid|stable unstable|biased unbiased|known unknown|observed latent
observed hidden|clean noisy|train test|training test|generative discriminative|online offline
parametric nonparametric|explicit implicit|exact approximate|lossless lossy|many few|multiple single
several single|always never|all none|often rarely|usually rarely|typically rarely|common rare|frequent rare
minimum maximum|minimizing maximizing|minimizes maximizes|expressive limited|powerful weak|cheap expensive
efficient inefficient|easy impossible|grounded ungrounded|defined undefined|well-defined ill-defined
well-posed ill-posed|definite indefinite|surjective injective|bounded diverges|increasing constant
least most|superior inferior|good terrible|better terrible|large tiny|open closed|left right|unique multiple
max minimum|min maximum|much little|lot little|unchanged grow|unchanged increase|unchanged decrease|constant grow
same grow|fixed changing|fixed learned|stays changes|agree disagree|enough insufficient|inside outside|before later
all few|normal abnormal|normal anomalous|likely unlikely|most least
necessary sufficient|sup inf|supremum infimum|minimize max|maximize min|minimal maximal|minimal max|maximal min
nonnegative nonpositive|overestimate underestimate|tight loose|strongly weakly|sublinear superlinear
l0norm l1norm|l1norm l2norm|l0norm l2norm|l1norm linfnorm|l2norm linfnorm|l0norm linfnorm
"""
# A sentence that says these where its line hedges has made the line's claim sweeping.
SWEEPING = {"always", "never", "all", "every", "none", "only", "guarantee", "guarantees", "guaranteed",
             "must", "certainly", "definitely", "proven", "proves", "impossible", "any"}  # fmt: skip
HEDGES = {"often", "sometimes", "usually", "typically", "may", "might", "can", "could", "generally",
           "most", "some", "probably", "tends", "tend", "likely", "many", "perhaps", "possibly",
           "mostly", "frequently", "partially", "partly"}  # fmt: skip
EXCLUSIVE = {"only", "solely", "exclusively", "alone", "just", "purely"}
# Words too common to tie a clause to one line: comparatives and quantities go with any term.
WEAK_ANCHORS = frozenset({"more", "less", "most", "least", "much", "mani", "few", "also", "onli", "veri", "well"})
DENIAL = re.compile(r"^\s*(?:it is|it's)\s+(?:not true|false|wrong|incorrect|not the case)\s+that\s+", re.IGNORECASE)
SEVERAL = re.compile(r"/|&|\b(?:vs|versus|and|or)\b", re.IGNORECASE)  # a title that names several things
AFFIXES = ("un", "in", "im", "ir", "il", "non", "dis")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?%?(?![A-Za-z\d])")
_NUMBER_WORDS = {"hundred", "thousand", "million", "billion", "percent", "twice", "thrice", "dozen"}
# Words any paraphrase may bring without adding a claim (stems are compared).
_GENERIC = """use used uses using call called mean means make makes made give gives given get gets way ways
thing things also one ones kind type types called known term idea ideas approach method methods model slide
slides lecture case cases example examples instance say says said show shows shown following follow able
need needs needed take takes part parts order refer refers basically simply actually just thus hence
therefore whose here there something someone both either each whole rather instead another other others
let lets allow allows called term terms become becomes set sets put puts doing done describe described
it its have has had having which we what would over were was been be being could should will shall they them
their our us you your he she his her this that these those who whom how why when where then very also too
such into onto upon about via per own people
"""
CLAUSE = re.compile(
    r"[,;:\u2013\u2014]|\s\(|\s(?:and|while|whereas|but|because|so|which|where|whereby)\s", re.IGNORECASE
)
BULLET = re.compile(
    r"^\s*(?:[\u2022\u25aa\u25e6\u2023\u2043\u25cf\u25cb\u00b7*\-\u2013]|\d+[.)]|[a-z][.)]|[ivx]+\))\s*"
)


@lru_cache(maxsize=1)
def antonyms() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for pair in _ANTONYMS.replace("\n", "|").split("|"):
        words = pair.split()
        if len(words) != 2:
            continue
        a, b = (_stem(w) for w in words)
        if a and b and a != b:
            out.setdefault(a, set()).add(b)
            out.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    tokens = tokenize(normalize(word.replace("-", "")))
    return tokens[0] if tokens else word.lower().replace("-", "")


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    return frozenset(_stem(w) for w in _GENERIC.split())


def _joined(text: str) -> str:
    # "non-linear" and "nonlinear", "ill-posed" and "ill posed" are one word to every rule here.
    return re.sub(r"\b(non|un|ill|well|in|anti|multi|semi|pre|self)-(\w)", r"\1\2", text, flags=re.IGNORECASE)


def words(text: str) -> frozenset[str]:
    """Content words, stemmed (the index's tokenizer), compound prefixes joined, symbols in one spelling."""
    return frozenset(tokenize(_joined(normalize(text))))


def raw_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", _joined(text).lower())


def negated(text: str) -> bool:
    """Any negation: "no test data (no population risk)" is one negated claim, not a double negative."""
    return bool(_NEGATION.search(text))


def numbers(text: str) -> set[str]:
    found = {m.group(0).rstrip("%").replace(",", ".") for m in _NUMBER.finditer(text)}
    return found | {w for w in raw_words(text) if w in _NUMBER_WORDS}


def names(text: str) -> set[str]:
    """Proper names and acronyms: a capitalised word not opening the sentence, or a word with inner capitals."""
    out: set[str] = set()
    tokens = re.findall(r"[A-Za-z][A-Za-z0-9'\-]*", text)
    for i, word in enumerate(tokens):
        inner = any(c.isupper() for c in word[1:])
        if inner or (i > 0 and word[0].isupper() and len(word) > 1):
            out.add(word.lower().rstrip("'s").strip("-"))
    return out


def invented_specific(text: str, known_text: str) -> str | None:
    """A number or a name that neither the slides nor the question has."""
    known_numbers = numbers(known_text)
    new_numbers = sorted(n for n in numbers(text) if n not in known_numbers)
    if new_numbers:
        return f"the number {new_numbers[0]}"
    known = set(raw_words(known_text)) | {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]*", known_text)}
    flat = re.sub(r"[^a-z0-9]+", "", known_text.lower())
    for name in sorted(names(text)):
        parts = [p for p in re.split(r"[^a-z0-9]+", name) if p]
        if parts and not all(p in known or p in flat for p in parts):
            return f'the name "{name}"'
    return None


def novel_words(text: str, known: frozenset[str]) -> list[str]:
    """Content words on neither the slides nor the question, generic paraphrase words aside."""
    return sorted(words(text) - known - _generic())


def neighbours(text: str, token: str) -> frozenset[str]:
    """The content words right before and after each place ``text`` says ``token`` (symbols aside)."""
    seq = [t for t in tokenize(_joined(normalize(text))) if not symbol(t)]
    return frozenset(seq[j] for i, t in enumerate(seq) if t == token for j in (i - 1, i + 1) if 0 <= j < len(seq)) - {
        token
    }
