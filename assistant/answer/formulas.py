"""Formulas as the sentence check reads them: one spelling for each symbol, norms and relations named.

A student writes "‖w‖₁", "the l1 norm", "ℓ_1" or "\\|w\\|_1" for what a PDF slide gives as "‖w‖1";
"≥", ">=" or "\\geq"; "minimise" or "minimize"; "argmax" for "arg max". ``normalize`` brings every one
of them to a single form, on the slide's side and the sentence's alike, so the word rules
(``wording``, ``faithfulness``) see "l1" against "l2" and "max" against "min". ``flipped_relation``
reads the direction of an inequality: "f(y) ≥ f(x) + …" where the line says "f(y) ≤ f(x) + …".

Pure and deck-agnostic: the symbols are mathematics' own, not any course's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from index.symbols import GREEK_NAMES, LATEX_CHARS

_GREEK_WORDS = frozenset(GREEK_NAMES.values()) | {"nabla"}
_MACRO = re.compile(r"\\([A-Za-z]+|\|)")
_LATEX_EXTRA = {"ell": "l", "leqslant": "≤", "geqslant": "≥", "lesssim": "≲", "gtrsim": "≳", "top": "⊤"}
# Sub- and superscript digits stay apart from what they follow: "‖x‖₂²" reads as the PDF's "‖x‖2 2".
_SCRIPTS = str.maketrans(
    {**{c: f" {i}" for i, c in enumerate("₀₁₂₃₄₅₆₇₈₉")}, **{c: f" {i}" for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}}
)
_SYMBOLS = str.maketrans({"⩽": "≤", "≦": "≤", "⩾": "≥", "≧": "≥", "ᵀ": "⊤", "−": "-", "∞": " inf ", "\u201a": ","})
_ASCII_RELATIONS = ((re.compile(r"<="), "≤"), (re.compile(r">="), "≥"))
# A norm with its index: "‖w‖1", "‖x - y‖_2", "ℓ1" (NFKC makes it "l1"), "L2-norm" -> the word "l1", "l2".
_NORM = re.compile(r"‖([^‖]{0,40})‖\s*_?\{?\s*(\d|inf)\b")
_NORM_WORD = re.compile(r"\b[lL]\s*_?\{?\s*(\d|inf)\}?(?=\W|$)(?:\s*-?\s*norm)?")
_ARG = re.compile(r"\barg\s*(min|max)", re.IGNORECASE)
# British -ise spellings ("minimise", "regularisation"): a stem of four letters or more, so "noise"
# and "rise" stay as they are. Both sides are normalised, so a word changed needlessly still matches.
_ISE = re.compile(r"\b([A-Za-z]{4,})is(e|es|ed|ing|ation|ations|er|ers)\b")


def normalize(text: str) -> str:
    """One spelling for symbols, norms, arg min/max and -ise/-ize; the words around them unchanged."""
    if "\\" in text:
        text = _MACRO.sub(lambda m: _LATEX_EXTRA.get(m.group(1), LATEX_CHARS.get(m.group(1), m.group(0))), text)
        text = text.replace("\\", " ")
    text = text.translate(_SCRIPTS).translate(_SYMBOLS)
    text = unicodedata.normalize("NFKC", text)  # "ℓ" -> "l", "½" -> "1⁄2", ligatures apart
    for pattern, symbol in _ASCII_RELATIONS:
        text = pattern.sub(symbol, text)
    text = _NORM.sub(lambda m: f"‖{m.group(1)}‖ l{m.group(2)}norm ", text)
    text = _NORM_WORD.sub(lambda m: f"l{m.group(1)}norm", text)
    text = _ARG.sub(lambda m: f"arg {m.group(1).lower()}", text)
    return _ISE.sub(lambda m: f"{m.group(1)}iz{m.group(2)}", text)


_NORM_TOKEN = re.compile(r"l(?:\d|inf)norm")


def symbol(token: str) -> bool:
    """A token that stands for a symbol, not a word: a Greek letter's name, a norm, one with digits."""
    return token in _GREEK_WORDS or bool(_NORM_TOKEN.fullmatch(token)) or any(c.isdigit() for c in token)


# -- inequalities ----------------------------------------------------------------------------------

_LESS, _MORE = "≤<≲≪", "≥>≳≫"
_RELATION = re.compile(rf"([^\s{_LESS}{_MORE}=]{{1,12}})\s*([{_LESS}{_MORE}])\s*([^\s{_LESS}{_MORE}=]{{1,12}})")


def _operand(text: str) -> str:
    """One side of a relation next to it, its letters and digits only, as a key: "fy" for "f(y)"."""
    return "".join(re.findall(r"\w+", text.lower()))


@lru_cache(maxsize=4096)
def relations(text: str) -> tuple[tuple[str, str, str], ...]:
    """(left operand, "le" or "ge", right operand) for each inequality written with a symbol."""
    out = []
    for m in _RELATION.finditer(normalize(text)):
        side = "le" if m.group(2) in _LESS else "ge"
        out.append((_operand(m.group(1)), side, _operand(m.group(3))))
    return tuple((a, s, b) for a, s, b in out if a or b)


def flipped_relation(text: str, line: str) -> str | None:
    """An inequality the sentence writes the other way round from its line: same side, other direction.

    "f(y) ≥ f(x) + …" against "f(y) ≤ f(x) + …"; "b ≥ a" against "a ≤ b" is the same claim, not a flip.
    """
    theirs = relations(line)
    if not theirs:
        return None
    for left, side, right in relations(text):
        same = [r for r in theirs if (left and r[0] == left) or (right and r[2] == right)]
        mirrored = [r for r in theirs if left and r[2] == left and right and r[0] == right]
        if any(r[1] == side for r in same) or any(r[1] != side for r in mirrored):
            continue  # the line says it this way too
        if same or mirrored:
            return f'"{"≤" if side == "le" else "≥"}" where the slide line has the inequality the other way'
    return None


_FORMULA = re.compile(r"\b[A-Za-z]\w{0,3}\s*\(([^()]{1,40})\)")


def formulas(text: str) -> list[str]:
    """Function-like formulas ("P(x|y)", "f(x, y)"), spaces out, lower case."""
    return [re.sub(r"\s+", "", m.group(0)).lower() for m in _FORMULA.finditer(normalize(text))]


def swapped_formula(text: str, line: str) -> str | None:
    """A formula with the line's symbols in another order ("P(y|x)" where the line says "P(x|y)")."""
    theirs = formulas(line)
    for mine in formulas(text):
        if mine in theirs:
            continue
        for other in theirs:
            if sorted(mine) == sorted(other):
                return f'"{mine}" where the slide says "{other}"'
    return None


def shield(text: str) -> str:
    """Commas inside brackets ("f(x, y)", "{Z1,...,Zn}") made "‚", so a clause is not cut inside a formula.

    ``normalize`` reads "‚" as a comma again.
    """
    out, depth = [], 0
    for ch in text:
        depth = max(0, depth + (ch in "([{") - (ch in ")]}"))
        out.append("\u201a" if ch == "," and depth else ch)
    return "".join(out)


def fragment(line: str) -> bool:
    """A line of formula pieces with no word of three letters ("(", "t∑", "s=1", "-f(x⋆) ≤ γb√ t").

    PDF text breaks a displayed formula into such lines; they continue the line before them.
    """
    return not re.search(r"[A-Za-z]{3,}", unicodedata.normalize("NFKC", line))
