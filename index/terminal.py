"""Text bound for a terminal: control characters made visible, never obeyed.

Slide text, bank questions, file and deck names reach the terminal from files a user did not
write. An escape sequence in them could set the window title, write the clipboard (OSC 52) or
clear the screen, and a newline in a file name would split one output line into two. Every
printer of the command-line tools passes its strings through :func:`safe`; ``--json`` output is
left exact (JSON escapes control characters itself).
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
# C0 and C1 controls and DEL (Cc), lone surrogates from undecodable file names (Cs), and the
# bidirectional overrides that make text display in another order than it reads.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def safe(text: object, *, lines: bool = False) -> str:
    """``str(text)`` with every control character replaced by U+FFFD; ``lines`` keeps newlines."""
    return (_UNSAFE_KEEP_LINES if lines else _UNSAFE).sub(REPLACEMENT, str(text))
