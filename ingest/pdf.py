"""Reading PDFs into numbered slides (pypdf). No embeddings, no index: just pages and text."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from index.errors import InputError
from index.records import Slide

logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf logs every repaired xref; users need none of it
_MAX_TITLE = 120
_DANGLING = frozenset("and or of the for to in with a an on by from vs".split())
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Deck:
    """One input PDF: where it is, its content hash and (once read) its pages' text."""

    path: Path
    sha256: str

    @property
    def stem(self) -> str:
        return self.path.stem


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders as their ``*.pdf`` files in file-name order. Order decides numbering."""
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(
                (p for p in path.iterdir() if p.suffix.lower() == ".pdf" and p.is_file()), key=lambda p: p.name
            )
            if not found:
                raise InputError(f"{path}: the folder holds no .pdf files")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    if not out:
        raise InputError("no PDF given; usage: python -m ingest slides.pdf [more.pdf | folder ...]")
    return out


def open_decks(paths: Sequence[Path]) -> list[Deck]:
    decks: list[Deck] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        if digest in seen:
            # Ingesting a deck twice would shift every later slide number away from the bank's.
            raise InputError(f"{path}: same content as {seen[digest]}; give each deck once")
        seen[digest] = path
        decks.append(Deck(path=path, sha256=digest))
    return decks


def _sniff(path: Path) -> None:
    """Refuse what is not a PDF before a parser guesses at it. PDFs may carry junk before the header."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if b"%PDF-" not in head:
        raise InputError(f"{path}: not a PDF (no %PDF- header); give the lecture slides as PDF files")


def _reader(path: Path, password: str | None):
    import pypdf

    _sniff(path)
    try:
        reader = pypdf.PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            try:
                # Many PDFs are encrypted only to restrict printing or copying: an empty password opens them.
                opened = reader.decrypt("") or (password is not None and reader.decrypt(password))
            except Exception as exc:  # noqa: BLE001 - e.g. a missing AES dependency
                raise InputError(f"{path}: cannot decrypt ({_one_line(exc)})") from None
            if not opened and password is None:
                raise InputError(f"{path}: the PDF is encrypted; give its password with --password")
            if not opened:
                raise InputError(f"{path}: wrong password for this encrypted PDF")
        count = len(reader.pages)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for one meaning
        raise InputError(
            f"{path}: damaged or truncated PDF, cannot be read ({type(exc).__name__}: {_one_line(exc)})"
        ) from None
    if count == 0:
        raise InputError(f"{path}: the PDF has no pages")
    return reader


def _one_line(exc: BaseException, limit: int = 80) -> str:
    return " ".join(str(exc).split())[:limit]


def read_pages(path: Path, password: str | None = None) -> Iterable[str]:
    """Yield each page's extracted text; a page that fails to extract yields ``""`` (image-only)."""
    reader = _reader(path, password)
    for page in reader.pages:
        try:
            yield page.extract_text() or ""
        except Exception:  # noqa: BLE001 - one broken page must not lose the deck
            yield ""


def clean_text(raw: str) -> str:
    """Trim each line, collapse runs of spaces, drop empty lines and control characters."""
    raw = "".join(ch for ch in raw if ch in "\n\t" or ch.isprintable())
    lines = (_SPACES.sub(" ", line).strip() for line in raw.splitlines())
    return "\n".join(line for line in lines if line)


def split_title(text: str) -> tuple[str, str]:
    """The slide title is its first line of text; the rest is the body."""
    if not text:
        return "", ""
    first, _, rest = text.partition("\n")
    last_word = first.rsplit(" ", 1)[-1]
    if rest and last_word in _DANGLING:
        # A title wrapped onto a second line ("Combining External and / Internal Data").
        second, _, rest = rest.partition("\n")
        first = f"{first} {second}"
    return first[:_MAX_TITLE].strip(), rest


def make_slide(number: int, deck: str, page: int, raw_text: str) -> Slide:
    text = clean_text(raw_text)
    title, _ = split_title(text)
    return Slide(number=number, deck=deck, page=page, title=title, text=text)
