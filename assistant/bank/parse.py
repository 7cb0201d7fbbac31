"""The exam question bank: markdown in, ``Question`` records out. Pure parsing, no I/O but ``read_bank``.

The bank is the user's own file, written by hand, so the parser is forgiving: anything that is
not a heading or a bullet (tables, HTML, stray notes) is ignored, never an error.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import InputError
from index.paths import default_data_dir
from index.settings import ENV_BANK, NO_BANK

if TYPE_CHECKING:
    from index.bank_fit import BankCitations

MAX_RANGE = 60  # a "reference" spanning more slides than a lecture has is a typo, not a citation

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*?)\s*$")
_PARENS = re.compile(r"\(([^()]*)\)")
_REF_BODY = re.compile(r"^\s*\d+(?:\s*[-\u2013]\s*\d+)?(?:\s*,\s*\d+(?:\s*[-\u2013]\s*\d+)?)*\s*$")
_LOOKS_NUMERIC = re.compile(r"^[\d\s,\-\u2013]+$")
STUDY_MARKER = re.compile(r"\s+(\\\*|\*|-)\s*$")
# Written by ``python -m assistant.audit --write-suggestions``: a guess, never one of the user's references.
_SUGGESTED = re.compile(r"\(\s*suggested\s*:\s*([\d\s,\-\u2013]*)\)", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """One bank entry.

    ``refs`` are global slide numbers in the order written, ranges expanded. ``parent`` is the id
    of the bullet this one is nested under. ``marker`` is the user's study mark (``*`` or ``-``).
    ``bad_refs`` keeps parenthesised numbers that could not be read as references, e.g. ``(12-)``.
    ``suggested`` holds slides an audit proposed, ``(suggested: 196)``: never counted as references.
    """

    id: str
    section: str
    parent: str | None
    text: str
    refs: tuple[int, ...]
    marker: str = ""
    line: int = 0
    depth: int = 0
    heading: bool = False
    bad_refs: tuple[str, ...] = ()
    suggested: tuple[int, ...] = ()


def bank_citations(path: Path) -> BankCitations:
    """What the bank-fit check at ingest needs of the bank at ``path`` (see index/bank_fit.py)."""
    from index.bank_fit import BankCitations

    bank, digest = read_bank(path, hint="pass --bank FILE or --bank none")
    sections: dict[str, list[int]] = {}
    for q in bank:
        sections.setdefault(q.section, []).extend(q.refs)
    return BankCitations(str(path), digest, tuple((name, tuple(refs)) for name, refs in sections.items()))


def default_bank_path() -> Path:
    """``data/question_bank.md``; a command's own choice (``--bank``, $SLIDEBANK_BANK) is in its settings record."""
    return default_data_dir() / "question_bank.md"


def parse_refs(body: str) -> tuple[int, ...] | None:
    """``"63-65"`` → (63, 64, 65); ``"164, 171"`` → (164, 171); not a reference → None."""
    if not _REF_BODY.match(body):
        return None
    refs: list[int] = []
    for part in body.split(","):
        bounds = [int(x) for x in re.split(r"[-\u2013]", part)]
        lo, hi = bounds[0], bounds[-1]
        if lo < 1 or hi < lo or hi - lo > MAX_RANGE:
            return None
        refs.extend(range(lo, hi + 1))
    return tuple(refs)


def split_refs(text: str) -> tuple[str, tuple[int, ...], tuple[str, ...]]:
    """Remove slide references from ``text``. Returns (text without them, refs, unreadable refs)."""
    refs: list[int] = []
    bad: list[str] = []

    def take(match: re.Match[str]) -> str:
        body = match.group(1)
        parsed = parse_refs(body)
        if parsed is not None:
            refs.extend(parsed)
            return ""
        if body.strip() and _LOOKS_NUMERIC.match(body) and any(c.isdigit() for c in body):
            bad.append(f"({body})")
            return ""
        return match.group(0)

    rest = _PARENS.sub(take, text)
    return rest, tuple(dict.fromkeys(refs)), tuple(bad)


def split_suggested(text: str) -> tuple[str, tuple[int, ...]]:
    """Remove ``(suggested: 196, 195)`` notes. Returns (text without them, suggested slides)."""
    found: list[int] = []

    def take(match: re.Match[str]) -> str:
        found.extend(parse_refs(match.group(1)) or ())
        return ""

    return _SUGGESTED.sub(take, text), tuple(dict.fromkeys(found))


def clean(text: str) -> tuple[str, str]:
    """Drop markdown emphasis, escapes and the trailing study marker. Returns (text, marker)."""
    marker = ""
    match = STUDY_MARKER.search(text)
    if match:
        marker = "*" if "*" in match.group(1) else "-"
        text = text[: match.start()]
    text = text.replace("**", "").replace("\\*", "*")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([?.,:;!])", r"\1", text)
    return text.rstrip(" :").strip(), marker


def _question_id(section: str, text: str, seen: dict[str, int]) -> str:
    base = "q" + hashlib.sha1(f"{section}\n{text}".encode()).hexdigest()[:8]
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


def parse_bank(markdown: str) -> tuple[Question, ...]:
    """Parse a bank. Ids are stable: a hash of section and text, so edits elsewhere keep them."""
    entries: list[dict] = []  # mutable while continuation lines may still extend the last one
    section = ""
    stack: list[tuple[int, int]] = []  # (indent, entry index) of the open bullets
    open_entry: int | None = None  # entry a following plain line continues
    for number, line in enumerate(markdown.splitlines(), start=1):
        if not line.strip():
            open_entry = None
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line) if heading is None else None
        if heading:
            title, _ = split_suggested(heading.group(2))
            title, refs, bad = split_refs(title)
            title, _ = clean(title)
            section = title or section
            stack, open_entry = [], None
            if refs or bad:
                entries.append(
                    dict(
                        section=section, parent=None, raw=title, line=number, depth=0, heading=True, refs=refs, bad=bad
                    )
                )
        elif bullet:
            indent = len(bullet.group(1).expandtabs(4))
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1][1] if stack else None
            entries.append(
                dict(section=section, parent=parent, raw=bullet.group(2), line=number, depth=len(stack), heading=False)
            )
            stack.append((indent, len(entries) - 1))
            open_entry = len(entries) - 1
        elif open_entry is not None and "\t" not in line and "<" not in line:
            # A question the user broke over two lines (markdown hard break).
            entries[open_entry]["raw"] += " " + line.strip()
        else:
            open_entry = None  # tables, HTML, stray notes
    seen: dict[str, int] = {}
    ids: list[str] = []
    out: list[Question] = []
    for entry in entries:
        if entry["heading"]:
            text, refs, bad, marker = entry["raw"], entry["refs"], entry["bad"], ""
            suggested: tuple[int, ...] = ()
        else:
            rest, suggested = split_suggested(entry["raw"])
            rest, refs, bad = split_refs(rest)
            text, marker = clean(rest)
        if not text:
            ids.append("")
            continue
        qid = _question_id(entry["section"], text, seen)
        ids.append(qid)
        parent = ids[entry["parent"]] if entry["parent"] is not None else None
        out.append(
            Question(
                qid,
                entry["section"],
                parent or None,
                text,
                refs,
                marker,
                entry["line"],
                entry["depth"],
                entry["heading"],
                bad,
                suggested,
            )
        )
    return tuple(out)


def reference_notices(bank: tuple[Question, ...], n_slides: int | None) -> tuple[str, ...]:
    """What a user should know about the bank's references: unreadable ones, and slides cited
    beyond the deck's last page (``n_slides``; None when no deck is indexed). Never an error:
    such questions still match, their missing slides simply cannot be shown or scored."""
    notices: list[str] = []
    bad = [(q, r) for q in bank for r in q.bad_refs]
    if bad:
        shown = ", ".join(f"{r} on line {q.line}" for q, r in bad[:5]) + (" ..." if len(bad) > 5 else "")
        notices.append(f"the bank has {len(bad)} unreadable slide reference(s), ignored: {shown}")
    if n_slides is not None:
        beyond = [(q, r) for q in bank for r in q.refs if r > n_slides]
        if beyond:
            shown = ", ".join(f"{r} on line {q.line}" for q, r in beyond[:5]) + (" ..." if len(beyond) > 5 else "")
            notices.append(f"the bank cites {len(beyond)} slide(s) beyond the deck's last slide {n_slides}: {shown}")
    return tuple(notices)


def is_no_bank(choice: object) -> bool:
    """True for ``--bank none``: run without a question bank."""
    return choice is not None and str(choice) == NO_BANK


def load_bank(path: Path | None = None) -> tuple[Question, ...]:
    """The bank at ``path`` (default: ``default_bank_path()``); ``none`` is no bank at all."""
    return read_bank(path)[0]


def read_bank(
    path: Path | None = None, hint: str = f"pass --bank FILE (or set ${ENV_BANK}), or --bank none"
) -> tuple[tuple[Question, ...], str]:
    """The bank's questions and the sha256 of its bytes (read once); ``none`` is ``((), "")``."""
    if is_no_bank(path):
        return (), ""
    from assistant.bank.encoding import decode_text

    path = Path(path or default_bank_path())
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the question bank {path} ({exc.strerror}); {hint}") from None
    return parse_bank(decode_text(data, f"the question bank {path}")), hashlib.sha256(data).hexdigest()
