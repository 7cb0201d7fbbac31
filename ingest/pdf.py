"""Reading PDFs into numbered slides (pypdf). No embeddings, no index: just pages and text."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from index.errors import InputError, PasswordRequired
from index.records import Slide
from index.settings import ENV_PDF_PASSWORD
from index.text import normalise_text
from ingest.boilerplate import find_boilerplate, strip_boilerplate

logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf logs every repaired xref; users need none of it
_MAX_TITLE = 120
_DANGLING = frozenset("and or of the for to in with a an on by from vs".split())
_SPACES = re.compile(r"[ \t\u00a0]+")
ENV_PASSWORD = ENV_PDF_PASSWORD  # named in the error; the command resolves it (index/settings.py)


@dataclass(frozen=True)
class Deck:
    """One input PDF: where it is, its content hash and (once read) its pages' text."""

    path: Path
    sha256: str

    @property
    def stem(self) -> str:
        return self.path.stem


def expand_inputs(paths: Iterable[Path], notes: list[str] | None = None) -> list[Path]:
    """Files as given, folders as their ``*.pdf`` files in file-name order. Order decides numbering.

    In a folder, hidden files are skipped, with a line in ``notes``: macOS writes an AppleDouble
    ``._name.pdf`` beside every file copied to a foreign disk, and those are not PDFs.
    """
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            pdfs = sorted(
                (p for p in path.iterdir() if p.suffix.lower() == ".pdf" and p.is_file()), key=lambda p: p.name
            )
            hidden = [p for p in pdfs if p.name.startswith(".")]
            found = [p for p in pdfs if not p.name.startswith(".")]
            if hidden and notes is not None:
                shown = ", ".join(p.name for p in hidden[:3]) + (" ..." if len(hidden) > 3 else "")
                notes.append(
                    f"{path}: skipped {len(hidden)} hidden file(s) ({shown}); give a hidden file by name to ingest it"
                )
            if not found:
                raise InputError(
                    f"{path}: the folder holds no .pdf files" + (f" (only {len(hidden)} hidden ones)" if hidden else "")
                )
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
            digest = _sha256(path)
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        if digest in seen:
            # Ingesting a deck twice would shift every later slide number away from the bank's.
            raise InputError(f"{path}: same content as {seen[digest]}; give each deck once")
        seen[digest] = path
        decks.append(Deck(path=path, sha256=digest))
    return decks


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:  # in blocks: a 400 MB deck must not sit in memory to be hashed
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sniff(path: Path) -> None:
    """Refuse what is not a PDF before a parser guesses at it. PDFs may carry junk before the header."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if b"%PDF-" not in head:
        raise InputError(f"{path}: not a PDF (no %PDF- header); give the lecture slides as PDF files")


def _reader(path: Path, password: str | None, handle=None):
    import pypdf

    _sniff(path)
    try:
        # From an open file, pypdf reads what it needs; from a path it first copies the whole file into memory.
        reader = pypdf.PdfReader(handle if handle is not None else str(path), strict=False)
        if reader.is_encrypted:
            try:
                # Many PDFs are encrypted only to restrict printing or copying: an empty password opens them.
                opened = reader.decrypt("") or (password is not None and reader.decrypt(password))
            except Exception as exc:  # noqa: BLE001 - e.g. a missing AES dependency
                raise InputError(f"{path}: cannot decrypt ({_one_line(exc)})") from None
            if not opened and password is None:
                raise PasswordRequired(
                    f"{path}: the PDF is encrypted; give its password with --password, {ENV_PASSWORD} or at the prompt"
                )
            if not opened:
                raise PasswordRequired(f"{path}: wrong password for this encrypted PDF")
        count = len(reader.pages)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for one meaning
        raise Damaged(
            f"{path}: damaged or truncated PDF, cannot be read ({type(exc).__name__}: {_one_line(exc)})"
        ) from None
    if count == 0:
        raise InputError(f"{path}: the PDF has no pages")
    return reader


class Damaged(InputError):
    """pypdf cannot read the file; pdfium may still (see ``PageTexts``)."""


def _one_line(exc: BaseException, limit: int = 80) -> str:
    return " ".join(str(exc).split())[:limit]


class PageTexts:
    """The text of a PDF's pages: from pypdf, or from pdfium's text layer when pypdf cannot read
    the file but pdfium can (a lost trailer, a page tree that loops); ``note`` then says so."""

    def __init__(self, path: Path, password: str | None = None) -> None:
        self._handle = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.note = ""
        self._pdfium = None
        try:
            self._reader = _reader(path, password, self._handle)
            self.count = len(self._reader.pages)
        except Damaged as damaged:
            self._handle.close()
            self._pdfium = _pdfium_document(path, password)
            if self._pdfium is None:
                raise
            self.count = len(self._pdfium)
            self.note = f"{path.name}: pypdf cannot read it ({str(damaged).split('cannot be read ', 1)[-1]}); its text comes from pdfium's text layer instead"
        except BaseException:
            self._handle.close()
            raise

    def text(self, page: int) -> str:
        """Page ``page`` (1-based); a page that fails to extract gives "" (treated as image-only)."""
        try:
            if self._pdfium is not None:
                return self._pdfium[page - 1].get_textpage().get_text_bounded() or ""
            return self._reader.pages[page - 1].extract_text() or ""
        except Exception:  # noqa: BLE001 - one broken page must not lose the deck (MemoryError included)
            return ""

    def close(self) -> None:
        if self._pdfium is not None:
            self._pdfium.close()
        self._handle.close()


def _pdfium_document(path: Path, password: str | None):
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path), password=password)
    except Exception:  # noqa: BLE001 - pdfium cannot read it either: pypdf's error stands
        return None
    if len(document) == 0:
        document.close()
        return None
    return document


def read_pages(path: Path, password: str | None = None) -> Iterable[str]:
    """Yield each page's extracted text; a page that fails to extract yields ``""`` (image-only)."""
    pages = PageTexts(path, password)
    try:
        for page in range(1, pages.count + 1):
            yield pages.text(page)
    finally:
        pages.close()


def clean_text(raw: str) -> str:
    """Normalise (index/text.py), trim each line, collapse runs of spaces, drop empty lines and control characters."""
    raw = normalise_text("".join(ch for ch in raw if ch in "\n\t" or ch.isprintable()))
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


def make_slide(number: int, deck: str, page: int, raw_text: str, boilerplate: frozenset[str] = frozenset()) -> Slide:
    text = strip_boilerplate(clean_text(raw_text), boilerplate)
    title, _ = split_title(text)
    return Slide(number=number, deck=deck, page=page, title=title, text=text)


def deck_slides(first: int, deck: str, raw_texts: Sequence[str]) -> list[Slide]:
    """One file's pages as slides numbered from ``first``, without the lines most of its pages repeat."""
    boilerplate = find_boilerplate([clean_text(raw) for raw in raw_texts])
    return [make_slide(first + i, deck, i + 1, raw, boilerplate) for i, raw in enumerate(raw_texts)]
