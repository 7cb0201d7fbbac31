"""Slide thumbnails (pypdfium2): one PNG per page, a fixed width, aspect kept."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

THUMBNAIL_WIDTH = 640
MAX_ASPECT = 3.0  # a page taller than 3 widths (a poster, a scroll) is scaled to fit, not rendered kilometres long


def render_pages(
    pdf: Path, password: str | None = None, width: int = THUMBNAIL_WIDTH, first_page: int = 1
) -> Generator[object, None, None]:
    """Yield one PIL image per page from ``first_page`` (1-based) on, in page order. A page that
    fails to render yields None.

    A document pdfium cannot open at all yields nothing; the caller treats missing images as
    pages without a thumbnail, so a deck whose text reads still ingests.
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(pdf), password=password)
    except Exception:  # noqa: BLE001 - pdfium.PdfiumError and OS errors mean the same here
        return
    try:
        for index in range(first_page - 1, len(document)):
            try:
                page = document[index]
                page_width = page.get_width() or width
                page_height = page.get_height() or page_width
                scale = min(width / page_width, width * MAX_ASPECT / page_height)
                yield page.render(scale=scale).to_pil()
            except Exception:  # noqa: BLE001 - a broken page gets no thumbnail, the deck still ingests
                yield None
    finally:
        document.close()


def save_png(image, path: Path) -> None:
    # Level 1: a third less CPU than the default 6, and no larger on real slides (flat colours).
    image.save(path, format="PNG", compress_level=1)
