"""Query normalisation: LaTeX and Greek letters to words, acronyms expanded from the deck itself.

Nothing here is written for particular questions. The acronym table is learned from the slides:
explicit definitions ("Evidence Lower BOund (ELBO)") and the initials of capitalised slide titles
("Classifier-Free Guidance" gives CFG).
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from index.records import Slide
from index.symbols import GREEK_NAMES, LATEX_WORDS

_LATEX_CMD = re.compile(r"\\([A-Za-z]+)")
_LATEX_SYMBOLS = str.maketrans({"$": " ", "{": " ", "}": " ", "_": " ", "^": " ", "\\": " "})
_DEFINITION = re.compile(r"((?:[A-Za-z][\w-]*\s+){0,5}[A-Za-z][\w-]*)\s*\(\s*([A-Z][A-Za-z]{1,6})\s*\)")
_ACRONYM_TOKEN = re.compile(r"\b([A-Z][A-Za-z]{1,6})(?:'s|s)?\b")
_WORD_SPLIT = re.compile(r"[\s\-\u2013/]+")


def latex_to_words(text: str) -> str:
    r"""``$\omega$`` → ``omega``; ``p_{\theta}(x|z)`` → ``p theta (x|z)``. Other text unchanged."""

    def word(match: re.Match[str]) -> str:
        name = match.group(1)
        return f" {LATEX_WORDS.get(name, name)} "

    text = _LATEX_CMD.sub(word, text)
    text = "".join(f" {GREEK_NAMES[ch]} " if ch in GREEK_NAMES else ch for ch in text)
    return " ".join(text.translate(_LATEX_SYMBOLS).split())


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w)


def _matches(acronym: str, phrase_words: list[str]) -> bool:
    """Letters of the acronym appear in order in the phrase, the first one starting it."""
    joined = "".join(phrase_words).lower()
    if not joined or joined[0] != acronym[0].lower():
        return False
    pos = 0
    for letter in acronym.lower():
        pos = joined.find(letter, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def learn_acronyms(slides: Iterable[Slide]) -> dict[str, tuple[str, ...]]:
    """Acronym → long forms, learned from slide text. Explicit definitions win over title initials."""
    slides_list = list(slides)
    explicit: dict[str, list[str]] = {}
    implicit: dict[str, list[str]] = {}
    for slide in slides_list:
        for match in _DEFINITION.finditer(slide.text):
            words = _WORD_SPLIT.split(match.group(1).strip())
            acronym = match.group(2)
            # The shortest tail of the preceding words that spells the acronym.
            for start in range(len(words) - 1, -1, -1):
                tail = words[start:]
                if (
                    len(tail) >= 2
                    and _matches(acronym, tail)
                    and tail[0][:1].lower() == acronym[0].lower()
                    and len(_initials(tail)) <= len(acronym)
                ):
                    phrase = " ".join(words[start:])
                    explicit.setdefault(acronym.upper(), [])
                    if phrase not in explicit[acronym.upper()]:
                        explicit[acronym.upper()].append(phrase)
                    break
        title_words = [w for w in _WORD_SPLIT.split(re.sub(r"\(.*?\)", " ", slide.title)) if w]
        if 2 <= len(title_words) <= 5 and all(w[0].isupper() and w.isalpha() for w in title_words):
            acronym = _initials(title_words).upper()
            if acronym.isalpha():
                implicit.setdefault(acronym, [])
                if slide.title not in implicit[acronym]:
                    implicit[acronym].append(slide.title)
    table = {k: tuple(v[:2]) for k, v in implicit.items() if len(v) <= 2}
    table.update({k: tuple(v[:2]) for k, v in explicit.items()})
    # An acronym the slides themselves use on several pages needs no expansion (the indexes
    # already know it), and expanding it risks the wrong sense: "ML" is not always likelihood.
    used: dict[str, int] = {}
    for slide in slides_list:
        for token in set(re.findall(r"\b[A-Z]{2,7}\b", slide.text)):
            used[token] = used.get(token, 0) + 1
    return {k: v for k, v in table.items() if used.get(k, 0) < 3}


def expand_acronyms(text: str, table: Mapping[str, tuple[str, ...]]) -> str:
    """Append the long form after each known acronym the query uses: "CFG" → "CFG (Classifier-Free Guidance)"."""
    added: list[str] = []
    for match in _ACRONYM_TOKEN.finditer(text):
        token = match.group(1)
        if token.isupper() or token[1:].isupper() or token[:-1].isupper():
            long_forms = (
                table.get(token.upper()) or table.get(token[:-1].upper())
                if len(token) > 2
                else table.get(token.upper())
            )
            for form in long_forms or ():
                if form.lower() not in text.lower() and form not in added:
                    added.append(form)
    return text if not added else f"{text} ({'; '.join(added)})"


def normalise_query(text: str, acronyms: Mapping[str, tuple[str, ...]]) -> str:
    return expand_acronyms(latex_to_words(text), acronyms)
