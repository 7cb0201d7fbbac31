"""The one table of Greek letters and LaTeX symbols, for search and for display.

Slides, bank questions and queries write the same symbol as ``ω``, ``\\omega`` or ``omega``.
Search reads each of them as a word (``index.lexical`` for the characters,
``assistant.retrieval.normalize`` for the LaTeX commands); the web app shows the bank's inline
LaTeX as characters (``latex_to_unicode``). All of them read this table, so a symbol added here is
known everywhere at once.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Symbol(NamedTuple):
    """One row: ``macro`` is the LaTeX command without its backslash ("" when the character has no
    command of its own here); ``char`` is what a page shows ("" drops the command: fonts, sizing);
    ``word`` is how search reads it ("" keeps the command's own name)."""

    macro: str
    char: str
    word: str = ""


# Characters search reads as their name: the Greek letters (capitals read as the letter) and ∇.
NAMED: tuple[Symbol, ...] = (
    Symbol("alpha", "α", "alpha"),
    Symbol("beta", "β", "beta"),
    Symbol("gamma", "γ", "gamma"),
    Symbol("delta", "δ", "delta"),
    Symbol("epsilon", "ε", "epsilon"),
    Symbol("varepsilon", "ε", "epsilon"),
    Symbol("", "ϵ", "epsilon"),
    Symbol("zeta", "ζ", "zeta"),
    Symbol("eta", "η", "eta"),
    Symbol("theta", "θ", "theta"),
    Symbol("iota", "ι", "iota"),
    Symbol("kappa", "κ", "kappa"),
    Symbol("lambda", "λ", "lambda"),
    Symbol("mu", "μ", "mu"),
    Symbol("nu", "ν", "nu"),
    Symbol("xi", "ξ", "xi"),
    Symbol("pi", "π", "pi"),
    Symbol("rho", "ρ", "rho"),
    Symbol("sigma", "σ", "sigma"),
    Symbol("tau", "τ", "tau"),
    Symbol("upsilon", "υ", "upsilon"),
    Symbol("phi", "φ", "phi"),
    Symbol("varphi", "φ", "phi"),
    Symbol("", "ϕ", "phi"),
    Symbol("chi", "χ", "chi"),
    Symbol("psi", "ψ", "psi"),
    Symbol("omega", "ω", "omega"),
    Symbol("Gamma", "Γ", "gamma"),
    Symbol("Delta", "Δ", "delta"),
    Symbol("Theta", "Θ", "theta"),
    Symbol("Lambda", "Λ", "lambda"),
    Symbol("Sigma", "Σ", "sigma"),
    Symbol("Phi", "Φ", "phi"),
    Symbol("Psi", "Ψ", "psi"),
    Symbol("Omega", "Ω", "omega"),
    Symbol("nabla", "∇", "nabla"),
)

# Commands shown as a character but read by search through their command (or the words given).
OPERATORS: tuple[Symbol, ...] = (
    Symbol("neq", "≠", "not equal"),
    Symbol("ne", "≠"),
    Symbol("leq", "≤", "less or equal"),
    Symbol("le", "≤"),
    Symbol("geq", "≥", "greater or equal"),
    Symbol("ge", "≥"),
    Symbol("approx", "≈"),
    Symbol("sim", "~", "sampled from"),
    Symbol("in", "∈"),
    Symbol("cdot", "·"),
    Symbol("times", "×"),
    Symbol("infty", "∞"),
    Symbol("sum", "∑"),
    Symbol("prod", "∏"),
    Symbol("int", "∫"),
    Symbol("partial", "∂"),
    Symbol("to", "→", "to"),
    Symbol("rightarrow", "→", "to"),
    Symbol("mid", "|", "given"),
    Symbol("|", "‖"),
    Symbol("log", "log"),
    Symbol("exp", "exp"),
    Symbol("min", "min"),
    Symbol("max", "max"),
    Symbol("E", "E"),
    *(Symbol(name, "") for name in ("mathbb", "mathcal", "mathbf", "mathrm", "text", "left", "right")),
)

GREEK_NAMES: dict[str, str] = {s.char: s.word for s in NAMED}
"""Character → the word search reads: ``"ω" → "omega"``."""

LATEX_WORDS: dict[str, str] = {s.macro: s.word for s in OPERATORS if s.word}
"""LaTeX command → the words search reads, where they differ from the command: ``"neq" → "not equal"``."""

LATEX_CHARS: dict[str, str] = {s.macro: s.char for s in (*NAMED, *OPERATORS) if s.macro}
"""LaTeX command → what a page shows: ``"omega" → "ω"``, ``"mathbb" → ""``."""

_MATH = re.compile(r"\$([^$]+)\$")
_MACRO = re.compile(r"\\([A-Za-z]+|\|)")


def latex_to_unicode(text: str) -> str:
    """Inline LaTeX made readable without a math renderer: ``$\\omega$`` → ``ω``. Text outside
    ``$…$`` is unchanged; an unknown command shows as its name."""

    def inline(match: re.Match[str]) -> str:
        body = _MACRO.sub(lambda m: LATEX_CHARS.get(m.group(1), m.group(1)), match.group(1))
        return " ".join(body.replace("{", "").replace("}", "").split())

    return _MATH.sub(inline, text)
