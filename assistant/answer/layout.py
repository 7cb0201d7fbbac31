"""How a slide's lines relate, read from the text alone: what follows a line that ends in ":", and
which words of a question name its topic.

A line that ends in ":" (or stops on a word that cannot end a statement) is completed by what
follows it on the slide. Slide formulas and figures are usually images, so the text may hold
nothing of it. The evidence, in order:

- the lines after it, up to the next such line, are its items ("They are good at:" then
  "Expressivity ...", "Generalization ...") unless one of the rules below says otherwise;
- a formula in the text (a line of symbols and relations, few words) is an item: it is on the slide;
- nothing follows, the next line is another such line, or the next line refers back to something
  just shown ("Which contains ...", "When f is ...", "This is ..."): something stands between that
  the text does not hold. It is a formula when the line promises one: its last word is a verb
  that introduces an expression ("is", "becomes", "using", "the following"), "given by" /
  "defined as", or a noun that names one ("equation", "loss", "inequality"); else it is only
  "shown on the slide";
- a line that promises a formula and is followed by a single plain line before the next heading
  ("Reverse process using:" then "Advance time"): the formula stands between, and the single line
  stays a point of its own. Two or more lines are a list.

Words of a question: the topic is what is left once the words that shape a question ("why",
"explain", "give", "according") are gone; the same rule for any deck and any phrasing.

Pure; no model, no project state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.lexical import tokenize

FORMULA = "(formula on the slide)"
ON_SLIDE = "(shown on the slide)"
NOTES = (FORMULA, ON_SLIDE)

# Words that cannot end a complete statement: what follows them on the slide is not in the text.
DANGLING = frozenset(
    "a an the of to by with using via from for in into on as at than that which where is are be was were "
    "becomes gives yields equals follows following given defined written computed rewriting and or".split()
)
# A last word that may introduce an expression ("... is:", "... using:"); a list may follow them too.
_FORMULA_VERBS = frozenset(
    "is are be was were equal give gives follows following using via get gets have has write rewrite rewriting "
    "written defined computed denoted".split()
)
# Words after which an expression always stands ("... yields:", "... given by:", "... simplifies to:").
_ALWAYS_FORMULA = frozenset("becomes become yields yield equals obtain obtains rewritten".split())
_FORMULA_BEFORE_BY = frozenset(
    "given defined computed written denoted obtained expressed approximated estimated provided bounded "
    "simplifies simplify reduces reduce evaluates".split()
)
# Nouns that name an expression.
_FORMULA_NOUNS = frozenset(
    "equation equations formula formulas formulae expression objective loss identity inequality bound "
    "definition estimator estimate update gradient derivative integral sde ode pde value values combination "
    "term terms likelihood divergence probability function".split()
)
# A line starting with one of these speaks of something just shown.
_REFERS_BACK = frozenset(
    "which where when whence this these here it its thus hence so therefore as since i.e. ie".split()
)
_RELATION = re.compile(r"[=\u2264\u2265<>\u2208\u2192\u21d2\u2248\u221d\u2200\u2203\u2211\u222b\u2207\u2016]")
_WORD = re.compile(r"[A-Za-z]{3,}")
# Words that shape a question or an exam instruction, not its topic (compared after stemming).
_QUESTION_FORM = (
    "what why how which when where who whom whose whether explain describe give list define "
    "compare contrast discuss show prove derive formulate according mention outline summarize summarise "
    "briefly write does do did can could would should will main way ways"
)


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z.'-]*", text.lower())


def last_word(text: str) -> str:
    """The line's last word, lower-cased, or "" when it ends on a symbol ("\u2208A", "x_t") or a
    one-letter capital (a variable, not the article)."""
    tokens = text.split()
    token = re.sub(r"[:=,;.!?]+$", "", tokens[-1]) if tokens else ""
    if not token.isascii() or not token.isalpha() or (len(token) == 1 and token.isupper()):
        return ""
    return token.lower()


def opens(text: str) -> bool:
    """The line announces what follows it: it ends in ":" or "=", or stops on a word that cannot end a statement."""
    stripped = text.rstrip()
    if stripped.endswith((":", "=")):
        return True
    return last_word(stripped) in DANGLING and not stripped.endswith((".", ")", "]", "?", "!"))


def promises_formula(text: str) -> int:
    """How surely the line's end introduces an expression: 2 always ("... yields:", "... given by:",
    "... ="), 1 it may ("... is:", "... using:", "... the loss:", a line that writes symbols), 0 no."""
    stripped = text.rstrip().rstrip(":").rstrip()
    if stripped.endswith("="):
        return 2
    words = re.findall(r"[A-Za-z]+", stripped.lower())
    if not words:
        return 0
    if words[-1] in ("by", "as", "to") and len(words) > 1 and words[-2] in _FORMULA_BEFORE_BY:
        return 2
    if words[-1] in _ALWAYS_FORMULA:
        return 2
    # A line that itself writes symbols announces symbols, or a list of cases.
    return int(words[-1] in _FORMULA_VERBS or words[-1] in _FORMULA_NOUNS or bool(_RELATION.search(stripped)))


def is_math(line: str) -> bool:
    """A formula written in the text: a relation or operator symbol, and at most one word or a
    start that is not a word ("x(t+dt) = ...", "\u2203\u03b2 > 0 such that ...")."""
    if not _RELATION.search(line):
        return False
    words = _WORD.findall(line)
    return len(words) <= 1 or not line.lstrip()[:3].isalpha()


def refers_back(line: str) -> bool:
    """The line speaks of something just shown: "Which contains ...", "When f is ...", "(Stated without proof)"."""
    if line.lstrip().startswith("("):
        return True
    words = _words(line)
    return bool(words) and words[0].rstrip(",") in _REFERS_BACK


def completion(text: str, following: Sequence[str]) -> str:
    """What completes ``text`` (a line that ``opens``), given the plain lines after it up to the next
    line that opens: ``"items"`` (they are its list, or a formula written in the text and what goes
    with it), ``"formula"`` or ``"unseen"`` (something the text does not hold stands between: a note
    says so, and the lines stay points of their own)."""
    promise = promises_formula(text)
    missing = "formula" if promise else "unseen"
    if not following:
        return missing
    if is_math(following[0]):
        return "items"
    if refers_back(following[0]) or promise == 2 or (promise and len(following) == 1):
        return missing
    return "items"


def note(kind: str) -> str:
    return FORMULA if kind == "formula" else ON_SLIDE


def with_note(text: str, kind: str) -> str:
    return f"{text.rstrip().rstrip(':= ')} {note(kind)}"


def without_notes(text: str) -> str:
    """The slide's own words: the notes are ours, not claims to check."""
    for n in NOTES:
        text = text.replace(n, "")
    return " ".join(text.split())


def topic_words(query: str) -> set[str]:
    """The question's content words (the index's tokenizer) less the words that shape a question."""
    return {w for w in tokenize(query) if len(w) > 1} - _question_form()


_FORM: set[str] = set()


def _question_form() -> set[str]:
    if not _FORM:
        _FORM.update(tokenize(_QUESTION_FORM))
    return _FORM
