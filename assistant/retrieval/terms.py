"""Key terms of a question that the deck never mentions ("what is mode collapse in GANs").

Retrieval always finds *some* slide, so a question about something the slides never say gets a
confident-looking answer about the nearest thing they do say. Here the question's own words are
checked against the deck's vocabulary (``spelling.Vocabulary``), after typo correction. Nothing is
specific to a course; what counts as a key term is decided by how words are used:

- only content words count: English stop words, the words questions are made of ("explain",
  "difference", "intuition", "example", ...; ``QUESTION_WORDS``), numbers and LaTeX commands never do;
- a word the deck uses in any form (as written, by stem, written apart: "kmeans" and "K Means") is
  mentioned; an acronym is also mentioned when the deck spells it out (the acronym table);
- a word the deck never uses and no English word list holds ("RLHF", "Wasserstein", "word2vec"),
  or a name (a capitalised word inside a sentence: "Adam", "Frank-Wolfe"), is a key term on its
  own, with the unused words next to it; so are two or more plain words side by side that the
  deck never uses ("trust region"); a single English word is not, however
  rare ("dropout" is, but so are "behaves" and "unusable"), and neither are two English words
  written as one ("tradeoff", "batchnorm");
- a common English word the deck never uses ("mode") is generic on its own, but put before a
  specific word that the deck uses rarely and as the head of its own compounds ("feature
  collapse"), it makes a term the deck never uses: "mode collapse".

Words are neighbours when nothing but spaces or hyphens separates them; a stop word, a question
word or punctuation ends a phrase.
"""

from __future__ import annotations

import re
from typing import Mapping

from assistant.retrieval.spelling import Vocabulary, deck_spelling, english_words, plain_english
from index.lexical import stopwords

# From this corpus count on (the English list's counts: "mode" 67 M, "collapse" 8 M, "dropout" 1 M),
# a word is generic English: it names no concept on its own.
GENERIC_COUNT = 20_000_000

# A head word the deck uses this often or less names one narrow thing there; one it uses more is a
# staple of the deck ("vector", "norm") that many plain modifiers go with, said in formulas or not.
RARE_IN_DECK = 5

# The words questions and exam prompts are made of, in any course, and English function words
# (the lexical index's stop list is short). Never key terms.
QUESTION_WORDS = frozenset(
    """
    what which who whom whose why how when where whether does do did done doing is are was were be been
    being can could should would will shall may might must have has had having it its this that these
    those there here their they them we our us you your i me my he she his her one ones some any all
    each every both either neither other another such same more most less least much many few very too
    also just only even still yet again about above after before below between during from over under
    through across against along among around without within than then so because since while although
    though unless until like not no nor but or and if else instead rather whereas per via vs etc
    explain explained explaining explanation describe description define defined definition defining
    difference differences different differ differs compare compared comparison contrast versus vs
    example examples instance intuition intuitive intuitively idea ideas concept concepts notion
    purpose role goal meaning mean means meant advantage advantages disadvantage disadvantages
    drawback drawbacks benefit benefits pros cons limitation limitations problem problems issue issues
    main key basic basics simple simply simplest layman terms eli5 briefly brief short detail details
    detailed step steps formula formulas formulate formulation derive derivation derivations prove proof
    show shown work works working happen happens happening use used uses using useful usefulness
    good bad better worse best worst important importance need needed needs way ways kind kinds type
    types thing things stuff lot lots exactly actually really generally usually typically possible
    help helps helpful mean question questions answer answers exam slide slides lecture lectures
    course week chapter topic topics summary summarise summarize overview recap review understand
    understanding learn learning know tell give gives get gets make makes made case cases practice
    practical general overall whole part parts relation relationship related relate connection
    compute computed computing calculate calculation hand intuitions motivation motivate motivated
    """.split()
)

_TOKEN = re.compile(r"[A-Za-z0-9]+")
_MATH = re.compile(r"\$[^$]*\$")  # inline LaTeX is notation ("$cov(E) = I$"), not terms
_JOINS = re.compile(r"^[\s\-\u2010\u2011]*$")  # what may stand between two words of one phrase


def _acronym(token: str) -> bool:
    return sum(ch.isupper() for ch in token) >= 2


def _mentioned(token: str, vocab: Vocabulary, acronyms: Mapping[str, tuple[str, ...]]) -> bool:
    word = token.lower()
    if vocab.in_deck(word) or vocab.near_form(word):
        return True
    if not _acronym(token) and deck_spelling(word, vocab) is not None:
        return True  # another spelling of a deck word ("discretisation"), kept as typed because the bank uses it
    if _acronym(token):
        stripped = token[:-1] if token.endswith("s") else token
        return token.upper() in acronyms or stripped.upper() in acronyms or vocab.in_deck(stripped.lower())
    return False


def _rare_in(token: str, vocab: Vocabulary) -> bool:
    """The deck says this word only a few times: a narrow term ("collapse"), not a staple ("vector")."""
    return vocab.deck.get(token.lower(), 0) <= RARE_IN_DECK


def _specific(token: str) -> bool:
    """A lower-case word that is rare in English: it names a concept ("collapse", "posterior")."""
    return token.islower() and english_words().get(token, 0) < GENERIC_COUNT


def unknown_terms(text: str, vocab: Vocabulary, acronyms: Mapping[str, tuple[str, ...]] = {}) -> tuple[str, ...]:
    """The key terms of ``text`` (a typo-corrected query) that the deck never mentions, as typed, in order."""
    heads = vocab.heads
    stop = stopwords()
    text = _MATH.sub(" , ", text)
    # Phrases: runs of content words with only spaces or hyphens between them.
    runs: list[list[str]] = []
    names: set[int] = set()
    terms_seen: list[str] = []  # starts of capitalised words inside a sentence: names ("Adam", "Frank-Wolfe")
    previous_end: int | None = None
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        start = match.start()
        word = token.lower()
        content = not (
            word in stop
            or word in QUESTION_WORDS
            or token.isdigit()
            or (len(token) < 5 and not token.isalpha())  # "Ex2", "L1": labels, not terms
            or len(token) < 3
            or (start and text[start - 1] == "\\")
        )
        joined = previous_end is not None and bool(_JOINS.match(text[previous_end:start]))
        if not content:
            previous_end = None
            continue
        if not joined or not runs:
            runs.append([])
        before = text[:start].rstrip()
        if token[0].isupper() and token[1:].islower() and before and before[-1] not in ".?!:;\"'(":
            names.add(len(terms_seen))
        terms_seen.append(token)
        runs[-1].append(token)
        previous_end = match.end()
    terms: list[str] = []
    offset = 0
    for run in runs:
        absent = [not _mentioned(t, vocab, acronyms) for t in run]
        # A name is as specific as jargon, even when it is also an English word ("Adam", "Frank").
        english = [plain_english(t) and not _acronym(t) and offset + k not in names for k, t in enumerate(run)]
        offset += len(run)
        i = 0
        while i < len(run):
            if not absent[i]:
                i += 1
                continue
            j = i
            while j < len(run) and absent[j]:
                j += 1
            # run[i:j]: words the deck never uses, side by side
            if not all(english[i:j]) or j - i >= 2:
                # A word no English list holds (the course's jargon, or another's, or a name), or plain
                # words the deck never uses side by side ("trust region"): a term of their own.
                terms.append(" ".join(run[i:j]))
            elif j < len(run) and _specific(run[j]) and run[j].lower() in heads and _rare_in(run[j], vocab):
                # Plain words only: a term when they modify a specific word the deck uses ("mode collapse").
                terms.append(" ".join(run[i : j + 1]))
            i = j
    return tuple(dict.fromkeys(terms))


def never_mentioned(terms: tuple[str, ...]) -> str:
    """The sentence that says so: "the slides never mention 'mode collapse'"."""
    quoted = [f"'{t}'" for t in terms]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"the slides never mention {listed}"
