"""Writing suggested slides into a copy of the bank: ``(suggested: 196, 197)`` after a question.

The parser reads these notes back as ``Question.suggested``, never as references, so a bank with
suggestions written in still cites exactly what its author cited.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from assistant.bank.parse import STUDY_MARKER

_OLD_NOTE = re.compile(r"\s*\(\s*suggested\s*:[^()]*\)", re.IGNORECASE)


def with_suggestions(markdown: str, slides_by_line: Mapping[int, Sequence[int]]) -> str:
    """The bank text with ``(suggested: a, b, c)`` on each given line (1-based), before its study marker.

    Lines are kept byte for byte otherwise, including line endings; earlier suggestions on a
    written line are replaced. Line numbers outside the text and empty slide lists are skipped.
    """
    lines = markdown.splitlines(keepends=True)
    for number, slides in slides_by_line.items():
        if not slides or not 1 <= number <= len(lines):
            continue
        raw = lines[number - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body) :]
        body = _OLD_NOTE.sub("", body)
        note = "(suggested: " + ", ".join(str(n) for n in slides) + ")"
        match = STUDY_MARKER.search(body)
        if match:
            body = f"{body[: match.start()].rstrip()} {note}{body[match.start() :]}"
        else:
            body = f"{body.rstrip()} {note}"
        lines[number - 1] = body + ending
    return "".join(lines)
