"""Reading a slide's text as its points: shared by answers (which quote them) and the terminal and web views.

Pure functions over ``Slide``; no retrieval and no formatting for any one output.
"""

from __future__ import annotations

from index.records import Slide
from index.text import BULLET_START

_BULLET_START = BULLET_START  # slide text is normalised at ingest: one bullet glyph (index/text.py)


def bullets(slide: Slide) -> list[str]:
    """The slide body as bullets: PDF line wraps joined back, bullet marks removed."""
    out: list[str] = []
    for line in slide.text.splitlines()[1:]:
        if _BULLET_START.match(line) or not out:
            out.append(_BULLET_START.sub("", line).strip())
        else:
            out[-1] = f"{out[-1]} {line}".strip()
    return [b for b in out if b]
