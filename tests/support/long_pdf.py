"""A long generated deck, for tests that need an ingest to take a while or to be large."""

from __future__ import annotations

from pathlib import Path


def write_long_pdf(path: Path, pages: int, version: str = "") -> Path:
    """``pages`` distinct text pages, generated fast (fpdf2, core font)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", format=(148, 210))
    pdf.set_auto_page_break(False)
    for i in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("helvetica", "B", 18)
        pdf.text(12, 18, f"Topic {i} {version}".strip())
        pdf.set_font("helvetica", size=11)
        pdf.text(14, 32, f"Idea number {i} links concept {i % 97} with method {i % 13} {version}".strip())
        pdf.text(14, 40, "A second line of text on every page")
    pdf.output(str(path))
    return path
