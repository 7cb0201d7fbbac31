"""Writing to the bank: add a question under a section, with a backup and an atomic replace.

The bank is the user's own hand-written file, so an edit touches nothing but the one new line
(and a new heading when the section is new), keeps the file's line endings, and is checked by
parsing the result: the new question must read back with exactly the text and slides given.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from assistant.bank.parse import (
    Question,
    clean,
    parse_bank,
    split_refs,
    split_suggested,
)
from index.errors import InputError

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


def format_refs(refs: Sequence[int]) -> str:
    """(63, 64, 65, 70) → ``"63-65, 70"``, the way the bank writes them."""
    parts: list[str] = []
    numbers = sorted(set(refs))
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        parts.append(str(numbers[i]) if i == j else f"{numbers[i]}-{numbers[j]}")
        i = j + 1
    return ", ".join(parts)


def _title(raw: str) -> str:
    text, _ = split_suggested(raw)
    text, _, _ = split_refs(text)
    return clean(text)[0]


def with_question(markdown: str, section: str, text: str, refs: Sequence[int]) -> str:
    """The bank with ``- text (refs)`` at the end of ``section`` (a new ``###`` section at the end
    of the file when there is none of that name). Pure."""
    text = " ".join(text.split())
    section = " ".join(section.split())
    if not text:
        raise InputError("the question is empty")
    if not section:
        raise InputError("pick a section for the question")
    if any(n < 1 for n in refs):
        raise InputError("slide numbers start at 1")
    newline = "\r\n" if "\r\n" in markdown else "\n"
    bullet = f"- {text}" + (f" ({format_refs(refs)})" if refs else "")
    lines = markdown.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if (m := _HEADING.match(line)) and _title(m.group(2)) == section), None
    )
    if start is None:
        body = markdown.rstrip("\r\n")
        added = (
            f"{body}{newline}{newline}### {section}{newline}{newline}{bullet}{newline}"
            if body
            else f"### {section}{newline}{newline}{bullet}{newline}"
        )
    else:
        end = next((i for i in range(start + 1, len(lines)) if _HEADING.match(lines[i])), len(lines))
        last = max((i for i in range(start, end) if lines[i].strip()), default=start)
        gap = [""] if last == start else []  # a heading, then a blank line, then the first bullet
        lines[last + 1 : last + 1] = [*gap, bullet]
        added = newline.join(lines) + (newline if markdown.endswith(("\n", "\r")) or not markdown else "")
    _check(added, section, text, refs)
    return added


def _check(markdown: str, section: str, text: str, refs: Sequence[int]) -> Question:
    """The new question as the parser reads it back; an error when it would read differently."""
    wanted = clean(text)[0]
    found = [q for q in parse_bank(markdown) if q.section == section and q.text == wanted and not q.heading]
    if not found or tuple(sorted(found[-1].refs)) != tuple(sorted(set(refs))):
        raise InputError(
            "the bank would not read this question back as typed (numbers in parentheses read as slides); reword it"
        )
    return found[-1]


def add_question(path: Path, section: str, text: str, refs: Sequence[int]) -> Question:
    """Add a question to the bank file ``path``. The previous file is kept as ``path.bak`` and the
    new one replaces it atomically, so a crash leaves either the old bank or the new one."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raw = b""
    except OSError as exc:
        raise InputError(f"cannot read the question bank {path} ({exc.strerror})") from None
    markdown = raw.decode("utf-8", errors="replace")
    added = with_question(markdown, section, text, refs)
    try:
        if raw:
            _atomic_write(path.with_name(path.name + ".bak"), raw)
        _atomic_write(path, added.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write the question bank {path} ({exc.strerror}); it is unchanged") from None
    return _check(added, " ".join(section.split()), " ".join(text.split()), refs)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
