"""Writing to the bank: add a question under a section, with a backup and an atomic replace.

The bank is the user's own hand-written file, so an edit touches nothing but the one new line
(and a new heading when the section is new), keeps the file's line endings, and is checked by
parsing the result: the new question must read back with exactly the text and slides given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from assistant.bank import bank_file
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


def _newline(markdown: str) -> str:
    """The file's own line ending: the most common of CRLF, LF and CR (LF for a file with none)."""
    crlf = markdown.count("\r\n")
    counts = {"\n": markdown.count("\n") - crlf, "\r\n": crlf, "\r": markdown.count("\r") - crlf}
    return max(counts, key=lambda k: (counts[k], k == "\n"))


def with_question(markdown: str, section: str, text: str, refs: Sequence[int]) -> str:
    """The bank with ``- text (refs)`` at the end of ``section`` (a new ``###`` section at the end
    of the file when there is none of that name). Every other character is kept as it was, line
    endings included: the result is the old text with the new lines inserted. Pure."""
    text = " ".join(text.split())
    section = " ".join(section.split())
    if not text:
        raise InputError("the question is empty")
    if not section:
        raise InputError("pick a section for the question")
    if any(n < 1 for n in refs):
        raise InputError("slide numbers start at 1")
    newline = _newline(markdown)
    bullet = f"- {text}" + (f" ({format_refs(refs)})" if refs else "")
    lines = markdown.splitlines()  # the same lines the parser reads
    whole = markdown.splitlines(keepends=True)
    start = next(
        (i for i, line in enumerate(lines) if (m := _HEADING.match(line)) and _title(m.group(2)) == section), None
    )
    if start is None:
        body = "".join(whole)
        if whole and whole[-1] == lines[-1]:
            body += newline  # the last line had no line ending
        gap = newline if lines and lines[-1].strip() else ""
        added = f"{body}{gap}### {section}{newline}{newline}{bullet}{newline}"
    else:
        end = next((i for i in range(start + 1, len(lines)) if _HEADING.match(lines[i])), len(lines))
        last = max((i for i in range(start, end) if lines[i].strip()), default=start)
        if whole[last] == lines[last]:
            whole[last] += newline  # the last line had no line ending
        gap = newline if last == start else ""  # a heading, then a blank line, then the first bullet
        whole.insert(last + 1, f"{gap}{bullet}{newline}")
        added = "".join(whole)
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
    """Add a question to the bank file ``path`` (through a symlink, to the file it names).

    The read-modify-write holds the bank's lock; the previous file is kept as ``NAME.bak`` and the
    new one replaces it atomically, with the old file's encoding, BOM, line endings and mode, so a
    crash leaves either the old bank or the new one. A file that cannot be written back exactly
    (not UTF-8, read-only) is refused and left as it was (``assistant.bank.bank_file``).
    """
    from assistant.bank.parse import is_no_bank

    if is_no_bank(path):
        raise InputError("there is no question bank to add to (--bank none); start with --bank FILE to keep questions")
    name = f"the question bank {path}"
    target = bank_file.real_path(Path(path))
    section, text = " ".join(section.split()), " ".join(text.split())
    with bank_file.locked(target, name):
        bank_file.clean_stale(target)
        for _ in range(5):  # another program (not taking the lock) wrote the file meanwhile: redo the edit
            raw, info = bank_file.read_for_write(target, name)
            bank = bank_file.read_exact(raw, name)
            data = bank.encode(with_question(bank.text, section, text, refs), name)
            try:
                bank_file.commit(target, raw, data, info)
            except bank_file.BankChanged:
                continue
            except OSError as exc:
                raise InputError(f"cannot write {name} ({exc.strerror}); it is unchanged") from None
            return _check(bank_file.read_exact(target.read_bytes(), name).text, section, text, refs)
    raise InputError(f"{name} kept changing while the question was added; it was not added, try again")
