"""Slide images for the web page: read from the index's thumbnails folder, embedded as ``data:`` URIs.

The page never fetches an image by path: every thumbnail travels inside the HTML, so the server
serves no file of the index and the Content-Security-Policy can allow images from ``data:`` only.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

    from index.store import LoadedIndex

CARD_WIDTH = 420  # px of a card thumbnail: sharp on a 2x screen at about 210 px wide
CARD_QUALITY = 82
STRIP_WIDTH = 64  # px of a coverage-strip cell: hundreds of slides on one page
STRIP_QUALITY = 60


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


def data_uri(image: Image, width: int, quality: int) -> str:
    """``image`` scaled down to ``width`` px (never up) as a JPEG ``data:`` URI."""
    image = image.convert("RGB")
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class Thumbnails:
    """The card and strip images of one loaded index. Card images are cached: a search shows the
    same few slides again and again, and encoding one costs a few milliseconds."""

    def __init__(self, index: LoadedIndex | None) -> None:
        self.index = index
        self._cards: dict[int, str | None] = {}

    def image(self, number: int) -> Image | None:
        return load_image(self.index, number)

    def card_uri(self, number: int) -> str | None:
        if number not in self._cards:
            image = self.image(number)
            uri = data_uri(image, CARD_WIDTH, CARD_QUALITY) if image is not None else None
            if uri is None:
                return None  # not cached: a thumbnail missing now may be readable on the next request
            self._cards[number] = uri
        return self._cards[number]

    def strip_uri(self, number: int) -> str | None:
        image = self.image(number)
        return data_uri(image, STRIP_WIDTH, STRIP_QUALITY) if image is not None else None
