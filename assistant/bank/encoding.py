"""Decoding the user's own text files (the bank, a ``--batch`` file): UTF-8, or what a BOM says.

Windows Notepad saves "Unicode" as UTF-16 with a byte-order mark. Read as UTF-8 with
replacement, such a bank parses to zero questions without a word, and a batch file to garbled
queries. A BOM names the encoding, so it is decoded; UTF-16 or UTF-32 without one is refused
with the encoding named. Anything else is UTF-8, a stray invalid byte replaced (as before).
"""

from __future__ import annotations

import codecs
import io
from typing import BinaryIO, TextIO

from index.errors import InputError

_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# The same marks with the byte order spelled out, for writing a file back exactly as it was.
_EXACT = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def exact_codec(head: bytes, name: str) -> tuple[bytes, str]:
    """(the BOM, the codec of what follows it) for a file starting with ``head``: a BOM names both;
    without one the file must be UTF-8 (UTF-16 or UTF-32 without a BOM is refused, as when reading)."""
    for bom, codec in _EXACT:
        if head.startswith(bom):
            return bom, codec
    sniff_encoding(head, name)
    return b"", "utf-8"


def sniff_encoding(head: bytes, name: str) -> str:
    """The codec for a file starting with ``head`` (its first bytes, 4 or more when the file has them)."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    guess = _wide_without_bom(head)
    if guess:
        raise InputError(f"{name} looks like {guess} without a byte-order mark; save it as UTF-8")
    return "utf-8"


def _wide_without_bom(head: bytes) -> str:
    """ "UTF-16" or "UTF-32" when ``head`` reads like Latin text in it, else "".

    Such text has a zero byte in every second (or three of every four) positions; a stray NUL in
    a UTF-8 file, or binary junk, does not line up like that.
    """
    head = head[: len(head) // 4 * 4]
    if len(head) < 8:
        return ""
    quads = [head[i : i + 4] for i in range(0, len(head), 4)]
    if all(q.count(0) == 3 for q in quads):
        return "UTF-32"
    pairs = len(head) // 2
    for zeros in (head[0::2].count(0), head[1::2].count(0)):
        if zeros >= 0.75 * pairs and (head[0::2].count(0) + head[1::2].count(0) - zeros) <= 0.25 * pairs:
            return "UTF-16"
    return ""


def decode_text(data: bytes, name: str) -> str:
    """A whole file's text."""
    codec = sniff_encoding(data[:64], name)
    try:
        return data.decode(codec, errors="strict" if codec != "utf-8" else "replace")
    except UnicodeDecodeError:
        raise InputError(
            f"{name} starts with a {codec.upper()} byte-order mark but is not {codec.upper()} text; save it as UTF-8"
        ) from None


def open_text(raw: BinaryIO, name: str) -> TextIO:
    """A text stream over ``raw`` that still reads line by line (a batch from a pipe is not read whole)."""
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[type-var]
    codec = sniff_encoding(buffered.peek(64)[:64], name)
    return io.TextIOWrapper(buffered, encoding=codec, errors="replace", newline=None)
