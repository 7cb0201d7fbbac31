"""Slide images for the web page, read from the index's thumbnails folder.

Card images are served by the app at a content-addressed URL (``CARD_PATH``/``N-DIGEST.jpg``,
assistant/ui/server.py's ``CardRoute``): a search's HTML names them and the browser keeps each one,
instead of the same 20 KB of base64 travelling again inside every search's HTML (8 KB of HTML
instead of 220 KB). The URL carries the slide number and the hash of the slide's PNG, never a
path: the route serves only what ``Thumbnails.card_for`` makes from the loaded index, and a
re-ingested slide gets a new URL, so the browser may cache a card for good.
The coverage strip's hundreds of small cells stay inline ``data:`` URIs: one audit page, shown once.
"""

from __future__ import annotations

import base64
import hashlib
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

    from index.store import LoadedIndex

CARD_WIDTH = 420  # px of a card thumbnail: sharp on a 2x screen at about 210 px wide
CARD_QUALITY = 82
STRIP_WIDTH = 64  # px of a coverage-strip cell: hundreds of slides on one page
STRIP_QUALITY = 60
CARD_PATH = "slidebank/card"  # relative to the page, so the app also works behind a proxy's path prefix
DIGEST_CHARS = 16  # hex characters of the SHA-256 in a card URL: 64 bits tell the versions of a slide apart


def load_image(index: LoadedIndex | None, number: int) -> Image | None:
    """Slide ``number``'s PNG as a PIL image, or None. Only files of the index's thumbnails folder
    are opened (``LoadedIndex.thumbnail`` range-checks the number), and an unreadable one is None."""
    path = index.thumbnail(number) if index is not None else None
    if path is None:
        return None
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.load()
            return image
    except OSError:  # pruned by an ingest, truncated, not a PNG: the card says "no image"
        return None


def jpeg(image: Image, width: int, quality: int) -> bytes:
    """``image`` scaled down to ``width`` px (never up), as JPEG bytes."""
    image = image.convert("RGB")
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def data_uri(image: Image, width: int, quality: int) -> str:
    """``image`` scaled down to ``width`` px (never up) as a JPEG ``data:`` URI."""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg(image, width, quality)).decode("ascii")


class Thumbnails:
    """The card and strip images of one loaded index.

    A card's URL needs only the hash of the slide's PNG (a file read, a fraction of a millisecond),
    so a search's HTML costs no image work; the JPEG is made when a browser first fetches it, then
    kept. Two threads that fill the same entry at once store equal values: the caches need no lock."""

    def __init__(self, index: LoadedIndex | None) -> None:
        self.index = index
        self._digests: dict[int, str] = {}
        self._cards: dict[int, bytes] = {}

    def image(self, number: int) -> Image | None:
        return load_image(self.index, number)

    def digest(self, number: int) -> str | None:
        """The first DIGEST_CHARS hex characters of the SHA-256 of slide ``number``'s PNG, or None."""
        if number not in self._digests:
            path = self.index.thumbnail(number) if self.index is not None else None
            try:
                data = path.read_bytes() if path is not None else None
            except OSError:
                data = None
            if data is None:
                return None  # not cached: a thumbnail missing now may be readable on the next request
            self._digests[number] = hashlib.sha256(data).hexdigest()[:DIGEST_CHARS]
        return self._digests[number]

    def card_url(self, number: int) -> str | None:
        """Where the page fetches slide ``number``'s card (``server.CardRoute``), or None ("no image")."""
        digest = self.digest(number)
        return f"{CARD_PATH}/{number}-{digest}.jpg" if digest is not None else None

    def card_for(self, number: int, digest: str) -> bytes | None:
        """The card JPEG a URL names, only while it is this index's version of that slide."""
        if self.digest(number) != digest:
            return None
        if number not in self._cards:
            image = self.image(number)
            if image is None:
                return None
            self._cards[number] = jpeg(image, CARD_WIDTH, CARD_QUALITY)
        return self._cards[number]

    def strip_uri(self, number: int) -> str | None:
        image = self.image(number)
        return data_uri(image, STRIP_WIDTH, STRIP_QUALITY) if image is not None else None
