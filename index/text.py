"""The one text normalisation: what is indexed, shown and searched is written the same way.

PDF text extractors return what the PDF's fonts hold: TeX's ligatures as single code points
("ﬁ", "ﬀ", "ﬃ"), math alphanumerics ("𝓁", "𝑥"), accents as separate spacing characters before the
letter ("H¨older"), curly quotes and several kinds of dashes, and Beamer's or PowerPoint's bullet
glyphs ("▶", "▪", "●"). A student types "classification", "Hölder" or "Holder", "'" and "-". So the
page text at ingest, slide titles, the snippets shown and every query pass through ``normalise_text``:

- spacing accents before a letter become that letter's accent ("H¨older" → "Hölder");
- Unicode NFKC: ligatures split, compatibility forms (math letters, full-width, "…") folded;
- quotes fold to ' and "; hyphens and the minus sign to "-", dashes to one dash "–";
- a line starting with a bullet glyph starts with "• " (the deck's own glyphs, in one form).

The result is NFKC-stable: ``unicodedata.normalize("NFKC", t) == t`` for every ``t`` it returns.
"""

from __future__ import annotations

import re
import unicodedata

# Spacing accents (what TeX fonts draw before the letter) → the combining mark for that accent.
_SPACING_ACCENTS = {
    "\u00a8": "\u0308",  # ¨ diaeresis
    "\u00b4": "\u0301",  # ´ acute
    "\u02dc": "\u0303",  # ˜ small tilde
    "\u02c6": "\u0302",  # ˆ circumflex
    "\u02da": "\u030a",  # ˚ ring
    "\u00b8": "\u0327",  # ¸ cedilla
    "\u02c7": "\u030c",  # ˇ caron
    "\u02d8": "\u0306",  # ˘ breve
    "\u02d9": "\u0307",  # ˙ dot above
    "\u02dd": "\u030b",  # ˝ double acute
    "\u00af": "\u0304",  # ¯ macron
}
_ACCENT_THEN_LETTER = re.compile(f"([{''.join(_SPACING_ACCENTS)}])([^\\W\\d_])")
_LONE_ACCENT = re.compile(f"[{''.join(_SPACING_ACCENTS)}]")

_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a", "'"),  # ‘ ’ ‚ ‛ ′ ‵ ‹ ›
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb", '"'),  # “ ” „ ‟ ″ ‶ « »
        # Hyphens and minus signs are the hyphen-minus a keyboard types; dashes become one dash, the en
        # dash (the embedder's vocabulary has it; folding it to "-" only moved near-ties on the course deck).
        **dict.fromkeys("\u2010\u2011\u2012\u2212\ufe63\uff0d", "-"),  # ‐ ‑ ‒ − and small/full-width forms
        **dict.fromkeys("\u2014\u2015\ufe58", "\u2013"),  # — ― ﹘ → –
    }
)

# Bullet glyphs of Beamer themes (▶ ▸ ► ‣), PowerPoint (• ● ○ ▪ ■ □ ◦ ⁃ and its Wingdings private-use
# marks) and plain dashes, when they start a line and a space follows.
BULLET = "\u2022"
_BULLET_GLYPHS = "\u2013\u2022\u2023\u2043\u25aa\u25ab\u25a0\u25a1\u25b6\u25b8\u25ba\u25cf\u25cb\u25e6\u27a2\u2756\uf0a7\uf0b7\uf0d8\uf076\uf0fc*-"
_BULLET_LINE = re.compile(
    f"^[ \\t]*(?:[{re.escape(_BULLET_GLYPHS)}][ \\t]+|[{_BULLET_GLYPHS[:-2]}][ \\t]*$)", re.MULTILINE
)
# What a reader of normalised text takes as a bullet mark: the one glyph, or a numbered item.
BULLET_START = re.compile(r"^(?:[\u2022\-*]|\d+[.)])\s*")


def normalise_text(text: str) -> str:
    """``text`` as it is indexed, shown and searched (see the module doc). Pure and idempotent."""
    if text.isascii():
        return _BULLET_LINE.sub(BULLET + " ", text)
    text = _ACCENT_THEN_LETTER.sub(lambda m: m.group(2) + _SPACING_ACCENTS[m.group(1)], text)
    text = _LONE_ACCENT.sub("", text)  # an accent on nothing is a drawing artefact, not a character
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    text = _BULLET_LINE.sub(BULLET + " ", text)
    return unicodedata.normalize("NFKC", text)


def strip_accents(text: str) -> str:
    """ "Hölder" → "Holder": for matching words, where a student may type either."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
